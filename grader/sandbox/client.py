"""Run student code in a separate, limited process, and call it with plain data.

The test process (trusted: oracles, assertions, reports) never executes student code. It forks
a sandbox process before any test runs; the sandbox loads the student's module (guarded as in
:mod:`grader.check.implementation`) and answers calls over a pipe:

    test process                                 sandbox process (untrusted)
    encode(args) ───── ["call", module, fn, …] ──▶ decode, run the student's function
    decode(reply) ◀──── ["ok", updates, result, ── encode the result (iterating a returned
                          rng, seconds]            iterator here) and the arguments as they
                                                   are after it; how long the student's code ran

Only plain data crosses: None, bool, int, float, complex, str, bytes, lists, tuples, dicts,
tensors and arrays (as dtype, shape and raw bytes; rebuilt here as plain tensors, so a tensor
subclass or an object that "equals anything" cannot come back), torch dtypes, devices and
generator states. The reply is decoded with an unpickler that refuses every global, and every
size is checked against the bytes. Identity survives the trip: an argument changed in place
(a parameter, the optimizer's ``state`` dict, a generator's state) is changed in place here
too, and a result that *is* an argument comes back as the caller's own object.

The sandbox runs with limits (CPU time, memory, size of what it writes), its output goes to a
file, and an audit hook refuses to open files outside the Python installation and the
submission, to start processes, to signal other processes, to open sockets or to load native
libraries with ctypes. Each call has a time limit, and the exercise a budget for all its calls (see
:mod:`grader.core.limits`); a sandbox that hangs is killed with its process group, and every
later call fails with the reason. A sandbox that dies during a call (killed by a signal, a
segmentation fault say, or an exit) costs the function called: it is not called again, and the
exercise's other functions are answered by a fresh sandbox, within the same budget.

The module is longer than 400 lines on purpose: a sandbox's whole life (its start, its calls
and their data both ways, a fresh start after a crash, its end) is one protocol, read as one.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any, NoReturn

import torch

from grader.check.implementation import implementation_repr
from grader.core.isolation import sweep
from grader.core.limits import CALL_GRACE_SECONDS
from grader.core.paths import PROJECT_ROOT
from grader.core.walls import Isolation, Walls, sandbox_uid
from grader.sandbox.codec import (
    CHAIN,
    LOAD,
    MANY,
    MAX_MESSAGE,
    TIME,
    Decoder,
    Encoder,
    SandboxError,
    build_tensor,
    loads,
)
from grader.sandbox.limits import DEFAULT_LIMITS, Limits
from grader.sandbox.server import fresh_command, serve


class StudentError(RuntimeError):
    """The student's code raised an exception of a type that does not cross as itself."""


def error_text(error: BaseException) -> str | None:
    """What a failed test says of ``error`` if it came back from the sandbox (raised on its way
    back through this module): a :class:`SandboxError` or :class:`StudentError` in its own
    words, any other as the student's code's; None for an error that did not come back."""
    if not any(frame.f_globals is globals() for frame, _ in traceback.walk_tb(error.__traceback__)):
        return None
    if isinstance(error, SandboxError | StudentError):
        return str(error)
    return f"your code raised {type(error).__name__}: {error}"


