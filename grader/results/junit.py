"""JUnit XML for one student, for CI tools: one test case per test, made well-formed whatever
the student's messages hold.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

from grader.core.files import atomic_write_text
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.text import (
    clip,
    escape_char,
    one_line,
    printable,
)
from grader.results.explain import status_label
from grader.results.model import SubmissionResult, format_points
from grader.results.order import sorted_exercises

JUNIT_LINES = 200
JUNIT_CHARS = 20000
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold written as an escape."""
    return _XML_BAD.sub(escape_char, printable(text))


def _seconds_attr(value: float) -> str:
    return f"{value:.3f}"


def write_junit(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """JUnit XML: one <testsuite> per exercise, one <testcase> per test; failed and error tests
    get <failure message=... type="failed|error">, not attempted ones <skipped message="not
    attempted">. An exercise that timed out, crashed or was invalid gets one more failing test
    case saying so; a submission that could not be graded, one failing suite."""
    atomic_write_text(path, junit_xml(result))


def junit_xml(result: SubmissionResult) -> str:
    root = ET.Element("testsuites", name=_xml(result.student))
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    suites: list[tuple[str, list[tuple[str, float, str | None, str, str]], dict[str, str]]] = []
    if result.status == "error":
        cases = [("submission", 0.0, "failure", result.message, Outcome.ERROR)]
        suites.append(("submission", cases, {"status": "error"}))
    for exercise in sorted_exercises(result):
        cases = []
        for test in exercise.tests:
            if test.outcome in (Outcome.FAILED, Outcome.ERROR):
                kind = "failure"
            elif test.outcome in (Outcome.NOT_ATTEMPTED, Outcome.SKIPPED):
                kind = "skipped"
            else:
                kind = None
            cases.append((test.name, test.duration, kind, test.message, test.outcome))
        if exercise.status.abnormal:
            reason = exercise.message or status_label(exercise.status)
            name = f"{exercise.name} ({exercise.status})"
            cases.append((name, 0.0, "failure", reason, Outcome.ERROR))
        elif exercise.status == ExerciseState.NOT_ATTEMPTED and not exercise.tests:
            untouched = Outcome.NOT_ATTEMPTED
            cases.append((exercise.name, 0.0, "skipped", untouched, untouched))
        properties = {
            "title": exercise.title,
            "status": exercise.status,
            "points": format_points(exercise.points),
            "max_points": format_points(exercise.max_points),
        }
        suites.append((exercise.name, cases, properties))
    for name, cases, properties in suites:
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c[2] == "failure" and c[4] != Outcome.ERROR),
            "errors": sum(1 for c in cases if c[2] == "failure" and c[4] == Outcome.ERROR),
            "skipped": sum(1 for c in cases if c[2] == "skipped"),
        }
        time = sum(c[1] for c in cases)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_xml(name),
            **{key: str(value) for key, value in counts.items()},
            time=_seconds_attr(time),
        )
        props = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", name=key, value=_xml(value))
        for case_name, duration, kind, message, outcome in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml(name),
                name=_xml(case_name),
                time=_seconds_attr(duration),
            )
            if kind == "failure":
                first = next((line for line in message.splitlines() if line.strip()), outcome)
                failure = ET.SubElement(
                    case, "failure", message=_xml(one_line(first, 300)), type=outcome
                )
                failure.text = _xml(clip(message, JUNIT_LINES, JUNIT_CHARS))
            elif kind == "skipped":
                skipped = ET.SubElement(case, "skipped", message=outcome)  # skipped, not attempted
                if message.strip() and outcome == Outcome.SKIPPED:
                    skipped.text = _xml(clip(message, JUNIT_LINES, JUNIT_CHARS))
        for key, value in counts.items():
            totals[key] += value
        total_time += time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _seconds_attr(total_time))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
