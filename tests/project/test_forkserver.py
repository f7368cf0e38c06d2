"""The warm fork server: each job a fresh child, its output captured, its time limited."""

from __future__ import annotations

import time

import pytest

from grader.grading.forkserver import TIMED_OUT, ForkServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    with ForkServer() as server:
        yield server


def write_test(directory, body):
    path = directory / "test_job.py"
    path.write_text(body, encoding="utf-8")
    return path


def test_runs_a_session_and_captures_its_output(server, tmp_path):
    test = write_test(tmp_path, "def test_ok():\n    print('hello from the child')\n")
    output = tmp_path / "out.txt"
    code = server.run(
        ["-q", "-s", "-p", "no:cacheprovider", str(test)], cwd=tmp_path, output=output, timeout=60
    )
    assert code == 0
    assert "hello from the child" in output.read_text()


def test_a_failing_session_reports_its_exit_code(server, tmp_path):
    test = write_test(tmp_path, "def test_bad():\n    assert 1 == 2\n")
    code = server.run(
        ["-q", "-p", "no:cacheprovider", str(test)], cwd=tmp_path, output=tmp_path / "o", timeout=60
    )
    assert code == 1


def test_a_hanging_job_is_killed_with_what_it_started(server, tmp_path):
    marker = tmp_path / "still-running"
    body = (
        "import subprocess, time\n"
        "def test_hang():\n"
        f"    subprocess.Popen(['sh', '-c', 'sleep 3; touch {marker}'])\n"
        "    time.sleep(60)\n"
    )
    test = write_test(tmp_path, body)
    started = time.monotonic()
    code = server.run(
        ["-q", "-p", "no:cacheprovider", str(test)], cwd=tmp_path, output=tmp_path / "o", timeout=2
    )
    assert code == TIMED_OUT and time.monotonic() - started < 10
    time.sleep(3.5)
    assert not marker.exists(), "a process the job started outlived it"


def test_the_server_survives_a_job_that_exits_hard(server, tmp_path):
    test = write_test(tmp_path, "import os\ndef test_exit():\n    os._exit(7)\n")
    assert server.run([str(test)], cwd=tmp_path, output=tmp_path / "o", timeout=30) == 7
    ok = write_test(tmp_path, "def test_ok():\n    pass\n")
    assert server.run([str(ok)], cwd=tmp_path, output=tmp_path / "o", timeout=30) == 0
