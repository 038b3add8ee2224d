"""The state machine behind `verify`: recovers each row's position and classifies damage.

See csnet.audit.verify for the rules. Memory stays bounded: a window of recent hashes plus the
suspicious rows only (in an intact chain, one unreferenced row at a time).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from csnet.audit.entries import GENESIS_HASH, Row, stored_hash
from csnet.audit.log import Head

Kind = Literal["altered", "removed", "inserted", "truncated", "reordered"]
WINDOW = 4096  # recent hashes kept for link look-ups
NEIGHBOURHOOD = 8  # renumbering shifts tried when a row does not link to a known row


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: Kind
    message: str


@dataclass(slots=True)
class _Node:
    seq: int
    pos: int  # the seq the row's hash was computed with
    hash: str


_GENESIS = _Node(seq=0, pos=0, hash=GENESIS_HASH)


def _name(node: _Node) -> str:
    return "the start of the chain" if node is _GENESIS else f"row {node.seq}"


def _span(first: int, last: int, one: str, many: str) -> str:
    return one.format(first) if first == last else many.format(f"{first}–{last}")


@dataclass
class _Run:
    first: int
    last: int
    shift: int

    def problem(self) -> Problem:
        was = _span(self.first - self.shift, self.last - self.shift, "row {}", "rows {}")
        text = _span(self.first, self.last, "row {} was", "rows {} were")
        return Problem(self.first, "reordered", f"{text} renumbered: originally {was}")


@dataclass
class Chain:
    head: Head | None
    rows: int = 0
    high: int = 0  # highest position accounted for
    problems: list[Problem] = field(default_factory=list)
    recent: OrderedDict[str, _Node] = field(default_factory=OrderedDict)
    unreferenced: dict[str, _Node] = field(default_factory=dict)  # no row links to them (yet)
    dangling: dict[str, _Node] = field(default_factory=dict)  # prev_hash → row linking to it
    missing: list[list[int]] = field(default_factory=list)  # [first, last] positions not seen
    altered: set[int] = field(default_factory=set)  # positions of altered rows
    duplicates: dict[int, int] = field(default_factory=dict)  # position → later seq claiming it
    flagged: set[int] = field(default_factory=set)  # seqs already reported as inserted
    run: _Run | None = None
    tip: _Node | None = None  # the row whose hash the head records
    at_head: _Node | None = None  # the row at the head's position
    last: _Node | None = None

    def feed(self, row: Row) -> None:
        self.rows += 1
        pos = self._recover(row)
        node = self._altered(row) if pos is None else self._intact(row, pos)
        self.recent[node.hash] = node
        if len(self.recent) > WINDOW:
            self.recent.popitem(last=False)
        if self.head is not None and node.pos == self.head.seq:
            self.at_head = node
        if self.head is not None and node.hash == self.head.hash and self.tip is None:
            self.tip = node
        if node.seq not in self.flagged and node.pos >= self.high:
            self.last = node

    def _link(self, prev_hash: str) -> _Node | None:
        return _GENESIS if prev_hash == GENESIS_HASH else self.recent.get(prev_hash)

    def _recover(self, row: Row) -> int | None:
        for pos in self._candidates(row):
            if stored_hash(row, pos) == row["hash"]:
                return pos
        return None

    def _candidates(self, row: Row) -> Iterator[int]:
        seq = row["seq"]
        yield seq
        linked = self._link(row["prev_hash"])
        tried = {seq}
        if linked is not None:
            tried.add(linked.pos + 1)
            yield linked.pos + 1
        for shift in range(1, NEIGHBOURHOOD + 1):
            for pos in (seq + shift, seq - shift):
                if pos > 0 and pos not in tried:
                    yield pos

    def _altered(self, row: Row) -> _Node:
        seq = row["seq"]
        self._close_run()
        self._add(seq, "altered", f"row {seq} was altered: stored hash does not match its contents")
        linked = self._link(row["prev_hash"])
        if linked is not None:
            self.unreferenced.pop(linked.hash, None)
        # Assume the row sits where its link says, so neighbours are judged correctly.
        pos = linked.pos + 1 if linked is not None else seq
        self.altered.add(pos)
        self._account(pos, seq)
        self.dangling.pop(row["hash"], None)
        return _Node(seq, pos, row["hash"])

    def _intact(self, row: Row, pos: int) -> _Node:
        node = _Node(row["seq"], pos, row["hash"])
        self._track_run(node)
        if self.head is not None and pos > self.head.seq:
            return self._inserted(node, f"after the end of the chain (head is row {self.head.seq})")
        linked = self._link(row["prev_hash"])
        if linked is not None and linked.pos != pos - 1:
            return self._inserted(node, f"it claims to be row {pos} but links to {_name(linked)}")
        if linked is None:
            self.dangling[row["prev_hash"]] = node
        else:
            self.unreferenced.pop(linked.hash, None)
        self._account(pos, node.seq)
        if self.dangling.pop(node.hash, None) is None:
            self.unreferenced[node.hash] = node
        return node

    def _inserted(self, node: _Node, why: str) -> _Node:
        self.flagged.add(node.seq)
        self._add(node.seq, "inserted", f"row {node.seq} was inserted: {why}")
        return node

    def _account(self, pos: int, seq: int) -> None:
        if pos > self.high + 1:
            self.missing.append([self.high + 1, pos - 1])
        if pos > self.high:
            self.high = pos
        elif not self._fill(pos):
            self.duplicates[pos] = seq

    def _fill(self, pos: int) -> bool:
        for i, (first, last) in enumerate(self.missing):
            if first <= pos <= last:
                parts = [[first, pos - 1], [pos + 1, last]]
                self.missing[i : i + 1] = [p for p in parts if p[0] <= p[1]]
                return True
        return False

    def _track_run(self, node: _Node) -> None:
        shift = node.seq - node.pos
        run = self.run
        if run is not None and run.shift == shift and run.last == node.seq - 1:
            run.last = node.seq
            return
        self._close_run()
        if shift:
            self.run = _Run(node.seq, node.seq, shift)

    def _close_run(self) -> None:
        if self.run is not None:
            self.problems.append(self.run.problem())
            self.run = None

    def _add(self, seq: int, kind: Kind, message: str) -> None:
        self.problems.append(Problem(seq, kind, message))

    def finish(self) -> list[Problem]:
        self._close_run()
        truncated_from = self._check_head()
        self._check_unreferenced(truncated_from)
        self._check_dangling()
        for first, last in self.missing:
            text = _span(first, last, "row {} was", "rows {} were")
            self._add(first, "removed", f"{text} removed: the chain skips from row {first - 1}")
        return sorted(self.problems, key=lambda p: (p.seq, p.kind))

    def _check_head(self) -> int | None:
        """Compare the end of the chain with the recorded head; returns where truncation began."""
        head = self.head
        if head is None:
            if self.rows and self.last is not None:
                self._add(
                    self.last.seq,
                    "truncated",
                    "the audit chain head is missing: removal of rows from the end of the log "
                    "cannot be ruled out",
                )
            return None
        if self.tip is not None:
            if self.tip.pos != head.seq:
                self._add(
                    head.seq,
                    "altered",
                    f"the audit chain head was altered: it names row {head.seq} "
                    f"but holds the hash of row {self.tip.seq}",
                )
            return None
        if self.high < head.seq:
            first = self.high + 1
            text = _span(first, head.seq, "row {} was", "rows {} were")
            self._add(
                first,
                "truncated",
                f"{text} removed from the end: the head records row {head.seq}, "
                f"the log ends at row {self.high}",
            )
            return first
        node = self.at_head
        if node is not None and node.pos not in self.altered:
            self._add(
                node.seq,
                "altered",
                f"row {node.seq} was altered: its hash does not match the chain head (the row "
                "was re-hashed after a change, or the head record was edited)",
            )
        return None

    def _check_unreferenced(self, truncated_from: int | None) -> None:
        expected = {node.pos - 1: node for node in self.dangling.values()}
        for node in self.unreferenced.values():
            if self._explained(node, truncated_from):
                continue
            referrer = expected.pop(node.pos, None)
            if referrer is not None:
                self._add(
                    node.seq,
                    "altered",
                    f"row {node.seq} was altered: its hash was recomputed, but row "
                    f"{referrer.seq} still links to the original",
                )
                continue
            self._inserted(node, self._unlinked_reason(node))
        # Links explained by a re-hashed row need no further report.
        self.dangling = {h: n for h, n in self.dangling.items() if n.pos - 1 in expected}

    def _explained(self, node: _Node, truncated_from: int | None) -> bool:
        """Whether nobody linking to `node` is already accounted for."""
        if node is self.tip or node.seq in self.flagged:
            return True
        after = node.pos + 1
        if self._is_missing(after) or after == truncated_from or after in self.altered:
            return True  # its successor was removed or altered; reported as such
        if self.head is None:
            return node is self.last  # without a head the last row is the presumed end
        head_ok = self.tip is not None and self.tip.pos == self.head.seq
        return not head_ok and node.pos == self.head.seq  # reported by the head check

    def _unlinked_reason(self, node: _Node) -> str:
        later = self.duplicates.get(node.pos)
        if later is not None and later != node.seq:
            return f"no row links to it, and row {later} is the original row {node.pos}"
        return "no row of the chain links to it"

    def _check_dangling(self) -> None:
        for node in self.dangling.values():
            pos = node.pos - 1
            if node.seq in self.flagged or pos in self.altered or self._is_missing(pos):
                continue
            self._inserted(node, "it links to a row that was never in the log")

    def _is_missing(self, pos: int) -> bool:
        return any(first <= pos <= last for first, last in self.missing)
