"""The LED Art 25 audit log: append-only, hash-chained, verifiable, exportable."""

from csnet.audit.entries import GENESIS_HASH, AuditAction, AuditEntry, chain_hash
from csnet.audit.log import Head, append, append_many, read_head
from csnet.audit.query import AuditFilter, export, list_entries
from csnet.audit.verify import Problem, VerifyReport, verify

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditEntry",
    "AuditFilter",
    "Head",
    "Problem",
    "VerifyReport",
    "append",
    "append_many",
    "chain_hash",
    "export",
    "list_entries",
    "read_head",
    "verify",
]
