"""`python -m grader grade` on a small class built here: isolation, bad input, cheating, resume.

Each submission is graded for real (forked pytest sessions, student code in the sandbox), so
this module is slow; it runs in CI.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
import zipfile

import pytest
from conftest import grade, gradebook, grader_command, reference, submission

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT, SOLUTIONS_DIR
from grader.results.model import format_points
from grader.results.stored import load_submission

pytestmark = pytest.mark.slow
K_FOLD = reference("model_selection")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    submission(submissions, "kfold", model_selection=K_FOLD)
    submission(submissions, "stubs")
    signature = "\n\ndef k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
    submission(
        submissions, "hangs", model_selection=K_FOLD + signature + "    while True:\n        pass\n"
    )
    submission(submissions, "exits", model_selection=K_FOLD + "\n\nimport os\nos._exit(3)\n")
    submission(
        submissions,
        "skips",
        model_selection="import pytest" + signature + "    pytest.skip('no')\n",
    )
    submission(submissions, "cheats", model_selection=(
        "import numpy as np\nimport builtins\n\n"
        "class Anything(np.ndarray):\n"
        "    def __eq__(self, other):\n        return np.ones(1, dtype=bool)\n\n"
        "def k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
        "    open('/tmp/cheat-results.json', 'w').write('{}')\n"
        "    return [(np.zeros(1).view(Anything), np.zeros(1).view(Anything))] * k\n"
    ))  # fmt: skip
    xfail = "    pytest.xfail('no')\n"
    submission(submissions, "xfails", model_selection="import pytest" + signature + xfail)
    constant = "    return [(np.arange(1), np.arange(1))] * k\n"
    submission(submissions, "constant", model_selection="import numpy as np" + signature + constant)
    submission(submissions, "patches", model_selection=(  # every assertion helper it can reach
        "import sys\nimport numpy as np\nimport pytest\nimport torch\n\n"
        "def nothing(*args, **kwargs):\n    return None\n\n"
        "for module in list(sys.modules.values()):\n"
        "    for name in ('fail', 'assert_statistic', 'assert_tensor_close', 'assert_close',\n"
        "                 'assert_array_equal', 'assert_equal'):\n"
        "        if hasattr(module, name):\n"
        "            try:\n                setattr(module, name, nothing)\n"
        "            except Exception:\n                pass\n"
        "torch.testing.assert_close = np.testing.assert_array_equal = pytest.fail = nothing\n"
        "torch.equal = lambda *args: True\nnp.array_equal = lambda *args, **kwargs: True\n"
        + signature + constant
    ))  # fmt: skip
    submission(submissions, "edits", model_selection=(  # rewrites the tests it can find on disk
        "import glob\nimport os\n\nimport numpy as np\n\n"
        "for pattern in ('/tmp/grade-*/tests/test_*.py', '/tmp/*/tests/test_model_selection.py',\n"
        "                os.path.join(os.getcwd(), '*', 'test_*.py')):\n"
        "    for path in glob.glob(pattern):\n"
        "        try:\n"
        "            with open(path, 'w') as handle:\n"
        "                handle.write('def test_everything():\\n    pass\\n')\n"
        "        except OSError:\n            pass\n"
        + signature + constant
    ))  # fmt: skip
    submission(submissions, "forbidden", model_selection=(
        "import numpy as np\nfrom sklearn.model_selection import KFold\n" + signature
        + "    order = np.random.default_rng(seed).permutation(n_samples) if shuffle "
        "else np.arange(n_samples)\n"
        "    return [(order[t], order[v]) for t, v in KFold(k).split(order)]\n"
    ))  # fmt: skip
    submission(submissions, "broken", model_selection="def k_fold_split(n_samples, k:\n")
    (submissions / "empty").mkdir()
    with zipfile.ZipFile(submissions / "zipped.zip", "w") as archive:
        archive.writestr("zipped/exercises/model_selection.py", K_FOLD)
        archive.writestr("zipped/conftest.py", "raise SystemExit('conftest must never run')\n")
        archive.writestr("../escape.py", "x = 1\n")
    (submissions / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    out = root / "out"
    result = grade(submissions, out, "--timeout", "20")
    return submissions, out, result


def points(book, student, exercise="model_selection"):
    return float(book[student][exercise] or 0)


def test_grading_completes_and_writes_every_file(graded_class):
    submissions, out, result = graded_class
    assert result.returncode == 0, result.stderr[-3000:]
    book = gradebook(out)
    assert set(book) == {p.stem for p in submissions.iterdir()}
    for student in book:
        if book[student]["status"] == "graded":
            for name in ("results.json", "feedback.md", "junit.xml", "grade.json"):
                assert (out / student / name).is_file(), (student, name)
    results = json.loads((out / "kfold" / "results.json").read_text())
    assert results["score"] == 10 and len(results["tests"]) == len(load_manifest())
    assert (out / "summary.md").is_file() and (out / "scores.png").is_file()
    assert "kfold" in result.stdout  # the table
    assert "submission/s" not in result.stderr  # no progress bar: captured, not a terminal


def test_a_correct_exercise_earns_its_points_and_stubs_none(graded_class):
    _, out, _ = graded_class
    book = gradebook(out)
    assert points(book, "kfold") == 10 and float(book["kfold"]["total"]) == 10
    assert float(book["stubs"]["total"]) == 0
    assert points(book, "zipped") == 10, "a zip wrapped in a folder, with exercises/ inside"


def test_a_hang_or_an_exit_costs_that_exercise_only(graded_class):
    _, out, _ = graded_class
    book = gradebook(out)
    for student in ("hangs", "exits"):
        assert points(book, student) == 0 and book[student]["status"] == "graded"
    feedback = (out / "hangs" / "feedback.md").read_text()
    assert "took more than 20 s in all (time limit)" in feedback
    assert (
        "sys.exit or os._exit" in (out / "exits" / "feedback.md").read_text()
        or "could not" in (out / "exits" / "feedback.md").read_text()
    )


def test_no_points_for_skipping_faking_equality_or_writing_results(graded_class):
    _, out, _ = graded_class
    book = gradebook(out)
    assert points(book, "skips") == 0
    assert points(book, "xfails") == 0
    assert points(book, "cheats") == 0


def test_no_points_for_monkeypatching_or_editing_the_tests(graded_class):
    """The assertions live in the test process: patching what the sandbox holds changes nothing,
    and the sandbox may not write outside its scratch directory."""
    _, out, _ = graded_class
    book = gradebook(out)
    # the same constant answer as "constant", which earns a little (a constant is reproducible)
    assert points(book, "patches") == points(book, "constant") < 1
    assert points(book, "edits") == points(book, "constant")


def test_the_forbidden_library_routine_earns_nothing(graded_class):
    _, out, _ = graded_class
    assert points(gradebook(out), "forbidden") == 0
    feedback = (out / "forbidden" / "feedback.md").read_text()
    assert "Forbidden call" in feedback and "KFold" in feedback


def test_bad_input_gets_a_clear_row(graded_class):
    _, out, _ = graded_class
    book = gradebook(out)
    assert book["corrupt"]["status"] == "error" and book["corrupt"]["message"]
    assert book["empty"]["status"] == "error" and "no exercise files" in book["empty"]["message"]
    assert (
        "does not parse" in (out / "broken" / "feedback.md").read_text()
        or "SyntaxError" in (out / "broken" / "feedback.md").read_text()
    )


def test_a_missing_submissions_directory_is_an_error(tmp_path):
    result = grade(tmp_path / "nowhere", tmp_path / "out")
    assert result.returncode == 2 and "is not a directory" in result.stderr


def test_a_killed_run_resumes_to_the_same_gradebook(tmp_path):
    submissions = tmp_path / "submissions"
    for student in ("a", "b", "c"):
        submission(submissions, student, model_selection=K_FOLD)
    submission(submissions, "d")
    out = tmp_path / "out"
    process = subprocess.Popen(
        grader_command("grade", submissions, "--out", out, "--jobs", "1"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not (out / "a" / "grade.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished_before = {p.parent.name for p in out.glob("*/grade.json")}
    assert finished_before and len(finished_before) < 4
    first = {p: p.stat().st_mtime_ns for p in out.glob("*/grade.json")}
    assert grade(submissions, out).returncode == 0
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in first.items()), (
        "finished work was redone"
    )
    again = tmp_path / "again"
    assert grade(submissions, again).returncode == 0
    assert gradebook(out) == gradebook(again)


def test_the_throughput_classes_are_built_apart(tmp_path):
    """The reference copies are graded twice (walled in, and at --isolation process): each
    class gets its own folder (the second once crashed on the first's)."""
    from grader.authoring.throughput import _make_class

    walled = _make_class(tmp_path, [SOLUTIONS_DIR], 1, "auto")
    plain = _make_class(tmp_path, [SOLUTIONS_DIR], 1, "process")
    assert walled != plain and len(list(plain.iterdir())) == 1


@pytest.mark.parametrize("option", ["-n", "--jobs"])
def test_the_throughput_benchmark_refuses_nonsense_before_grading(capsys, option):
    from grader.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["throughput", option, "0"])
    assert stopped.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err


