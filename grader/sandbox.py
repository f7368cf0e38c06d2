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
:mod:`grader.core.limits`); a sandbox that hangs or dies is killed with its process group, and every
later call fails with the reason.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import pickle
import resource
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

import numpy as np
import torch

from grader.core.limits import CALL_GRACE_SECONDS
from grader.core.paths import SOLUTIONS_DIR

MAX_MESSAGE = 1 << 30  # bytes in one reply
MAX_ITEMS = 1_000_000  # items taken from an iterator a student function returns
PASSED_PATHS: set[str] = set()  # files the tests pass as arguments (readable in the sandbox)
LOAD = "__load__"  # the pseudo-function that loads a module and lists its functions
TIME = "__time__"  # the pseudo-function that times the exercise's key function (check.timing)
MANY = "__many__"  # the pseudo-function that makes a batch of calls (Implementation.call_many)
_PRIMITIVES = (type(None), bool, int, float, complex, str, bytes)
_DTYPES = {str(dtype).removeprefix("torch."): dtype for dtype in (
    torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.float16, torch.bfloat16, torch.float32, torch.float64,
)}  # fmt: skip
_NUMPY_KINDS = set("biuf")
_clock = time.perf_counter  # bound before any student code runs in the sandbox


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 60.0  # wall clock, per call
    start_seconds: float = 300.0  # the sandbox's own start-up (never the student's time)
    cpu_seconds: int = 300  # CPU time of the whole sandbox
    memory_bytes: int = 4 << 30  # data segment (heap and anonymous mappings)
    output_bytes: int = 1 << 20  # what it may write to its output file


class SandboxError(RuntimeError):
    """The sandbox cannot answer: it hung, died, or sent something that is not plain data."""


class StudentError(RuntimeError):
    """The student's code raised an exception of a type that does not cross as itself."""


# --- plain data, both ways ---------------------------------------------------------------------


class Encoder:
    """Object -> nested lists of primitives and bytes. Objects already seen (or in ``table``,
    the arguments of the call) become ``["ref", index]`` so identity survives."""

    def __init__(self, table: list[Any] | None = None) -> None:
        self.table: list[Any] = list(table or [])
        self.index = {id(obj): i for i, obj in enumerate(self.table)}

    def _register(self, obj: Any) -> None:
        self.index[id(obj)] = len(self.table)
        self.table.append(obj)

    def encode(self, obj: Any) -> list[Any]:
        if type(obj) in _PRIMITIVES:
            return ["v", obj]
        if id(obj) in self.index:
            return ["ref", self.index[id(obj)]]
        if isinstance(obj, torch.Tensor):
            self._register(obj)
            return tensor_node(obj)
        if isinstance(obj, np.ndarray | np.generic):
            array = np.asarray(obj)
            return ["ndarray", array.dtype.str, list(array.shape), array.tobytes(), obj.ndim == 0]
        if isinstance(obj, torch.dtype):
            return ["dtype", str(obj).removeprefix("torch.")]
        if isinstance(obj, os.PathLike):
            return ["path", os.fspath(obj)]
        if isinstance(obj, torch.device):
            return ["device", str(obj)]
        if isinstance(obj, torch.Generator | list | tuple | dict):
            self._register(obj)
            return self.contents(obj)
        if isinstance(obj, Iterator):
            items: list[Any] = []
            for item in obj:
                if len(items) == MAX_ITEMS:
                    raise TypeError(f"returned an iterator of more than {MAX_ITEMS} items")
                items.append(self.encode(item))
            return ["iter", items]
        raise TypeError(
            f"returned a {type(obj).__name__} object, which cannot be graded: return tensors, "
            "arrays, numbers, strings, lists, tuples or dicts"
        )

    def contents(self, obj: Any) -> list[Any]:
        """A container's or tensor's current contents, even when ``obj`` itself is registered."""
        if isinstance(obj, torch.Tensor):
            return tensor_node(obj)
        if isinstance(obj, torch.Generator):
            return ["generator", str(obj.device), obj.get_state().numpy().tobytes()]
        if isinstance(obj, dict):
            return ["dict", [[self.encode(k), self.encode(v)] for k, v in obj.items()]]
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return [kind, [self.encode(item) for item in obj]]


