"""The architecture's import-linter contracts (pyproject.toml) hold for csnet, and an import that
breaks one is caught: `lint-imports` runs on a copy of the package with one import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT_NAMES = {
    contract["id"]: contract["name"]
    for contract in tomllib.loads(CONFIG.read_text("utf-8"))["tool"]["importlinter"]["contracts"]
}


def _python_only(directory: str, names: list[str]) -> list[str]:
    """Templates, static files and caches mean nothing to the import graph."""
    return [
        name
        for name in names
        if name == "__pycache__" or (Path(directory, name).is_file() and not name.endswith(".py"))
    ]


def _copy_of_csnet(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "csnet", tmp_path / "csnet", ignore=_python_only)
    return tmp_path


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the installed csnet; wide columns keep each
    # contract's verdict on one line.
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(CONFIG), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _add_import(path: Path, statement: str) -> None:
    path.write_text(path.read_text("utf-8") + f"\n{statement}\n", "utf-8")


def test_csnet_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_csnet(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACT_NAMES)} kept, 0 broken." in result.stdout


# Each contract, broken by one import that the architecture forbids.
FORBIDDEN_IMPORTS = [
    pytest.param("items", "from csnet.store import tables", {"layers", "pure"}, id="items-store"),
    pytest.param("indicators", "import sqlalchemy", {"pure"}, id="indicators-sqlalchemy"),
    pytest.param(
        "handling",
        "from csnet.items import envelope",
        {"layers", "handling-without-items"},
        id="handling-items",
    ),
    pytest.param(
        "federation", "from csnet.alerts import service", {"domain"}, id="federation-alerts"
    ),
    pytest.param(
        "alerts", "from csnet.correlation import hits", {"domain"}, id="alerts-correlation"
    ),
    pytest.param(
        "pipeline",
        "from csnet.correlation import sightings",
        {"layers", "domain"},
        id="pipeline-correlation",
    ),
    pytest.param(
        "federation", "from csnet import publishing", {"domain"}, id="federation-publishing"
    ),
    pytest.param("audit", "import fastapi", {"no-web-below-front-ends"}, id="audit-fastapi"),
    pytest.param("store", "from csnet import node", {"layers"}, id="store-node"),
]


@pytest.mark.parametrize(("package", "statement", "broken"), FORBIDDEN_IMPORTS)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, package: str, statement: str, broken: set[str]
) -> None:
    root = _copy_of_csnet(tmp_path)
    _add_import(root / "csnet" / package / "__init__.py", statement)

    result = _lint_imports(root)

    assert result.returncode != 0
    reported = {c for c, name in CONTRACT_NAMES.items() if f"{name} BROKEN" in result.stdout}
    assert reported == broken, result.stdout


def test_a_new_top_level_module_must_be_given_a_layer(tmp_path: Path) -> None:
    root = _copy_of_csnet(tmp_path)
    (root / "csnet" / "shortcut.py").write_text("from csnet.store import tables\n", "utf-8")

    result = _lint_imports(root)

    assert result.returncode != 0
    assert f"{CONTRACT_NAMES['layers']} BROKEN" in result.stdout
    assert "- csnet.shortcut" in result.stdout
