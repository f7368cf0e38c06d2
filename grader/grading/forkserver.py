"""A warm worker that runs pytest sessions, each in a fresh child forked from it.

Importing torch takes about 1.6 s, which every job would pay again: a submission's pytest
session, or the session of its own that an exercise gets when that one could not finish it
(:mod:`grader.grading.sessions`). The worker imports torch, numpy, pytest and the test
dependencies once, then forks a child for each job: the child starts with everything imported
and runs one pytest session in its own working directory, its output in a file, its process
group killed at the time limit.

Fork safety: the worker itself never runs a tensor operation, so no thread pool exists when it
forks; each child starts its own.

    with ForkServer() as server:
        code = server.run(["--impl=...", "tests/test_losses.py"], cwd=..., output=..., timeout=60)

The protocol on the worker's stdin/stdout is one JSON object per line each way.

Stopping (Ctrl-C): the worker is a session of its own, so a Ctrl-C at the terminal reaches the
grading process only, never the worker or its jobs; the grading process ends each worker with
:meth:`ForkServer.stop` (SIGTERM), on which the worker kills the job it runs, every process
below it included, and exits without a word.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

TIMED_OUT = 124  # the exit code reported for a job killed at its time limit


class ForkServer:
    """A handle on one worker process; ``run`` one job at a time (start several for parallelism)."""

    def __init__(self, *, wait: bool = True) -> None:
        """Start the worker; ``wait``: until its imports are done (else :meth:`ready` waits)."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.grading.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            start_new_session=True,  # no terminal Ctrl-C: the grading process stops it
        )
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until the worker has imported everything (seconds, once)."""
        self._ask({"ping": True})

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the fork server died")
        return json.loads(line)

    def run(self, args: list[str], *, cwd: Path, output: Path, timeout: float) -> int:
        """Run ``pytest args`` in ``cwd`` with stdout and stderr to ``output``; the exit code."""
        job = {"args": args, "cwd": str(cwd), "output": str(output), "timeout": timeout}
        reply = self._ask(job)
        return int(reply["exit_code"])

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def stop(self) -> None:
        """End the worker now, and the job it runs with all its processes (Ctrl-C): a thread
        waiting for that job's reply gets RuntimeError("the fork server died")."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _child(job: dict[str, Any]) -> None:
    """In the forked child: become a process group, redirect output, run pytest, exit.

    One thread for tensor operations: jobs run side by side, one per core, and a thread pool
    per job would only fight over the cores (its idle threads spin, stealing the other job's
    time, which made timings swing a hundredfold)."""
    import torch

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the worker's handler
    os.umask(0o077)  # its report and output: the grader's alone (a sandbox's uid cannot read)
    torch.set_num_threads(1)
    os.setpgid(0, 0)
    os.chdir(job["cwd"])
    # The session's temporary folders (its sandboxes' scratch folders among them) go inside the
    # job's folder, and are removed with it, also when the run is stopped.
    os.environ["TMPDIR"] = tempfile.tempdir = job["cwd"]
    descriptor = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    code = 3
    try:
        import pytest

        code = int(pytest.main(job["args"]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if _group_alive(pid):  # processes the job started outlive it: end them too
                os.killpg(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return TIMED_OUT
        time.sleep(0.005)


_job = 0  # the worker's job running now (its pid and process group), 0 between jobs


def _stop(signum: int, frame: object) -> None:
    """The worker's SIGTERM: kill the running job and everything below it, exit quietly."""
    if _job:
        _kill_tree(_job)
    os._exit(0)


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, every process below it (also those in a group of their own: the
    sandboxes), found before any is killed (a killed parent's children are reparented), and
    ``pid``'s process group."""
    for process in (pid, *_descendants(pid)):
        with suppress(ProcessLookupError, PermissionError):
            os.kill(process, signal.SIGKILL)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # any process of the job's group not found above


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from Linux's /proc (none found elsewhere)."""
    children: dict[int, list[int]] = {}
    with suppress(OSError):
        for name in os.listdir("/proc"):
            with suppress(OSError, ValueError, IndexError):
                stat = Path("/proc", name, "stat").read_text()
                parent = int(stat.rpartition(")")[2].split()[1])
                children.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _warm_up() -> None:
    """Pay once, here, the first-use costs every session would pay again: the lazy imports behind
    torch.optim and torch.testing, the meta device's first operation. Tiny tensors only: they
    run without starting a thread pool, so forking stays safe."""
    import torch

    torch.testing.assert_close(torch.zeros(2), torch.zeros(2))
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch.empty(2, device="meta").exp()
    torch.empty(2, device="meta").normal_()


def serve() -> None:
    """The worker's loop: import once, then fork a child per job read from stdin."""
    global _job
    signal.signal(signal.SIGTERM, _stop)
    import importlib

    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import pytest_benchmark.plugin  # noqa: F401  (-p benchmark in pyproject.toml)
    import sklearn.model_selection  # noqa: F401
    import torch  # noqa: F401
    import torchvision.datasets  # noqa: F401  (the datasets tests' oracle: 1-2 s to import)

    import grader.plugin

    for plugin in grader.plugin.pytest_plugins:  # what `-p grader.plugin` loads
        importlib.import_module(plugin)
    _warm_up()
    gc.freeze()  # what is imported stays shared: a child's collections skip it and do not copy it
    for line in sys.stdin:
        job = json.loads(line)
        if job.get("ping"):
            reply: dict[str, Any] = {"pong": True}
        else:
            pid = os.fork()
            if pid == 0:
                _child(job)
            _job = pid
            reply = {"exit_code": _wait(pid, float(job["timeout"]))}
            _job = 0
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
