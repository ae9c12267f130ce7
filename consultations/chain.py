"""The access log's hash chain: what each row's hash covers, defined once here and spelled again in SQL by the
trigger of migration 0014_access_log_chain (`consultations_accesslog_canonical`); `verify_access_log` recomputes
it here.

Chains. A row joins chain "YYYY-MM-DD/k": its `at` day in UTC, and k = the inserting PostgreSQL backend's pid
modulo CHAINS_PER_DAY. An appender locks only its own chain's tail (pg_advisory_xact_lock), so sessions on other
chains insert at the same time; one transaction always appends to one chain a day, so two can never deadlock.
Within a chain, `seq` counts from 1 without gaps.

Canonical content of a row: CANONICAL_PREFIX, then for each of FIELDS in that order a line feed and either "-"
(NULL) or the value's length in characters, ":" and the value as text. Integers are in decimal, `at` is UTC as
YYYY-MM-DDTHH:MM:SS.ffffffZ, the address as PostgreSQL prints an inet (no /32 or /128), the rest as stored. The
length prefix keeps the join unambiguous whatever a value holds (line feeds, colons, dashes).

row_hash = lowercase hex SHA-256 of the UTF-8 bytes of prev_hash + "\\n" + canonical content, where prev_hash is
the row_hash of the previous row of the same chain, or GENESIS for its first row.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

CHAINS_PER_DAY = 4
CANONICAL_PREFIX = "accesslog/v1"
GENESIS = "0" * 64
FIELDS = (
    "id",
    "chain",
    "seq",
    "at",
    "user_id",
    "username",
    "role",
    "patient_id",
    "consultation_id",
    "action",
    "what",
    "ip",
)


class Link(Protocol):
    """One access-log row as read for checking: the FIELDS and the two hashes."""

    id: int
    chain: str
    seq: int
    at: datetime
    prev_hash: str
    row_hash: str


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def canonical(row: Link) -> str:
    """The row's content as its hash covers it (see the module's docstring)."""
    parts = [CANONICAL_PREFIX]
    for name in FIELDS:
        value = getattr(row, name)
        if value is None:
            parts.append("-")
        else:
            text = _text(value)
            parts.append(f"{len(text)}:{text}")
    return "\n".join(parts)


def link_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first link that does not hold: which row, and what differs."""

    row_id: int
    at: datetime
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return (
            f"Broken link at access-log row {self.row_id} ({self.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, "
            f"chain {self.chain}, link {self.seq}): {self.problem}"
        )


@dataclass(frozen=True)
class Walk:
    rows: int
    chains: int
    broken: Break | None


def walk(rows: Iterable[Link]) -> Walk:
    """Check rows given in (chain, seq) order, stopping at the first break."""
    count = chains = 0
    chain, seq, prev_hash = None, 0, GENESIS
    for row in rows:
        if row.chain != chain:
            chain, seq, prev_hash = row.chain, 0, GENESIS
            chains += 1
        problem = _problem(row, seq + 1, prev_hash)
        if problem:
            return Walk(count, chains, Break(row.id, row.at, row.chain, row.seq, problem))
        count += 1
        seq, prev_hash = row.seq, row.row_hash
    return Walk(count, chains, None)


def _problem(row: Link, seq: int, prev_hash: str) -> str:
    if row.seq != seq:
        return f"expected link {seq}, found link {row.seq}: rows are missing or were renumbered"
    if row.prev_hash != prev_hash:
        return (
            f"it names {row.prev_hash[:16]}… as the previous row's hash, but that row's is {prev_hash[:16]}…: "
            "a row before it was changed, removed or inserted"
        )
    computed = link_hash(prev_hash, canonical(row))
    if row.row_hash != computed:
        return (
            f"its content hashes to {computed[:16]}…, not the stored {row.row_hash[:16]}…: "
            "the row was changed after it was written"
        )
    return ""
