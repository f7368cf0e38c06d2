"""``python -m grader merge OUT1 OUT2 ... --out OUT``: join the outputs of ``grade --shard``.

Each input is the ``--out`` folder of one ``grade`` run (usually one shard,
:mod:`grader.grading.shards`). Before anything is written, the merge refuses (exit 2, one
line naming the folder):

* an input without its ``run.json`` (:mod:`grader.grading.runrecord`);
* inputs graded with different setups (:mod:`grader.grading.fingerprint`: other tests,
  hidden tests, settings, grader or library versions), naming what differs;
* inputs graded from different classes (other submission ids);
* an unfinished input: a student it set out to grade has no result of its setup (a shard
  that was killed: run its ``grade`` command again, it resumes);
* students of the class that no input graded (a missing shard);
* a student graded in two inputs with different results (test outcomes, points, messages;
  the time a test took may differ).

Then ``OUT`` gets each student's folder, the class files of a whole run (gradebook, summary,
plot: :func:`grader.results.formats.write_class_files`) and a ``run.json`` as if the class
had been graded whole, so a later ``grade ... --out OUT`` reuses every unchanged result.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from grader.core.exits import OK, error
from grader.grading.fingerprint import differences
from grader.grading.regrade import stored_result
from grader.grading.runrecord import RunRecord, load_record, save_record
from grader.results.formats import write_class_files
from grader.results.model import SubmissionResult
from grader.results.table import render_table


class MergeError(Exception):
    """Why the inputs cannot be merged: one line for the instructor."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", type=Path, nargs="+", metavar="OUTPUT",
                        help="the --out folders of the shards' grade runs")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, help="where the merged class goes")


def run(args: argparse.Namespace) -> int:
    try:
        record, results, sources = merge(args.outputs)
        if args.out.exists() and not args.out.is_dir():
            raise MergeError(f"--out {args.out} exists and is not a directory")
    except MergeError as problem:
        return error(f"merge: {problem}")
    write_merged(args.out, record, results, sources)
    print(render_table(results))
    print(f"merged {len(results)} students from {len(args.outputs)} outputs; "
          f"gradebook: {args.out / 'gradebook.csv'}")  # fmt: skip
    return OK


def merge(outputs: list[Path]) -> tuple[RunRecord, list[SubmissionResult], list[Path]]:
    """The record of the whole class, its results by student id, and the folder each came from;
    :class:`MergeError` when the ``outputs`` do not make one class graded one way."""
    records = [_record(output) for output in outputs]
    first, first_output = records[0], outputs[0]
    for record, output in zip(records, outputs, strict=True):
        if record.fingerprint != first.fingerprint:
            what = "; ".join(differences(first.setup, record.setup)) or "the setup"
            raise MergeError(f"{output} was graded differently from {first_output} ({what}): "
                             "grade every shard with the same command and grader")  # fmt: skip
        if record.everyone != first.everyone:
            raise MergeError(f"{output} graded another class than {first_output} (other "
                             "ids): grade every shard from the same SUBMISSIONS")  # fmt: skip
    found: dict[str, tuple[SubmissionResult, Path]] = {}
    for record, output in zip(records, outputs, strict=True):
        for student in record.students:
            result = stored_result(output, student)
            if result is None or result.graded_with != record.fingerprint:
                raise MergeError(f"{output} is unfinished: {student} has no result of its run: "
                                 "run its grade command again (it resumes)")  # fmt: skip
            if student in found and _comparable(found[student][0]) != _comparable(result):
                raise MergeError(f"{student} has different results in {found[student][1]} and "
                                 f"{output}: grade them again, or merge only one")  # fmt: skip
            found.setdefault(student, (result, output))
    missing = [student for student in first.everyone if student not in found]
    if missing:
        named = 5  # enough to tell which shard is missing
        shown = ", ".join(missing[:named]) + (" ..." if len(missing) > named else "")
        many = f"{len(missing)} students of the class are" if len(missing) > 1 else "a student is"
        raise MergeError(f"{many} in no output ({shown}): is a shard missing?")
    students = tuple(sorted(found))
    record = RunRecord(first.setup, first.fingerprint, "", first.everyone, students)
    return record, [found[s][0] for s in students], [found[s][1] for s in students]


def _record(output: Path) -> RunRecord:
    if not output.is_dir():
        raise MergeError(f"{output} is not a directory")
    try:
        return load_record(output)
    except ValueError as problem:
        raise MergeError(str(problem)) from None


def _comparable(result: SubmissionResult) -> dict[str, Any]:
    """A result without what may differ between two gradings of the same work: durations and
    timings."""
    data = result.to_json()
    for exercise in data["exercises"]:
        exercise["timings"] = []
        for test in exercise["tests"]:
            test["duration"] = 0.0
    return data


def write_merged(
    out: Path, record: RunRecord, results: list[SubmissionResult], sources: list[Path]
) -> None:
    """Each student's folder copied from its source, the class files, the whole run's record."""
    out.mkdir(parents=True, exist_ok=True)
    for result, source in zip(results, sources, strict=True):
        if source.resolve() != out.resolve():
            shutil.copytree(source / result.student, out / result.student, dirs_exist_ok=True)
    write_class_files(results, out)
    save_record(record, out)
