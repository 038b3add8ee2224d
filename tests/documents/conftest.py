"""The fixtures these tests borrow: two peered-ready nodes (federation) and an initialised data
directory (host-side CLI)."""

from tests.cli.test_cli_admin import data_dir  # noqa: F401
from tests.federation.conftest import clock, pair  # noqa: F401