class Sandbox:
    """One sandbox process serving the modules of one implementation directory."""

    def __init__(
        self,
        directory: Path,
        workdir: Path,
        limits: Limits = DEFAULT_LIMITS,
        exercise: str | None = None,
        functions: Path | None = None,
        cuda: bool = False,
        fresh: bool = False,
        isolation: Isolation = Isolation.PROCESS,
        on_crash: Callable[[str], None] | None = None,
    ) -> None:
        """Fork the sandbox, walled in at ``isolation`` (:mod:`grader.core.isolation`); its
        scratch folder is ``workdir``, where it gets its own copy of the student's module.
        With ``exercise``, it serves that exercise only and keeps its
        forbidden routines swapped out for its whole life (cheaper than at every call).

        With ``cuda``, the sandbox is a fresh interpreter instead (about a second more to start):
        CUDA cannot run in a process forked from one that has used it, and the test process
        has (its oracles run on the GPU; even ``torch.cuda.is_available()`` initializes the
        driver). The fresh sandbox creates its CUDA context before its limits are set.
        ``fresh`` starts a fresh interpreter without CUDA (the tests of that path on a CPU).

        A call that ends the process (a crash, an exit) fails, its function is not called
        again (:attr:`crashed`), ``on_crash`` is told the reason, and the next call of another
        function starts a fresh sandbox (:meth:`_restart`)."""
        self.directory, self.workdir, self.limits = directory, workdir, limits
        self.exercise, self.functions, self.cuda = exercise, functions, cuda
        self.isolation = isolation
        self.walls: Walls | None = None  # the walls in force, once the sandbox said so
        self.output = workdir / "student-output.txt"
        self.failure: str | None = None
        # The exercise's time limit: seconds its calls may still take, all together (None: no
        # limit but the per-call one). Only the wait for the student's code counts: not the
        # sandbox's start-up, not the tests' own work, not another exercise's sandbox.
        self.time_left: float | None = None
        self.wall_left: float | None = None  # the same, by the wall clock, overheads included
        self._waited = 0.0  # seconds the last call was waited for
        self.timed_out = False  # a call was stopped by the exercise's time limit
        self.time_limit_message = ""  # the failure to report when the time limit stops a call
        self.closed = False  # for good: every later call fails
        # The functions whose call ended the process, with how it ended: never called again.
        self.crashed: dict[str, str] = {}
        self.on_crash = on_crash
        self._spawn(fresh)

    def _spawn(self, fresh: bool) -> None:
        """Start the sandbox process: a fork of this one, or (``cuda`` or ``fresh``) a fresh
        interpreter."""
        self._started = False  # the sandbox said it is ready (imports done, limits set)
        self._ended = False  # its process is killed (or dead) and reaped
        self._rng: bytes | None = None  # the sandbox's global RNG state, when known to be this
        here, there = Pipe(duplex=True)
        if self.cuda or fresh:
            command = fresh_command(there.fileno(), self.directory, self.workdir, self.output,
                                    self.limits, self.exercise, self.functions, self.cuda,
                                    self.isolation)  # fmt: skip
            self.pid = _start_fresh(there, command)
        else:
            self.pid = os.fork()
            if self.pid == 0:  # the sandbox
                here.close()
                serve(there, self.directory, self.workdir, self.output, self.limits,
                      self.exercise, self.functions, isolation=self.isolation)  # fmt: skip
        there.close()
        self._connection: Connection = here

    def _restart(self) -> None:
        """A fresh sandbox in place of the one a crash ended, for the exercise's other
        functions: a fresh interpreter, never a fork (tests have run in this process by now: a
        fork would copy their data, expected values included, into the student's process), in
        an emptied scratch folder. The exercise's time budget goes on where it was."""
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(mode=0o700, exist_ok=True)
        self._spawn(fresh=True)

    def call(
        self, module: str, function: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """``module.function(*args, **kwargs)`` in the sandbox, with in-place effects mirrored."""
        __tracebackhide__ = True
        if self.failure:
            raise SandboxError(self.failure)
        named = args[0] if function in (MANY, CHAIN) else function  # the student's function
        if named in self.crashed:
            raise SandboxError(
                f"{named}() ended the process running it in an earlier call "
                f"({self.crashed[named]}): it is not called again"
            )
        if self._ended:  # another function's call ended the last sandbox
            self._restart()
        if not self._started:
            self._await_start()
        encoder = Encoder(from_tests=True)
        rng = torch.get_rng_state().numpy().tobytes()  # the global RNG crosses too, if changed
        known, self._rng = self._rng, None  # unknown until the reply says
        sent = None if rng == known else rng
        message = ["call", module, function, encoder.encode(args), encoder.encode(kwargs), sent]
        self._connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        what = f"the import of {module}.py" if function == LOAD else f"{module}.{named}()"
        reply = self._receive(what, named)
        return self._unpack(reply, encoder.table)

    def _await_start(self) -> None:
        """Wait for the sandbox's start-up (its imports, its limits): a cold machine may take a
        while, and none of it is the student's time."""
        __tracebackhide__ = True
        if not self._connection.poll(self.limits.start_seconds):
            self._stop(f"the sandbox did not start within {self.limits.start_seconds:g} s")
        try:
            ready = loads(self._connection.recv_bytes(4096))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            ready = None
        if isinstance(ready, list) and len(ready) == 2 and ready[0] == "unavailable":
            self._stop(f"grader fault: the sandbox's isolation could not be set up ({ready[1]})")
        if not (isinstance(ready, list) and len(ready) == 5 and ready[0] == "ready"
                and ready[1] == str(self.isolation)):  # fmt: skip
            os.kill(self.pid, signal.SIGKILL)  # it may be alive and waiting: not what we asked
            self._stop(f"the sandbox could not start: {self._how_it_died()}")
        level, landlock, seccomp, own_uid = ready[1:]
        self.walls = Walls(Isolation(level), int(landlock), bool(seccomp), bool(own_uid))
        self._started = True

    def _receive(self, what: str, named: str) -> Any:
        """The reply to the call of ``named`` (``what``, for messages), waited for as long as
        the exercise's budget allows (the instructor's limit, however long: a call stopped by
        it times the exercise out), or, without a budget, the per-call limit."""
        exercise_limit_first = self.time_left is not None and self.wall_left is not None
        if exercise_limit_first:
            wait = max(0.0, min(self.time_left + CALL_GRACE_SECONDS, self.wall_left))
            reason = self.time_limit_message or f"{what} ran past the time limit"
        else:
            wait = self.limits.call_seconds
            reason = f"{what} did not return within {wait:g} s (time limit)"
        started = time.monotonic()
        answered = self._connection.poll(wait)
        self._waited = time.monotonic() - started
        if self.wall_left is not None:
            self.wall_left -= self._waited
        if not answered:
            self.timed_out = exercise_limit_first
            self._stop(reason)
        try:
            return loads(self._connection.recv_bytes(MAX_MESSAGE))
        except (EOFError, OSError):
            self._died(named, what)
        except (pickle.UnpicklingError, ValueError) as error:
            self._stop(f"{what}: the sandbox sent something that is not plain data ({error})")

    def _unpack(self, reply: Any, arguments: list[Any]) -> Any:
        __tracebackhide__ = True
        if not isinstance(reply, list) or not reply:
            self._stop("malformed reply from the sandbox")
        seconds = reply[-1] if type(reply[-1]) is float and math.isfinite(reply[-1]) else math.inf
        if self.time_left is not None:  # what the sandbox says, never more than was waited
            self.time_left -= min(max(seconds, 0.0), self._waited)
        if reply[0] == "raise" and len(reply) == 5:
            _, kind, message, updates, _ = reply
            self._mirror(updates, arguments)
            raise _rebuild_exception(kind, message)
        if reply[0] != "ok" or len(reply) != 5:
            self._stop("malformed reply from the sandbox")
        _, updates, result, rng, _ = reply
        if type(rng) is bytes and len(rng) == torch.get_rng_state().numel():
            torch.set_rng_state(torch.frombuffer(bytearray(rng), dtype=torch.uint8))
            self._rng = rng
        elif rng is None:  # the sandbox's RNG did not move: both hold the state last sent
            self._rng = torch.get_rng_state().numpy().tobytes()
        decoder = self._mirror(updates, arguments)
        return decoder.decode(result)

    def _mirror(self, updates: Any, arguments: list[Any]) -> Decoder:
        """The arguments as the student's code left them, changed here in place too."""
        decoder = Decoder(arguments)
        if not isinstance(updates, list):
            self._stop("malformed reply from the sandbox")
        for update in updates:
            if not (isinstance(update, list) and len(update) == 2 and type(update[0]) is int
                    and 0 <= update[0] < len(arguments)):  # fmt: skip
                self._stop("malformed update from the sandbox")
            _apply_update(arguments[update[0]], decoder, update[1])
        return decoder

    def _how_it_died(self) -> str:
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "it is gone"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            name = signal.Signals(number).name
            cause = {"SIGXCPU": "the CPU-time limit", "SIGSEGV": "a crash (segmentation fault)",
                     "SIGKILL": "a kill (often the memory limit)"}.get(name, name)  # fmt: skip
            return f"killed by {name}: {cause}"
        return f"it exited with status {os.WEXITSTATUS(status)} (sys.exit or os._exit?)"

    def _died(self, named: str, what: str) -> NoReturn:
        """The process ended during the call of ``named``: the student's code crashed it or
        exited. The call fails, ``on_crash`` is told, and ``named`` is not called again; the
        other functions are, in a fresh sandbox. Where the import itself ended it (as it would
        in every fresh sandbox), every later call fails; the timing (:data:`TIME`, not graded)
        is not reported either."""
        __tracebackhide__ = True
        how = self._how_it_died()
        reason = f"your code ended the process running it during {what}: {how}"
        if named != TIME and self.on_crash is not None:
            self.on_crash(reason)
        if named in (LOAD, TIME):
            self._stop(reason)
        self.crashed[named] = how
        self._end()
        raise SandboxError(f"{reason}; {named}() is not called again (the other functions are)")

    def _stop(self, reason: str) -> NoReturn:
        __tracebackhide__ = True
        self.failure = f"{reason}; the remaining calls of this exercise cannot run"
        self.close()
        raise SandboxError(reason)

    def close(self) -> None:
        """End the sandbox for good: every later call fails."""
        self.closed = True
        self.failure = self.failure or "the sandbox of this exercise is closed"
        self._end()

    def _end(self) -> None:
        """Kill the sandbox process, its process group and what its uid started; reap it."""
        if self._ended:  # its pid may belong to another process by now
            return
        self._ended = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        if self.isolation is Isolation.UID and os.geteuid() == 0:  # what it may have started
            sweep(sandbox_uid(self.pid))
        self._connection.close()


def _start_fresh(connection: Connection, command: list[str]) -> int:
    """Start ``command`` (:func:`grader.sandbox.server.fresh_command`), which holds the
    sandbox's end of the pipe; its pid."""
    os.set_inheritable(connection.fileno(), True)
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    # One thread, as a fork of the test process has: a process must be single-threaded to
    # enter a user namespace, and numpy's OpenBLAS would start a pool at import.
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return os.posix_spawn(sys.executable, command, {**os.environ, "PYTHONPATH": path, **threads})


def _apply_update(target: Any, decoder: Decoder, node: Any) -> None:
    """Mirror what the student's code did to an argument in place (nothing else is trusted)."""
    if not isinstance(node, list) or not node:
        raise SandboxError("malformed update")
    kind, rest = node[0], node[1:]
    if isinstance(target, torch.Tensor) and kind == "tensor":
        fresh = build_tensor(rest)
        same_kind = fresh.shape == target.shape and fresh.dtype == target.dtype
        if same_kind and target.device.type != "meta":
            fresh = fresh.to(target.device)
            if not torch.equal(fresh, target):
                with torch.no_grad():
                    target.copy_(fresh)
    elif isinstance(target, dict) and kind == "dict" and len(rest) == 1:
        contents = dict(decoder.dict_items(rest[0]))
        target.clear()
        target.update(contents)
    elif isinstance(target, list) and kind == "list" and len(rest) == 1:
        target[:] = [decoder.decode(item) for item in rest[0]]
    elif isinstance(target, torch.Generator) and kind == "generator" and type(rest[1]) is bytes:
        target.set_state(torch.frombuffer(bytearray(rest[1]), dtype=torch.uint8))


_REBUILT = {cls.__name__: cls for cls in (
    ValueError, TypeError, IndexError, KeyError, RuntimeError, ZeroDivisionError, AssertionError,
    ArithmeticError, OverflowError, LookupError, AttributeError, MemoryError, EOFError,
)}  # fmt: skip


def _rebuild_exception(kind: Any, message: Any) -> BaseException:
    """The student's exception as the test expects it (ValueError stays a ValueError)."""
    from grader.check.forbidden import ForbiddenCallError
    from grader.core.outcomes import ImplementationError

    if type(kind) is not str:  # a sandbox that sends something else is not to be believed
        return SandboxError("malformed reply from the sandbox")
    message = str(message)
    if kind == "NotAttempted":  # a skip at once: Hypothesis does not shrink a stub's examples
        from grader.check.plugin import not_attempted

        return not_attempted(message)
    if kind == "ForbiddenCallError":
        return ForbiddenCallError(message)
    if kind == "ImplementationError":
        return ImplementationError(message)
    if kind in _REBUILT:
        return _REBUILT[kind](message)
    return StudentError(f"your code raised {kind}: {message}")


class SandboxedImplementation:
    """What ``load_impl`` gives the tests when grading: the same calls, run in the sandbox."""

    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self.name = name
        self._sandbox = sandbox
        listed = sandbox.call(name, LOAD, (), {})
        self._functions = set(listed.split("\n")) if isinstance(listed, str) and listed else set()

    def call_many(
        self, function_name: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> list[Any]:
        """The calls of :meth:`grader.check.implementation.Implementation.call_many`, in one round
        trip; arguments changed in place and generators advance as if called one by one."""
        __tracebackhide__ = True
        getattr(self, function_name)  # a missing function fails here, as a single call would
        result = self._sandbox.call(self.name, MANY, (function_name, list(calls)), {})
        if not isinstance(result, list) or len(result) != len(calls):
            raise SandboxError(f"{self.name}.{function_name}(): a malformed batch of results")
        return result

    def chain(
        self, function_name: str, first: Any, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> Iterator[Any]:
        """:meth:`grader.check.implementation.Implementation.chain` in one round trip: the
        results come back as they were when returned, and the exception that ended the chain
        (if one did) is raised after the results before it, as the steps one by one would."""
        __tracebackhide__ = True
        getattr(self, function_name)  # a missing function fails here, as a single call would
        reply = self._sandbox.call(self.name, CHAIN, (function_name, first, list(calls)), {})
        if not (isinstance(reply, list) and len(reply) == 2 and isinstance(reply[0], list)
                and all(type(step) is bytes for step in reply[0])
                and (reply[1] is None or (isinstance(reply[1], list) and len(reply[1]) == 2
                                          and all(type(part) is str for part in reply[1])))
                and len(reply[0]) <= len(calls)):  # fmt: skip
            raise SandboxError(f"{self.name}.{function_name}(): a malformed chain of results")
        steps, error = reply
        for step in steps:
            yield Decoder().decode(loads(step))
        if error is not None:
            raise _rebuild_exception(*error)

    def __repr__(self) -> str:
        return implementation_repr(self.name)

    def __getattr__(self, function_name: str) -> Any:
        __tracebackhide__ = True
        from grader.core.outcomes import MissingFunction

        if function_name.startswith("_") or function_name not in self._functions:
            raise MissingFunction(
                f"{self.name}.py defines no function {function_name}(): keep the names and "
                "signatures of the stub"
            )

        def call(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            return self._sandbox.call(self.name, function_name, args, kwargs)

        call.__name__ = function_name
        return call

    @property
    def module(self) -> Any:
        raise AttributeError("the student's module lives in the sandbox: no benchmarks there")