def tensor_node(tensor: torch.Tensor) -> list[Any]:
    """A tensor's dtype, shape, device and bytes (no bytes for meta tensors)."""
    plain = torch.Tensor.detach(tensor)
    data = None
    if plain.device.type != "meta":
        data = plain.cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes()
    dtype = str(plain.dtype).removeprefix("torch.")
    return ["tensor", dtype, list(plain.shape), plain.device.type, data]


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused global {module}.{name}: only plain data crosses")


def loads(data: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(data)).load()


class Decoder:
    """Nested lists -> objects, validating every node: the input may come from a hostile process."""

    def __init__(self, table: list[Any] | None = None) -> None:
        self.table: list[Any] = list(table or [])
        self.nodes: dict[int, list[Any]] = {}  # table index -> the node a tensor was built from

    def decode(self, node: Any) -> Any:
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise SandboxError(f"malformed reply node {node!r:.80}")
        tag, rest = node[0], node[1:]
        if tag == "v" and len(rest) == 1 and type(rest[0]) in _PRIMITIVES:
            if type(rest[0]) is str and os.path.isabs(rest[0]) and len(rest[0]) < 4096:
                PASSED_PATHS.add(os.path.realpath(rest[0]))  # a file name the tests hand over
            return rest[0]
        if (
            tag == "ref"
            and len(rest) == 1
            and type(rest[0]) is int
            and 0 <= rest[0] < len(self.table)
        ):
            return self.table[rest[0]]
        if tag == "tensor":
            tensor = build_tensor(rest)
            self.nodes[len(self.table)] = node
            self.table.append(tensor)
            return tensor
        if tag == "ndarray":
            return _build_array(rest)
        if tag == "dtype" and rest and rest[0] in _DTYPES:
            return _DTYPES[rest[0]]
        if tag == "device" and rest and type(rest[0]) is str:
            return torch.device(rest[0])
        if tag == "path" and rest and type(rest[0]) is str:
            PASSED_PATHS.add(os.path.realpath(rest[0]))  # the tests hand it over: readable
            return Path(rest[0])
        if tag == "generator" and len(rest) == 2 and type(rest[1]) is bytes:
            generator = torch.Generator(device=rest[0])
            generator.set_state(torch.frombuffer(bytearray(rest[1]), dtype=torch.uint8))
            self.nodes[len(self.table)] = node
            self.table.append(generator)
            return generator
        if tag in ("list", "tuple", "iter") and len(rest) == 1 and isinstance(rest[0], list):
            if tag == "iter":
                return iter([self.decode(item) for item in rest[0]])
            placeholder: list[Any] = []
            position = len(self.table)
            self.table.append(placeholder)
            placeholder.extend(self.decode(item) for item in rest[0])
            if tag == "tuple":
                self.table[position] = result = tuple(placeholder)
                return result
            return placeholder
        if tag == "dict" and len(rest) == 1 and isinstance(rest[0], list):
            mapping: dict[Any, Any] = {}
            self.table.append(mapping)
            mapping.update(self.dict_items(rest[0]))
            return mapping
        raise SandboxError(f"malformed reply node of kind {tag!r}")

    def dict_items(self, pairs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise SandboxError("malformed dict entry")
            yield self.decode(pair[0]), self.decode(pair[1])


def build_tensor(fields: list[Any]) -> torch.Tensor:
    dtype_name, shape, device, data = fields
    if dtype_name not in _DTYPES or not all(type(n) is int and n >= 0 for n in shape):
        raise SandboxError(f"malformed tensor: dtype {dtype_name!r}, shape {shape!r:.80}")
    dtype = _DTYPES[dtype_name]
    if device == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    numel = math.prod(shape)
    if type(data) is not bytes or len(data) != numel * dtype.itemsize:
        raise SandboxError(
            f"malformed tensor data: {numel} {dtype_name} values, {len(data or b'')} bytes"
        )
    flat = (
        torch.frombuffer(bytearray(data), dtype=torch.uint8)
        if data
        else torch.empty(0, dtype=torch.uint8)
    )
    tensor = flat.view(dtype).reshape(shape) if numel else torch.empty(shape, dtype=dtype)
    return tensor.to(device) if device != "cpu" else tensor


def _build_array(fields: list[Any]) -> Any:
    dtype_str, shape, data, scalar = fields
    dtype = np.dtype(dtype_str) if type(dtype_str) is str and len(dtype_str) <= 4 else None
    if dtype is None or dtype.kind not in _NUMPY_KINDS or type(data) is not bytes:
        raise SandboxError(f"malformed array: dtype {dtype_str!r:.20}")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise SandboxError("malformed array shape")
    if len(data) != math.prod(shape) * dtype.itemsize:
        raise SandboxError("malformed array data")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    return array[()] if scalar else array


# --- the sandbox process -----------------------------------------------------------------------


class Sandbox:
    """One sandbox process serving the modules of one implementation directory."""

    def __init__(
        self,
        directory: Path,
        workdir: Path,
        limits: Limits = Limits(),
        exercise: str | None = None,
    ) -> None:
        """Fork the sandbox. With ``exercise``, it serves that exercise only and keeps its
        forbidden routines swapped out for its whole life (cheaper than at every call)."""
        self.directory, self.workdir, self.limits = directory, workdir, limits
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
        self.closed = False
        self._started = False  # the sandbox said it is ready (imports done, limits set)
        self._rng: bytes | None = None  # the sandbox's global RNG state, when known to be this
        here, there = Pipe(duplex=True)
        self.pid = os.fork()
        if self.pid == 0:  # the sandbox
            here.close()
            _serve(there, directory, workdir, self.output, limits, exercise)
        there.close()
        self._connection: Connection = here

    def call(
        self, module: str, function: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """``module.function(*args, **kwargs)`` in the sandbox, with in-place effects mirrored."""
        __tracebackhide__ = True
        if self.failure:
            raise SandboxError(self.failure)
        if not self._started:
            self._await_start()
        encoder = Encoder()
        rng = torch.get_rng_state().numpy().tobytes()  # the global RNG crosses too, if changed
        known, self._rng = self._rng, None  # unknown until the reply says
        sent = None if rng == known else rng
        message = ["call", module, function, encoder.encode(args), encoder.encode(kwargs), sent]
        self._connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        reply = self._receive(f"{module}.{function}()")
        return self._unpack(reply, encoder.table)

    def _await_start(self) -> None:
        """Wait for the sandbox's start-up (its imports, its limits): a cold machine may take a
        while, and none of it is the student's time."""
        __tracebackhide__ = True
        if not self._connection.poll(self.limits.start_seconds):
            self._stop(f"the sandbox did not start within {self.limits.start_seconds:g} s")
        try:
            ready = loads(self._connection.recv_bytes(64))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            ready = None
        if ready != ["ready"]:
            self._stop(f"the sandbox could not start: {self._how_it_died()}")
        self._started = True

    def _receive(self, what: str) -> Any:
        wait = self.limits.call_seconds
        reason = f"{what} did not return within {wait:g} s (time limit)"
        if self.time_left is not None and self.wall_left is not None:
            exercise_wait = max(0.0, min(self.time_left + CALL_GRACE_SECONDS, self.wall_left))
        else:
            exercise_wait = math.inf
        exercise_limit_first = exercise_wait < wait
        if exercise_limit_first:
            wait = exercise_wait
            reason = self.time_limit_message or f"{what} ran past the time limit"
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
            self._stop(
                f"your code ended the process running it during {what}: {self._how_it_died()}"
            )
        except (pickle.UnpicklingError, ValueError) as error:
            self._stop(f"{what}: the sandbox sent something that is not plain data ({error})")

    def _unpack(self, reply: Any, arguments: list[Any]) -> Any:
        __tracebackhide__ = True
        if not isinstance(reply, list) or not reply:
            self._stop("malformed reply from the sandbox")
        seconds = reply[-1] if type(reply[-1]) is float and math.isfinite(reply[-1]) else math.inf
        if self.time_left is not None:  # what the sandbox says, never more than was waited
            self.time_left -= min(max(seconds, 0.0), self._waited)
        if reply[0] == "raise" and len(reply) == 4:
            _, kind, message, _ = reply
            raise _rebuild_exception(kind, message)
        if reply[0] != "ok" or len(reply) != 5:
            self._stop("malformed reply from the sandbox")
        _, updates, result, rng, _ = reply
        if type(rng) is bytes and len(rng) == torch.get_rng_state().numel():
            torch.set_rng_state(torch.frombuffer(bytearray(rng), dtype=torch.uint8))
            self._rng = rng
        elif rng is None:  # the sandbox's RNG did not move: both hold the state last sent
            self._rng = torch.get_rng_state().numpy().tobytes()
        decoder = Decoder(arguments)
        for index, node in updates:  # arguments as the student's code left them
            _apply_update(arguments[index], decoder, node)
        return decoder.decode(result)

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

    def _stop(self, reason: str) -> None:
        __tracebackhide__ = True
        self.failure = f"{reason}; the remaining calls of this exercise cannot run"
        self.close()
        raise SandboxError(reason)

    def close(self) -> None:
        if self.closed:  # its pid may belong to another process by now
            return
        self.closed = True
        self.failure = self.failure or "the sandbox of this exercise is closed"
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._connection.close()

    def output_tail(self, limit: int = 4000) -> str:
        try:
            data = self.output.read_bytes()
        except OSError:
            return ""
        return data[-limit:].decode("utf-8", errors="replace")


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
    ArithmeticError, OverflowError, LookupError, AttributeError, MemoryError,
)}  # fmt: skip


