"""Seal and verify: known answers, tampering, limits, and verification before body parsing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from csnet.errors import BadInput, CsnetError, IntegrityFailure, TooLarge
from csnet.handling.markings import Markings
from csnet.items import signing
from csnet.items.canonical import canonical_json, reference_json
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.keys import KeyHistory, NodeKey, b64url
from csnet.items.limits import MAX_DEPTH, MAX_ITEM_BYTES, MAX_KEYS, check_limits
from csnet.items.signing import KeyLookup, seal, verify_envelope, verify_item, verify_signed

KAT_ID = "2127edc5f6d83d98547e7319af6e82ccfcd7074595287a64be7866a242ccf5e9"
KAT_SIG = "khaRfNDs9WCAHEr-LgEZ4g0fUzAg49dXOQjOh3ubS6rZSkMjMxPVJGUo72hr8SRxe_xJC4lZo3ttWFVblwQlBA"

ForceSeal = Callable[..., Envelope]
CREATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)  # as in conftest


def _code(exc: pytest.ExceptionInfo[CsnetError]) -> str:
    return exc.value.error_code


def _wire(env: Envelope) -> dict[str, Any]:
    wire: dict[str, Any] = json.loads(env.to_bytes())
    return wire


def test_known_answer(sealed: Envelope) -> None:
    assert sealed.id == KAT_ID
    assert sealed.sig == KAT_SIG
    assert hashlib.sha256(canonical_json(sealed.unsigned_wire())).hexdigest() == KAT_ID


def test_round_trip_from_bytes_text_and_dict(sealed: Envelope, lookup: KeyLookup) -> None:
    raw = sealed.to_bytes()
    for form in (raw, raw.decode(), json.loads(raw)):
        assert verify_envelope(form, lookup) == sealed
    env, body = verify_item(raw, lookup)
    assert env.to_bytes() == raw
    assert body.model_dump()["title"] == "Rubber boat expected tonight"


def test_equivalent_json_spellings_verify_to_the_same_bytes(
    sealed: Envelope, lookup: KeyLookup
) -> None:
    wire = _wire(sealed)
    wire["created"] = "2024-05-01T14:30:00+02:00"
    spaced = json.dumps(wire, indent=2, ensure_ascii=True)
    assert verify_envelope(spaced, lookup).to_bytes() == sealed.to_bytes()


def test_seal_normalises_the_body(draft: ItemDraft, key: NodeKey) -> None:
    body = dict(draft.body, valid_until="2024-05-02T02:00:00+02:00", tags=[])
    env = seal(
        draft.model_copy(update={"body": body}), key, origin=key.node_id, seq=2, created=CREATED
    )
    assert env.body["valid_until"] == "2024-05-02T00:00:00Z"
    assert "tags" not in env.body  # defaults are left out


def test_items_keep_verifying_across_a_key_rotation(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey
) -> None:
    # The origin keeps the id derived from its first key; `other_key` plays the rotated key.
    before = seal(draft, key, origin=key.node_id, seq=1, created=CREATED)
    after = seal(draft, other_key, origin=key.node_id, seq=2, created=CREATED)
    history = KeyHistory(other_key.public_key, ((key.public_key, 1),))  # retired after seq 1
    for env in (before, after):
        assert verify_envelope(env.to_bytes(), lambda origin: history) == env
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(after.to_bytes(), lambda origin: key.public_key)
    assert _code(info) == "bad_signature"


def test_a_retired_key_verifies_nothing_after_its_last_seq(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey
) -> None:
    history = KeyHistory(other_key.public_key, ((key.public_key, 1),))
    stolen = seal(draft, key, origin=key.node_id, seq=2, created=CREATED)
    for form in (stolen.to_bytes(), stolen.to_bytes().decode(), _wire(stolen)):
        with pytest.raises(IntegrityFailure) as info:
            verify_envelope(form, lambda origin: history)
        assert _code(info) == "retired_key"
    with pytest.raises(IntegrityFailure) as info:
        signing.check_signature_only(stolen.to_bytes(), lambda origin: history)
    assert _code(info) == "retired_key"
    spaced = json.dumps(_wire(stolen), indent=1)  # another spelling: the parsing path
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(spaced, lambda origin: history)
    assert _code(info) == "retired_key"


def test_the_seq_that_chooses_the_keys_is_the_top_level_one(
    draft: ItemDraft, key: NodeKey, other_key: NodeKey
) -> None:
    # The holder of a retired key signs bytes of its own making: the real seq (2) first and a
    # look-alike "seq":1 last, where canonical bytes would have the top-level one. The bytes
    # check reads 1; the item must still be judged by its top-level seq.
    history = KeyHistory(other_key.public_key, ((key.public_key, 1),))
    wire = _wire(seal(draft, key, origin=key.node_id, seq=2, created=CREATED))
    unsigned = {k: v for k, v in wire.items() if k not in ("id", "sig", "body")}
    ordered = {"seq": 2, **unsigned, "body": {**wire["body"], "seq": 1}}
    signed = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).encode()
    digest = hashlib.sha256(signed).digest()
    at_kind, at_body = signed.rindex(b',"kind":'), signed.rindex(b',"body":')
    raw = b"".join(
        (
            signed[:at_kind],
            b',"id":"' + digest.hex().encode() + b'"',
            signed[at_kind:at_body],
            b',"sig":"' + b64url(key.sign(digest)).encode() + b'"',
            signed[at_body:],
        )
    )
    with pytest.raises(IntegrityFailure):
        verify_signed(raw, lambda origin: history)


def test_seal_refuses_naive_time(draft: ItemDraft, key: NodeKey) -> None:
    with pytest.raises(BadInput) as info:
        seal(draft, key, origin=key.node_id, seq=1, created=datetime(2024, 5, 1))
    assert _code(info) == "naive_time"


def test_seal_validates_the_draft(draft: ItemDraft, key: NodeKey) -> None:
    undeclared = draft.model_copy(update={"markings": Markings()})
    with pytest.raises(BadInput) as info:
        seal(undeclared, key, origin=key.node_id, seq=1, created=CREATED)
    assert _code(info) == "undeclared_subjects"


def test_changed_body_is_bad_hash(sealed: Envelope, lookup: KeyLookup) -> None:
    raw = sealed.to_bytes().replace(b"about 40 people", b"about 41 people")
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(raw, lookup)
    assert _code(info) == "bad_hash"


def test_changed_signature_is_bad_signature(sealed: Envelope, lookup: KeyLookup) -> None:
    other = ("A" if sealed.sig[0] != "A" else "B") + sealed.sig[1:]
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(dict(_wire(sealed), sig=other), lookup)
    assert _code(info) == "bad_signature"


def test_non_canonical_base64_signature_is_refused(sealed: Envelope, lookup: KeyLookup) -> None:
    last = sealed.sig[-1]
    twin = sealed.sig[:-1] + ("B" if last == "A" else "A")  # same bytes only if low bits ignored
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(dict(_wire(sealed), sig=twin), lookup)
    assert _code(info) == "bad_signature"


def test_unknown_origin(sealed: Envelope) -> None:
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(sealed.to_bytes(), lambda origin: None)
    assert _code(info) == "unknown_origin"


def test_only_the_keys_held_for_the_origin_count(sealed: Envelope, other_key: NodeKey) -> None:
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(sealed.to_bytes(), lambda origin: other_key.public_key)
    assert _code(info) == "bad_signature"
    with pytest.raises(IntegrityFailure) as info2:
        verify_envelope(sealed.to_bytes(), lambda origin: b"short")
    assert _code(info2) == "origin_key_mismatch"
    with pytest.raises(IntegrityFailure) as info3:
        verify_envelope(sealed.to_bytes(), lambda origin: None)
    assert _code(info3) == "unknown_origin"


def test_signature_by_another_key(sealed: Envelope, other_key: NodeKey, lookup: KeyLookup) -> None:
    forged = sealed.model_copy(update={"origin": other_key.node_id})
    wire = dict(
        _wire(forged), id=hashlib.sha256(canonical_json(forged.unsigned_wire())).hexdigest()
    )
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(wire, lookup)
    assert _code(info) == "bad_signature"


def test_verified_before_body_is_parsed(force_seal: ForceSeal, lookup: KeyLookup) -> None:
    env = force_seal(body={"title": ""})
    raw = env.to_bytes()
    with pytest.raises(BadInput) as info:
        verify_envelope(raw, lookup)
    assert _code(info) == "bad_body"
    tampered = raw.replace(b'"title":""', b'"title":"x"')
    with pytest.raises(IntegrityFailure) as info2:
        verify_envelope(tampered, lookup)
    assert _code(info2) == "bad_hash"
    with pytest.raises(IntegrityFailure) as info3:
        verify_envelope(raw, lambda origin: None)
    assert _code(info3) == "unknown_origin"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "sighting"}, "unknown_kind"),
        ({"body": {"title": "t", "text": "x", "urgency": "SOON"}}, "bad_body"),
        ({"body": {"title": "t", "text": "x", "urgency": "FLASH", "extra": 1}}, "bad_body"),
        ({"kind": "reply", "body": {"text": "ok"}}, "missing_link"),
        ({"markings": Markings()}, "undeclared_subjects"),
        # a peer's item is held to the same characters as a local one: no terminal escapes
        ({"body": {"title": "t\x1b[2J", "text": "x", "urgency": "FLASH"}}, "bad_body"),
        ({"body": {"title": "t", "text": "x\x9b2J", "urgency": "FLASH"}}, "bad_body"),
        ({"body": {"title": "t", "text": "x", "urgency": "FLASH", "tags": ["a\n"]}}, "bad_body"),
    ],
)
def test_signed_but_unacceptable_content(
    force_seal: ForceSeal, lookup: KeyLookup, changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(BadInput) as info:
        verify_envelope(force_seal(**changes).to_bytes(), lookup)
    assert _code(info) == code


def test_tampered_kind_is_bad_hash(sealed: Envelope, lookup: KeyLookup) -> None:
    with pytest.raises(IntegrityFailure) as info:
        verify_envelope(dict(_wire(sealed), kind="sighting"), lookup)
    assert _code(info) == "bad_hash"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"id": "abc"', "malformed"),
        (b"[1, 2]", "malformed"),
        (b"\xff\xfe", "malformed"),
        (b'{"a": NaN}', "malformed"),
        (b'{"a": 1, "a": 2}', "malformed"),
        (b'{"id": "' + b"0" * 64 + b'"}', "bad_envelope"),
    ],
)
def test_malformed_input(raw: bytes, code: str, lookup: KeyLookup) -> None:
    with pytest.raises(BadInput) as info:
        verify_envelope(raw, lookup)
    assert _code(info) == code


def test_extra_envelope_field_is_refused(sealed: Envelope, lookup: KeyLookup) -> None:
    with pytest.raises(BadInput) as info:
        verify_envelope(dict(_wire(sealed), note="hi"), lookup)
    assert _code(info) == "bad_envelope"


def test_oversize(sealed: Envelope, lookup: KeyLookup) -> None:
    wire = _wire(sealed)
    wire["body"]["text"] = "x" * MAX_ITEM_BYTES
    for form in (json.dumps(wire).encode(), json.dumps(wire), wire):
        with pytest.raises(TooLarge) as info:
            verify_envelope(form, lookup)
        assert _code(info) == "item_too_large"


def test_too_deep(sealed: Envelope, lookup: KeyLookup) -> None:
    wire = _wire(sealed)
    wire["body"]["tags"] = json.loads("[" * 40 + "]" * 40)
    with pytest.raises(TooLarge) as info:
        verify_envelope(json.dumps(wire), lookup)
    assert _code(info) == "too_deep"


def test_very_deep_dict_input(lookup: KeyLookup) -> None:
    deep: dict[str, Any] = {}
    for _ in range(5000):
        deep = {"a": deep}
    with pytest.raises(TooLarge):
        verify_envelope(deep, lookup)


def test_too_many_keys(sealed: Envelope, lookup: KeyLookup) -> None:
    wire = _wire(sealed)
    wire["body"]["x"] = {f"k{i}": 0 for i in range(MAX_KEYS)}
    with pytest.raises(TooLarge) as info:
        verify_envelope(wire, lookup)
    assert _code(info) == "too_many_keys"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, True),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
        ("[{}]" * 100, True),
        ('["' + "[" * 100 + '"]', True),  # brackets inside strings do not nest
        ('["\\"[[[[", "\\\\", {"a": "]]]"}]', True),
        ('{"a":' * 33 + "1" + "}" * 33, False),
        ('{"k": "' + ":" * (MAX_KEYS + 5) + '"}', True),  # colons inside strings are not keys
    ],
)
def test_limit_checks_on_raw_bytes(text: str, ok: bool) -> None:
    if ok:
        check_limits(text.encode())
    else:
        with pytest.raises(TooLarge):
            check_limits(text.encode())


@pytest.mark.parametrize(
    "body",
    [
        {"title": "kind", "text": '",\\"kind\\":1,"supersedes":', "urgency": "FLASH"},
        {"title": 'x,"kind":"y"', "text": "z", "urgency": "ROUTINE", "tags": ["kind", "sig"]},
        {"title": "ünïcode ✓ kind", "text": "🚤 boat", "urgency": "PRIORITY"},
        {
            "title": "t",
            "text": "t",
            "urgency": "FLASH",
            "place": {"name": "p", "lat": 1.0, "lon": 2.5},
        },
    ],
)
def test_sealed_bytes_are_the_canonical_form(key: NodeKey, body: dict[str, Any]) -> None:
    draft = ItemDraft(kind="alert", author="m_1", body=body)
    env = seal(draft, key, origin=key.node_id, seq=7, created=datetime(2026, 1, 1, tzinfo=UTC))
    assert env.to_bytes() == canonical_json(env.to_wire())
    assert env.to_bytes() == reference_json(json.loads(env.to_bytes()))


def test_nested_look_alike_of_id_and_sig_is_refused(sealed: Envelope, lookup: KeyLookup) -> None:
    # The genuine id and signature moved into a nested object: the bytes still hash right once
    # they are cut out, but the parsed envelope has no top-level id and is refused.
    raw = sealed.to_bytes()
    id_part = b',"id":"' + sealed.id.encode() + b'"'
    sig_part = b',"sig":"' + sealed.sig.encode() + b'"'
    moved = raw.replace(id_part, b"").replace(sig_part, b"")
    moved = moved.replace(b'"tlp":"', id_part[1:] + sig_part + b',"tlp":"', 1)
    with pytest.raises(CsnetError):
        verify_envelope(moved, lookup)


def test_canonical_bytes_take_the_fast_path_without_the_strict_parser(
    sealed: Envelope, lookup: KeyLookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csnet.items import signing

    def no_parse(raw: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(signing, "parse_item", no_parse)
    signing.check_signature_only(sealed.to_bytes(), lookup)
    tampered = sealed.to_bytes().replace(b"about 40", b"about 41")
    monkeypatch.undo()
    with pytest.raises(IntegrityFailure):
        signing.check_signature_only(tampered, lookup)
