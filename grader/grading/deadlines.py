"""Due dates and the late policy, and the penalty they give one submission.

The class's due date is ``--due`` (ISO 8601 with its UTC offset; on Gradescope, its own due
date where ``--due`` is not given); a student's own comes from the roster (``--roster``): a
``due`` column (their date) or an ``extension`` column (hours added to ``--due``). A submission
made after its due date plus ``--grace`` minutes loses ``--late-per-day`` percent for each day
started after that (or ``--late-per-hour`` for each hour started), at most ``--late-cap``
percent, of its total after the overrides. A submission whose time is not known loses nothing
but is flagged (:class:`grader.results.amended.Late`): never silently on time.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from grader.core.options import non_negative_float, percent
from grader.grading.times import Stamp, parse_instant
from grader.results.amended import Late
from grader.results.roster import DUE_COLUMN, EXTENSION_COLUMN, read_roster

UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}  # a late penalty's steps
FULL_CAP = 100.0  # --late-cap's default: the penalty may take everything
NO_TIME = "no submission time known"


class DeadlineError(ValueError):
    """Deadline options or a roster that cannot be used as they are; one line, for the user."""


def instant(text: str) -> datetime:
    """``--due``'s type: :func:`grader.grading.times.parse_instant`, its error argparse's."""
    try:
        return parse_instant(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


@dataclass(frozen=True)
class LatePolicy:
    """The class's due date and what lateness costs: ``rate`` percent per started ``unit``
    (a key of :data:`UNITS`) after the due date plus ``grace``, at most ``cap`` percent."""

    due: datetime
    rate: float = 0.0
    unit: str = "day"
    cap: float = FULL_CAP
    grace: timedelta = timedelta(0)

    def percent(self, late_by: timedelta) -> float:
        """The penalty, in percent, of a submission ``late_by`` after its due date."""
        past = late_by - self.grace
        if past <= timedelta(0):
            return 0.0
        return min(self.cap, math.ceil(past / UNITS[self.unit]) * self.rate)

    def late(self, due: datetime, stamp: Stamp | None, total: float) -> Late:
        """What ``stamp`` (None: no time known) costs a submission due at ``due`` whose total
        after the overrides is ``total``."""
        if stamp is None or stamp.when is None:
            flag = NO_TIME
            if stamp is not None and stamp.marked_late:
                flag = f"marked late ({stamp.source}), {NO_TIME}"
            source = "" if stamp is None else stamp.source
            return Late(due.isoformat(), "", source, True, 0.0, 0.0, 0.0, flag)
        late_by = stamp.when - due
        hours = round(max(late_by / timedelta(hours=1), 0.0), 2) + 0.0
        rate = self.percent(late_by)
        flag = "" if stamp.trusted else f"untrusted time ({stamp.source}: the student sets it)"
        return Late(due.isoformat(), stamp.when.isoformat(), stamp.source, stamp.trusted, hours,
                    rate, round(total * rate / 100, 2) + 0.0, flag)  # fmt: skip


def add_deadline_options(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """``--due``, ``--late-per-day`` or ``--late-per-hour``, ``--late-cap``, ``--grace``: in a
    group of the help of their own, which is returned (``grade`` adds its times options)."""
    group = parser.add_argument_group("deadlines (docs/GRADER.md, 'Deadlines and overrides')")
    group.add_argument(
        "--due", type=instant, metavar="DATETIME",
        help="the due date, ISO 8601 with its UTC offset (2025-03-01T23:59+01:00, or ...Z); "
        "each student's submission time is shown against it",
    )  # fmt: skip
    rate = group.add_mutually_exclusive_group()
    for unit in UNITS:
        rate.add_argument(
            f"--late-per-{unit}", type=percent, metavar="PERCENT",
            help=f"the penalty for each {unit} started after the due date (and --grace), in "
            "percent of the total after overrides (default: none)",
        )  # fmt: skip
    group.add_argument("--late-cap", type=percent, default=FULL_CAP, metavar="PERCENT",
                       help="the largest late penalty, in percent")  # fmt: skip
    group.add_argument("--grace", type=non_negative_float, default=0.0, metavar="MINUTES",
                       help="minutes after the due date that cost nothing")  # fmt: skip
    return group


def policy_from(args: argparse.Namespace, due: datetime | None = None) -> LatePolicy | None:
    """The late policy the options ask for (None: no due date, so no deadline at all); ``due``
    stands in for an absent ``--due`` (Gradescope's own due date)."""
    due = args.due or due
    unit = next((unit for unit in UNITS if getattr(args, f"late_per_{unit}") is not None), "day")
    rate = getattr(args, f"late_per_{unit}") or 0.0
    if due is None:
        given = [option for option, changed in (
            (f"--late-per-{unit}", rate > 0), ("--late-cap", args.late_cap != FULL_CAP),
            ("--grace", args.grace > 0)) if changed]  # fmt: skip
        if given:
            raise DeadlineError(f"{given[0]} needs a due date: give --due DATETIME")
        return None
    return LatePolicy(due, rate, unit, args.late_cap, timedelta(minutes=args.grace))


def roster_dues(
    path: Path, due: datetime, ids: Collection[str], notes: list[str]
) -> dict[str, datetime]:
    """Each student's own due date from the roster ``path`` (its ``due`` or ``extension``
    column), by submission id; a roster line for a submission not in ``ids`` is noted."""
    roster = read_roster(path)
    if DUE_COLUMN not in roster.columns and EXTENSION_COLUMN not in roster.columns:
        raise DeadlineError(f"roster {path} has neither a '{DUE_COLUMN}' nor an "
                            f"'{EXTENSION_COLUMN}' column, which --roster is for")  # fmt: skip
    dues: dict[str, datetime] = {}
    for student in roster.students:
        own, extension = student.get(DUE_COLUMN), student.get(EXTENSION_COLUMN)
        where = f"roster {path} line {student.line}"
        if own and extension:
            raise DeadlineError(f"{where}: both a {DUE_COLUMN} and an {EXTENSION_COLUMN}; "
                                "give one")  # fmt: skip
        if not (own or extension):
            continue
        column = DUE_COLUMN if own else EXTENSION_COLUMN
        try:
            when = parse_instant(own) if own else due + _hours(extension)
        except ValueError as problem:
            raise DeadlineError(f"{where}: {column} {problem}") from None
        if student.submission in ids:
            dues[student.submission] = when
        else:
            notes.append(f"{where}: no submission {student.submission!r} here; its {column} "
                         "is not used")  # fmt: skip
    return dues


def _hours(text: str) -> timedelta:
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not 0 <= hours < math.inf:
        raise ValueError(f"{text!r} is not a number of hours (e.g. 48)")
    return timedelta(hours=hours)
