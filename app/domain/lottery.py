"""The lottery (抽選) draw: seeded, reproducible, auditable (pure: no Flask, no database).

The seed is a random 64-hex-digit string chosen when the event becomes a
lottery, before its applications close; its SHA-256 is published at once (the
commitment). The draw orders the applicants of one 参加枠 by

    (priority group, HMAC-SHA256(key=seed, message=str(registration id)) as hex, id)

so anyone with the seed, the applicants' ids and their groups can re-run it
with nothing but ``hashlib``/``hmac`` (see ``SNIPPET``). Python's ``random`` is
never used: its algorithm may change between versions, this does not.

Winners fill the free seats in drawn order; with one per organisation, an
applicant whose organisation already has a winner is skipped (``lost``). The
others are ``lost`` or waitlisted in drawn order, as the organizer chose.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: The algorithm's version, recorded with each draw (change it whenever the order could change).
ALGORITHM = "tsudoi-lottery-1: sort by (group, HMAC-SHA256(seed, str(id)).hexdigest(), id)"

#: What the applicants who are not drawn become.
LOSERS_LOST = "lost"
LOSERS_WAITLIST = "waitlist"
LOSERS_CHOICES = (LOSERS_LOST, LOSERS_WAITLIST)

#: Confirm-within-N-days bounds (None: no confirmation asked).
MAX_CONFIRM_DAYS = 60

#: The 6 prefectures of Tohoku (JIS X 0401), the usual priority group.
TOHOKU = ("02", "03", "04", "05", "06", "07")

SNIPPET = '''import hashlib, hmac

def draw(seed, applicants):
    """applicants: [(registration id, priority group), ...]; returns the ids in drawn order."""
    def key(a):
        rid, group = a
        mac = hmac.new(seed.encode(), str(rid).encode(), hashlib.sha256).hexdigest()
        return (group, mac, rid)
    return [rid for rid, group in sorted(applicants, key=key)]

seed = "..."          # published after the draw
print(hashlib.sha256(seed.encode()).hexdigest())   # must equal the hash published before it
print(draw(seed, [(101, 0), (102, 1), (103, 0)]))  # the applicants as published
'''


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes as hex."""
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    """The commitment published before the draw: SHA-256 of the seed (hex)."""
    return hashlib.sha256(seed.encode()).hexdigest()


def ticket(seed: str, registration_id: int) -> str:
    """One applicant's lottery number: HMAC-SHA256(seed, str(id)) as hex."""
    return hmac.new(seed.encode(), str(registration_id).encode(), hashlib.sha256).hexdigest()


def priority_group(prefecture: str | None, priority_prefectures: Sequence[str]) -> int:
    """0 for the first group (or when there are no groups), 1 for the others."""
    if not priority_prefectures:
        return 0
    return 0 if prefecture in priority_prefectures else 1


def draw_order(seed: str, applicants: Iterable[tuple[int, int]]) -> list[int]:
    """The applicants' ids in drawn order: by group, then by lottery number (then id: never needed)."""
    return [rid for rid, group in sorted(((int(r), int(g)) for r, g in applicants),
                                         key=lambda a: (a[1], ticket(seed, a[0]), a[0]))]


@dataclass(frozen=True)
class Outcome:
    """What a draw decided, each list in drawn order."""

    order: list[int]
    winners: list[int]
    waitlisted: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    same_organization: list[int] = field(default_factory=list)  # lost: their organisation already won


def decide(order: Sequence[int], *, seats: int | None, losers: str,
           organization_keys: Mapping[int, str | None] | None = None,
           taken_organizations: Iterable[str] = ()) -> Outcome:
    """Winners fill `seats` (None: no limit) in drawn order; the rest are lost or waitlisted.

    With `organization_keys` (one per organisation on), an applicant whose
    organisation already has a winner (or a confirmed registrant in
    `taken_organizations`) is skipped and lost.
    """
    winners: list[int] = []
    rest: list[int] = []
    excluded: list[int] = []
    taken = set(taken_organizations)
    for rid in order:
        key = organization_keys.get(rid) if organization_keys is not None else None
        if key and key in taken:
            excluded.append(rid)
            continue
        if seats is None or len(winners) < seats:
            winners.append(rid)
            if key:
                taken.add(key)
        else:
            rest.append(rid)
    if losers == LOSERS_WAITLIST:
        return Outcome(list(order), winners, waitlisted=rest, lost=list(excluded), same_organization=excluded)
    return Outcome(list(order), winners, lost=[r for r in order if r in set(rest) | set(excluded)],
                   same_organization=excluded)


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: list[str]
    order: list[int]


def verify(*, seed: str, committed_hash: str, applicants: Iterable[tuple[int, int]], order: Sequence[int],
           winners: Sequence[int] = ()) -> Verification:
    """Re-run a recorded draw: the seed matches its commitment and gives the recorded order."""
    problems = []
    if seed_hash(seed) != committed_hash:
        problems.append("the seed does not match the hash published before the draw")
    again = draw_order(seed, applicants)
    if again != list(order):
        problems.append("re-running the draw gives another order than the one recorded")
    position = {rid: i for i, rid in enumerate(order)}
    if any(w not in position for w in winners):
        problems.append("a winner is not among the applicants")
    elif [position[w] for w in winners] != sorted(position[w] for w in winners):
        problems.append("the winners are not in drawn order")
    return Verification(not problems, problems, again)


def preview(*, applicants: int, seats: int | None, losers: str) -> dict:
    """The numbers a draw will give (before one-per-organisation skips, which only add losers)."""
    winners = applicants if seats is None else min(applicants, max(seats, 0))
    others = applicants - winners
    return {"applicants": applicants, "seats": seats, "winners": winners,
            "waitlisted": others if losers == LOSERS_WAITLIST else 0,
            "lost": 0 if losers == LOSERS_WAITLIST else others}
