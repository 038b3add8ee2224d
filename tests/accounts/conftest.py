"""Fixtures for the accounts tests: a cheap argon2 hasher and a member factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from argon2 import PasswordHasher

from csnet.accounts import Member, add_member
from csnet.handling.roles import Role
from csnet.store.engine import Store
from tests.factories import FAST_HASHER, PASSWORD

NewMember = Callable[..., tuple[Member, str]]


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def hasher() -> PasswordHasher:
    return FAST_HASHER


@pytest.fixture
def new_member(store: Store, now: datetime) -> NewMember:
    def make(
        username: str = "alice", role: Role = Role.OFFICER, password: str = PASSWORD
    ) -> tuple[Member, str]:
        with store.write() as conn:
            return add_member(
                conn,
                username=username,
                display_name=username.title(),
                role=role,
                password=password,
                now=now,
                hasher=FAST_HASHER,
            )

    return make