def _rebuild_exception(kind: Any, message: Any) -> BaseException:
    """The student's exception as the test expects it (ValueError stays a ValueError)."""
    from grader.check.forbidden import ForbiddenCallError
    from grader.core.outcomes import ImplementationError

    message = str(message)
    if kind == "NotAttempted":  # a skip at once: Hypothesis does not shrink a stub's examples
        from grader.check.plugin import NotAttemptedSkip
        from grader.core.outcomes import NOT_ATTEMPTED

        return NotAttemptedSkip(f"{NOT_ATTEMPTED}: {message}", _use_item_location=True)
    if kind == "ForbiddenCallError":
        return ForbiddenCallError(message)
    if kind == "ImplementationError":
        return ImplementationError(message)
    if kind in _REBUILT:
        return _REBUILT[kind](message)
    return StudentError(f"your code raised {kind}: {message}")


# --- inside the sandbox ------------------------------------------------------------------------


def _serve(
    connection: Connection,
    directory: Path,
    workdir: Path,
    output: Path,
    limits: Limits,
    exercise: str | None,
) -> None:
    """The sandbox's whole life: limit itself, then answer calls until the pipe closes."""
    code = 0
    try:
        os.setpgid(0, 0)
        import grader.check.implementation
        import grader.check.timing
        import grader.core.outcomes  # imported before the audit hook closes the project directory

        del grader
        if exercise is not None:
            from grader.check.forbidden import install
            from grader.core.manifest import exercise_named

            install(exercise_named(exercise).forbidden)
        _close_inherited_descriptors(keep=connection.fileno())
        _confine(directory, workdir, output, limits)
        connection.send_bytes(pickle.dumps(["ready"]))
        modules: dict[str, Any] = {}
        while True:
            try:
                request = loads(connection.recv_bytes())
            except EOFError:
                break
            connection.send_bytes(pickle.dumps(_answer(request, directory, modules)))
    except BaseException:  # nothing of ours may leak into the test process's output
        code = 70
    finally:
        os._exit(code)