def test_a_test_process_that_dies_costs_only_the_exercise_it_was_in(tmp_path):
    """A (buggy, trusted) hidden test that ends the test process mid-session: nothing of that
    session is believed; every exercise is graded again in a session of its own, on fresh
    copies of the tests; the one whose test process dies again is a grader fault (never the
    student's), shown, and graded again on the next run (the result is not current)."""
    submissions = tmp_path / "submissions"
    submission(submissions, "ada", base=SOLUTIONS_DIR)
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_regularization_dies.py").write_text(
        "import os\n\ndef test_ends_the_process():\n    os._exit(3)\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = grade(submissions, out, "--tests", str(hidden))
    assert result.returncode == 0, result.stderr[-3000:]
    row = gradebook(out)["ada"]
    for exercise in load_manifest():
        if exercise.name != "regularization":
            assert float(row[exercise.name]) == exercise.points, exercise.name
    assert float(row["regularization"]) == 0
    feedback = (out / "ada" / "feedback.md").read_text()
    assert "the tests of regularization could not run (exit 3)" in feedback
    assert "grader fault" in feedback and "no fault of your code" in feedback
    stored = json.loads((out / "ada" / "grade.json").read_text())
    assert stored["status"] == "graded" and stored["graded_with"] == ""
    assert stored["message"].startswith("grader fault in regularization")
    unkept = [e["name"] for e in stored["exercises"] if not e["graded_with"]]
    assert unkept == ["regularization"], "the next run grades it again, and only it"


