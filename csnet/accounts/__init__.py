"""Members, passwords (argon2id), TOTP, API tokens, web sessions and login lockout."""

from csnet.accounts.login import GENERIC_FAILURE, login
from csnet.accounts.members import (
    Member,
    add_member,
    disable_member,
    enable_member,
    get_by_username,
    get_member,
    list_members,
    set_role,
)
from csnet.accounts.sessions import (
    check_csrf,
    create_session,
    end_member_sessions,
    end_session,
    purge_expired_sessions,
    resolve_session,
    sign_session_id,
    unsign_session_id,
)
from csnet.accounts.tokens import (
    TokenInfo,
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
)
from csnet.accounts.totp import code_at, provisioning_uri

__all__ = [
    "GENERIC_FAILURE",
    "Member",
    "TokenInfo",
    "add_member",
    "authenticate_token",
    "check_csrf",
    "code_at",
    "create_session",
    "create_token",
    "disable_member",
    "enable_member",
    "end_member_sessions",
    "end_session",
    "get_by_username",
    "get_member",
    "list_members",
    "list_tokens",
    "login",
    "provisioning_uri",
    "purge_expired_sessions",
    "resolve_session",
    "revoke_token",
    "set_role",
    "sign_session_id",
    "unsign_session_id",
]