def _answer(request: list[Any], directory: Path, modules: dict[str, Any]) -> list[Any]:
    from grader.check.implementation import load

    _, module, function, args_node, kwargs_node, rng = request
    if rng is not None:
        torch.set_rng_state(torch.frombuffer(bytearray(rng), dtype=torch.uint8))
    rng_before = torch.get_rng_state().numpy().tobytes()
    decoder = Decoder()
    args, kwargs = decoder.decode(args_node), decoder.decode(kwargs_node)
    arguments = decoder.table
    started = _clock()  # the student's time: loading, the call, iterating what it returned
    try:
        if module not in modules:
            modules[module] = load(directory, module)
        if function == LOAD:
            names = [name for name, obj in vars(modules[module].module).items()
                     if callable(obj) and not name.startswith("_")]  # fmt: skip
            return ["ok", [], ["v", "\n".join(names)], None, _clock() - started]
        if function == TIME:
            from grader.check.timing import best_time

            # the module itself, as the reference is timed: no guard around each run
            timed = best_time(modules[module].module, module)
            return ["ok", [], ["v", timed], None, 0.0]  # not graded: not the exercise's time
        if function == MANY:
            name, calls = args
            result = modules[module].call_many(name, calls)
        else:
            result = getattr(modules[module], function)(*args, **kwargs)
        encoder = Encoder(arguments)
        # The result first: a returned iterator is consumed here, and what it does while it
        # runs (drawing from the global RNG or a generator passed in, changing an argument)
        # must cross back exactly as a call's own effects do.
        encoded = encoder.encode(result)
        updates = []  # the arguments the call changed in place
        for index, obj in enumerate(arguments):
            if isinstance(obj, torch.Tensor | dict | list | torch.Generator):
                contents = encoder.contents(obj)
                if contents != decoder.nodes.get(index):
                    updates.append([index, contents])
        rng = torch.get_rng_state().numpy().tobytes()
        spent = _clock() - started
        return ["ok", updates, encoded, None if rng == rng_before else rng, spent]
    except BaseException as error:  # every failure goes back as data
        spent = _clock() - started
        return ["raise", _kind(error, directory), _describe(error, directory)[:20_000], spent]