def test_a_hidden_tests_details_stay_hidden_unless_asked():
    """Only the name, outcome and points of a hidden test reach the student by default."""
    from grader.core.report import TestRecord
    from grader.grading.sessions import HIDDEN_DETAIL, _outcome

    record = TestRecord(exercise="losses", name="test_secret[3]", outcome="failed",
                        message="mse_loss(x=[1, 2, 3]): expected 4.0. Hint: ...", duration=0.1,
                        values=(), requires=("mse_loss",), file="test_losses_x.py")  # fmt: skip
    hidden = _outcome(record, frozenset({"test_losses_x.py"}), show_hidden=False)
    assert hidden.hidden and hidden.message == HIDDEN_DETAIL and "4.0" not in hidden.message
    shown = _outcome(record, frozenset({"test_losses_x.py"}), show_hidden=True)
    assert shown.hidden and shown.message == record.message
    public = _outcome(record, frozenset(), show_hidden=False)
    assert not public.hidden and public.message == record.message
    assert public.requires == ("mse_loss",) and public.duration == 0.1


SEGFAULT = (  # dropout as a buggy C extension would make it: the process running it dies
    "\n\nimport ctypes\n\n\n"
    "def dropout(x, p, *, training=True, generator=None):\n"
    "    ctypes.string_at(0)\n"
    "    return x\n"
)


