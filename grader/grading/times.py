"""When each submission came in, taken from what the instructor really has (docs/GRADER.md,
"Deadlines and overrides", cites each format):

- Gradescope's ``submission_metadata.json`` (``autograde``): ``created_at``, and the due date,
  the student's own (``users[].assignment.due_date``, an extension included) else the
  assignment's (``assignment.due_date``);
- a times file (``grade --times``): Moodle's grading worksheet (its "Last modified
  (submission)" column, in the downloading user's time zone: ``--times-zone``), or a plain CSV
  ``submission,submitted`` (ISO 8601 times with their UTC offset) for any other LMS;
- Canvas's bulk-download names, which mark a late submission ``_LATE_`` but carry no time;
- a Git repository's last commit time, which the student sets: marked untrusted.

A bad times file stops the run before anything is graded with one line naming the file, the
line and the problem (:class:`TimesError`). Nothing here runs student code; ``git`` reads the
repository with every configured command turned off.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grader.core.files import UnreadableFile, read_utf8
from grader.results.roster import SUBMISSION_COLUMN

SUBMITTED_COLUMN = "submitted"  # the plain times file: beside the submission id, its time
MOODLE_TIME_COLUMN = "Last modified (submission)"  # Moodle's grading worksheet
MOODLE_ID_COLUMN = "Identifier"  # "Participant 123456" (mod/assign's recordid)
MOODLE_TIME_FORMAT = "%A, %d %B %Y, %I:%M %p"  # English "strftimedaydatetime", Moodle's userdate
MOODLE_NO_TIME = "-"
# Moodle's "Download all submissions" names a student's folder "Full Name_<participant>_
# assignsubmission_file" (mod/assign/classes/downloader.php; older versions end it with "_").
MOODLE_FOLDER = re.compile(r"_(\d+)_assign(?:submission|feedback)_")
# Canvas's bulk download names each file "<name>_LATE_<user id>_<attachment id>_<file>" when late
# (lib/content_zipper.rb, get_filename), "<name>_<user id>_..." when not.
CANVAS_LATE = re.compile(r"(?:^|_)LATE_(?:\d+|anon_[A-Za-z0-9]+)_\d+_")
GRADESCOPE_METADATA = Path("/autograder/submission_metadata.json")
GIT_SECONDS = 30  # a repository's commit time is read in at most this long

GRADESCOPE_SOURCE = "Gradescope submission_metadata.json"
MOODLE_SOURCE = "Moodle grading worksheet"
CANVAS_SOURCE = "Canvas download name"
GIT_SOURCE = "last Git commit"


class TimesError(ValueError):
    """A times file or metadata that cannot be used as it is; the message is one line."""


@dataclass(frozen=True)
class Stamp:
    """When one submission came in (``when`` None: the source knows it was late, not when),
    where that was read, and whether the student could have set it."""

    when: datetime | None
    source: str
    trusted: bool = True
    marked_late: bool = False


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time with its UTC offset (``2025-03-01T23:59+01:00``, ``...Z``); a
    ValueError saying what is wrong otherwise (a time without an offset is ambiguous)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time (e.g. 2025-03-01T23:59+01:00)"
        ) from None
    if when.utcoffset() is None:
        plain = text.strip() if when.time() != time(0) or ":" in text else f"{text.strip()}T23:59"
        raise ValueError(f"{text!r} has no UTC offset: add one, e.g. {plain}+01:00 or {plain}Z")
    return when


def read_times(path: Path, ids: Collection[str], zone: str | None = None) -> dict[str, Stamp]:
    """The times in the file ``path`` by submission id (``ids``: the class's): a plain file
    (``submission,submitted``) or Moodle's grading worksheet, told apart by their header."""
    text = _read_text(path, "times")
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [cell.strip() for cell in next(rows, [])]
        if MOODLE_TIME_COLUMN in header:
            return _moodle_times(rows, header, path, ids, _zone(zone, path))
        if {SUBMISSION_COLUMN, SUBMITTED_COLUMN} <= set(header):
            return _plain_times(rows, header, path, ids)
    except csv.Error as problem:
        raise TimesError(f"times {path} line {rows.line_num} is not valid CSV: {problem}") from None
    raise TimesError(
        f"times {path} has neither the columns '{SUBMISSION_COLUMN}' and '{SUBMITTED_COLUMN}' "
        f"nor Moodle's '{MOODLE_TIME_COLUMN}' (its columns: {', '.join(map(repr, header))})"
    )


def _plain_times(
    rows: Any, header: list[str], path: Path, ids: Collection[str]
) -> dict[str, Stamp]:
    found: dict[str, tuple[Stamp, int]] = {}
    for cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        cell = dict(zip(header, (c.strip() for c in cells), strict=False))
        student, line = cell.get(SUBMISSION_COLUMN, ""), rows.line_num
        if student not in ids:
            raise TimesError(f"times {path} line {line}: unknown submission {student!r}")
        if student in found:
            raise TimesError(f"times {path} lines {found[student][1]} and {line} both give "
                             f"a time for {student!r}")  # fmt: skip
        try:
            when = parse_instant(cell.get(SUBMITTED_COLUMN, ""))
        except ValueError as problem:
            raise TimesError(f"times {path} line {line}: {SUBMITTED_COLUMN} {problem}") from None
        found[student] = (Stamp(when, f"times file {path.name}"), line)
    return {student: stamp for student, (stamp, _) in found.items()}


def _moodle_times(
    rows: Any, header: list[str], path: Path, ids: Collection[str], zone: ZoneInfo
) -> dict[str, Stamp]:
    """Moodle's worksheet: each row matched to a submission by a ``submission`` column the
    instructor added, else by its participant number in Moodle's download folder names; a row
    with no submission ("-") or no folder here is left out (the worksheet lists everyone)."""
    by_participant = {m.group(1): s for s in ids if (m := MOODLE_FOLDER.search(s))}
    found: dict[str, Stamp] = {}
    for cells in rows:
        cell = dict(zip(header, (c.strip() for c in cells), strict=False))
        text, line = cell.get(MOODLE_TIME_COLUMN, ""), rows.line_num
        if text in ("", MOODLE_NO_TIME):
            continue
        if SUBMISSION_COLUMN in header:
            student = cell.get(SUBMISSION_COLUMN, "")
            if student and student not in ids:
                raise TimesError(f"times {path} line {line}: unknown submission {student!r}")
        else:
            participant = re.search(r"(\d+)$", cell.get(MOODLE_ID_COLUMN, ""))
            student = by_participant.get(participant.group(1), "") if participant else ""
        if not student:
            continue
        try:
            local = datetime.strptime(text, MOODLE_TIME_FORMAT)
        except ValueError:
            raise TimesError(
                f"times {path} line {line}: {MOODLE_TIME_COLUMN} {text!r} is not Moodle's "
                "English date (e.g. 'Thursday, 6 November 2014, 5:57 PM'): download the "
                "worksheet with Moodle's language set to English"
            ) from None
        if student in found:
            raise TimesError(f"times {path} line {line}: a second time for {student!r}")
        found[student] = Stamp(local.replace(tzinfo=zone), MOODLE_SOURCE)
    return found


def _zone(zone: str | None, path: Path) -> ZoneInfo:
    if zone is None:
        raise TimesError(
            f"times {path} is Moodle's grading worksheet, whose times have no UTC offset (they "
            "are in your Moodle profile's time zone): pass it, e.g. --times-zone Europe/Berlin"
        )
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimesError(f"--times-zone {zone!r} is not a time zone (e.g. Europe/Berlin)") from None


def _read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``, or a TimesError."""
    try:
        return read_utf8(path, what)
    except UnreadableFile as problem:
        raise TimesError(str(problem)) from None


def gradescope_metadata(path: Path) -> tuple[Stamp, datetime | None]:
    """The submission's time and its due date (the student's own where ``users`` gives one,
    the latest of a group's; else the assignment's; None when neither is set) from Gradescope's
    ``submission_metadata.json``."""
    try:
        data = json.loads(_read_text(path, "Gradescope metadata"))
        when = parse_instant(data["created_at"])
        dues = [user["assignment"]["due_date"] for user in data.get("users") or []
                if isinstance(user.get("assignment"), Mapping)
                and user["assignment"].get("due_date")]  # fmt: skip
        if not dues and (data.get("assignment") or {}).get("due_date"):
            dues = [data["assignment"]["due_date"]]
        due = max(map(parse_instant, dues)) if dues else None
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as problem:
        raise TimesError(f"Gradescope metadata {path} cannot be read: {problem}") from None
    return Stamp(when, GRADESCOPE_SOURCE), due


def canvas_stamp(name: str) -> Stamp | None:
    """A Canvas bulk-download entry ``name`` marked late: late, no time (None: not marked)."""
    return Stamp(None, CANVAS_SOURCE, marked_late=True) if CANVAS_LATE.search(name) else None


def git_stamp(folder: Path) -> Stamp | None:
    """The time of the last commit of the repository ``folder`` (its ``.git`` a real folder),
    untrusted; None without git or a readable commit. The student's repository configuration
    is data here: no system or global configuration, no signature checks, no pager, no
    fsmonitor, no hooks, and no walking up to a repository around it."""
    git, dot_git = shutil.which("git"), folder / ".git"
    if git is None or dot_git.is_symlink() or not dot_git.is_dir():
        return None
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_DIR": str(dot_git),
        "GIT_CEILING_DIRECTORIES": str(folder.parent),
    }
    command = [git, "--no-pager", "-c", "core.fsmonitor=false",
               "-c", f"core.hooksPath={os.devnull}",
               "log", "-1", "--no-show-signature", "--format=%cI"]  # fmt: skip
    try:
        done = subprocess.run(command, env=environment, cwd=folder, capture_output=True,
                              text=True, timeout=GIT_SECONDS, check=True)  # fmt: skip
        return Stamp(parse_instant(done.stdout.strip()), GIT_SOURCE, trusted=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