def _kind(error: BaseException, directory: Path) -> str:
    from grader.core.outcomes import raised_by_a_stub

    if raised_by_a_stub(error, directory):
        return "NotAttempted"
    return type(error).__name__


def _describe(error: BaseException, directory: Path) -> str:
    from grader.check.implementation import student_line

    text = str(error)
    where = student_line(error, directory)
    if where:
        text += f"\n  {where}"
    if isinstance(error, SystemExit):
        text = f"your code called sys.exit({error.code!r})"
    elif isinstance(error, KeyboardInterrupt):
        text = "your code raised KeyboardInterrupt"
    return text


def _confine(directory: Path, workdir: Path, output: Path, limits: Limits) -> None:
    """Limits, output to a file, and an audit hook. Called once, in the sandbox only."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, nothing dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115

    solutions = SOLUTIONS_DIR
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path}
    readable = (
        str(directory.resolve()),
        *tuple(
            str(Path(p).resolve())
            for p in candidates
            if p and Path(p).is_dir() and not solutions.resolve().is_relative_to(Path(p).resolve())
        ),
    )
    denied = () if directory.resolve() == solutions.resolve() else (str(solutions.resolve()),)
    sys.addaudithook(_audit_hook(readable, (str(workdir.resolve()),), denied))


def _close_inherited_descriptors(keep: int) -> None:
    """The test process's files and pipes (its results among them) are not the sandbox's."""
    os.closerange(3, keep)
    os.closerange(keep + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


_DENIED_EVENTS = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill", "socket.connect",
    "socket.bind", "socket.sendto", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
    "os.chdir", "os.setuid", "resource.setrlimit", "sys.setprofile", "sys.settrace",
}  # fmt: skip


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _audit_hook(
    readable: tuple[str, ...], writable: tuple[str, ...], denied: tuple[str, ...]
) -> Any:
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _DENIED_EVENTS:
            raise PermissionError(f"{event} is not allowed while grading")
        if event != "open" or not args or not isinstance(args[0], str | bytes | os.PathLike):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if path == os.devnull or path.startswith("/proc/self/"):
            return
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = any(c in mode for c in "wax+") or bool(flags & (os.O_WRONLY | os.O_RDWR))
        if path in PASSED_PATHS and not writing:
            return
        roots = writable if writing else readable + writable
        if any(_inside(path, root) for root in denied) or not any(
            _inside(path, root) for root in roots
        ):
            raise PermissionError(f"opening {path} is not allowed while grading")

    return hook


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