def test_a_segfault_costs_only_its_function_and_is_a_crash_in_every_output(tmp_path):
    """dropout kills its sandbox (SIGSEGV), dropout_mask is right: dropout_mask keeps every
    test (the exercise's other calls run in a fresh sandbox), dropout's tests fail, and the
    exercise is "crashed" alike in the gradebook, summary.md, the table, results.json and
    feedback.md (issue 23, items 5 and 6)."""
    submissions = tmp_path / "submissions"
    source = reference("regularization") + SEGFAULT
    submission(submissions, "ada", only=["regularization"], regularization=source)
    out = tmp_path / "out"
    result = grade(submissions, out, "--timeout", "60")
    assert result.returncode == 0, result.stderr[-3000:]
    exercise = load_submission(out / "ada" / "grade.json").exercise("regularization")
    assert exercise is not None and exercise.status == "crashed", exercise
    assert "SIGSEGV" in exercise.message and "dropout()" in exercise.message
    functions = {function.name: function for function in exercise.functions()}
    assert functions["dropout_mask"].points == functions["dropout_mask"].max_points > 0
    assert functions["dropout"].points == 0 and exercise.points == functions["dropout_mask"].points
    mask = [test for test in exercise.tests if test.function == "dropout_mask"]
    assert mask and all(test.outcome == "passed" for test in mask)
    later = [test for test in exercise.tests if "not called again" in test.message]
    assert later and all(test.function == "dropout" for test in later)
    row = gradebook(out)["ada"]
    assert row["regularization state"] == "crashed" and row["status"] == "graded"
    assert float(row["regularization"]) == exercise.points and "SIGSEGV" in row["message"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert ", 1 crashed, " in summary and "`regularization`: crashed" in summary
    assert f" {format_points(exercise.points)}c " in result.stdout and "c crashed" in result.stdout
    entries = json.loads((out / "ada" / "results.json").read_text())["tests"]
    (entry,) = [e for e in entries if e["extra_data"]["exercise"] == "regularization"]
    assert entry["extra_data"]["grading_status"] == "crashed" and entry["score"] == exercise.points
    feedback = (out / "ada" / "feedback.md").read_text(encoding="utf-8")
    assert "**Crash:**" in feedback and "segmentation fault" in feedback


def test_a_class_where_nothing_could_be_taken_in_says_so(tmp_path):
    """Only corrupt zips: no count claims a student was graded, and the gradebook and table
    keep every exercise's column (manifest order), the totals out of the manifest's points."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student in ("ada", "bob", "cat", "dan"):
        (submissions / f"{student}.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    out = tmp_path / "out"
    result = grade(submissions, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no submission could be taken in: all 4 in " in result.stdout
    assert "graded 4" not in result.stdout
    manifest = load_manifest()
    full = sum(exercise.points for exercise in manifest)
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    names = [exercise.name for exercise in manifest]
    assert header[1 : 1 + len(names)] == names
    book = gradebook(out)
    assert all(
        row["status"] == "error" and float(row["max_total"]) == full for row in book.values()
    )
    assert f"0/{format_points(full)}" in result.stdout and "0/0" not in result.stdout
    table = next(line for line in result.stdout.splitlines() if line.startswith("student"))
    assert table.split()[1 : 1 + len(names)] == names
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "0 graded, 4 could not be graded at all" in summary
    assert "no submission could be taken in" in summary


def test_two_entries_of_one_student_give_one_row_that_says_which_was_graded(tmp_path):
    """``ada/`` beside ``ada.zip``: one row for ada, the entry first by name graded (the folder),
    and its message names both and the one graded."""
    submissions = tmp_path / "submissions"
    submission(submissions, "ada", only=["activations"])
    with zipfile.ZipFile(submissions / "ada.zip", "w") as archive:
        archive.writestr("activations.py", "def broken(:\n")
    out = tmp_path / "out"
    result = grade(submissions, out)
    assert result.returncode == 0, result.stderr[-3000:]
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        students = [row["student"] for row in csv.DictReader(handle)]
    assert students == ["ada"]
    row = gradebook(out)["ada"]
    assert row["status"] == "graded" and row["activations state"] == "not attempted"
    assert "2 submissions share the student id 'ada' (ada, ada.zip)" in row["message"]
    assert "ada was graded" in row["message"] and "ada.zip was not" in row["message"]
    assert "ada.zip" in result.stdout and "graded 1, reused 0 unchanged" in result.stdout


def test_a_test_session_killed_by_a_signal_is_named_by_it():
    from grader.grading.sessions import ending_text

    assert ending_text(3) == "exit 3"
    assert ending_text(-signal.SIGSEGV) == "killed by SIGSEGV"
