"""Inside the sandbox (untrusted): wall the process in, then answer calls until the pipe closes.

Before any student code runs, the sandbox reads the student's module, leaves the grader's
namespaces and puts up the operating system's walls of its isolation level
(:mod:`grader.core.isolation`: its own namespaces, uid, Landlock, seccomp), with its copy of
the module in a private scratch folder; then limits (CPU time, memory, size of what it
writes), its output to a file, and an audit hook that *teaches*: it refuses the forbidden
routines (files outside the Python installation and the scratch folder, processes, signals,
sockets, ctypes) with a clear message, but it is not what keeps students apart. It never
imports pytest: it loads the student's module with :mod:`grader.check.implementation` and
reports outcomes with :mod:`grader.core.outcomes`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pickle
import resource
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import torch

from grader.core.exits import SANDBOX_FAILED
from grader.core.paths import FUNCTIONS_MODULE, SOLUTIONS_DIR
from grader.core.walls import (
    CUDA_DEVICES,
    Isolation,
    confine,
    enter_namespaces,
    others_can_read,
    sandbox_uid,
)
from grader.sandbox.audit import teaching_hook
from grader.sandbox.codec import (
    CHAIN,
    LOAD,
    MANY,
    TIME,
    Decoder,
    Encoder,
    loads,
)
from grader.sandbox.folders import hidden_folders, python_folders
from grader.sandbox.limits import ERROR_TEXT_CHARS, START_FAILURE_CHARS, Limits

_clock = time.perf_counter  # bound before any student code runs in the sandbox
SERVER_MODULE = "grader.sandbox.server"  # started as a fresh interpreter for CUDA (client.py)
HANDED_FILES = "handed"  # the scratch folder's subfolder for files the tests hand over


def serve(
    connection: Connection,
    directory: Path,
    workdir: Path,
    output: Path,
    limits: Limits,
    exercise: str | None,
    functions: Path | None = None,
    cuda: bool = False,
    isolation: Isolation = Isolation.PROCESS,
) -> None:
    """The sandbox's whole life: wall itself in, then answer calls until the pipe closes.
    ``workdir``: its scratch folder (where its copy of the student's modules goes);
    ``isolation``: the walls (:mod:`grader.core.isolation`), put up before any student
    code runs, or the sandbox says why not and ends.
    ``functions``: the trusted functions module (:data:`grader.core.paths.FUNCTIONS_MODULE`),
    imported now, so that a call may be handed one of its functions by name. ``cuda``: create
    the CUDA context (and load cuBLAS) now, before the limits, and let the memory limit count
    from what that took; the student's code may then use as much again as on the CPU."""
    code, ready = 0, False
    try:
        os.setpgid(0, 0)
        uid = sandbox_uid(os.getpid())  # this pid is the one the test process knows
        readable = python_folders(workdir)  # what it may read, once: walls and audit hook
        if isolation is Isolation.NAMESPACES:  # from here on: process 2 of a PID namespace
            enter_namespaces(others_can_read(readable))
        import grader.check.implementation
        import grader.check.timing
        import grader.core.outcomes  # imported before the audit hook closes the project directory
        from grader.core.manifest import load_manifest

        load_manifest()  # read now (cached), for the same reason
        _warm_up()
        del grader
        if functions is not None:
            _import_functions(functions)
        if exercise is not None:
            from grader.check.forbidden import install
            from grader.core.manifest import exercise_named

            install(exercise_named(exercise).forbidden)
        _close_inherited_descriptors(keep=connection.fileno())
        already_used = _start_cuda() if cuda else 0
        files = _student_files(directory, exercise)
        written = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # before walls
        walls = confine(isolation, workdir, files, readable,
                        _cuda_devices() if cuda else (), uid, hidden_folders(workdir))  # fmt: skip
        _limit(workdir, written, limits, readable, already_used)
        connection.send_bytes(pickle.dumps(["ready", *walls.to_json().values()]))
        ready = True
        modules: dict[str, Any] = {}
        while True:
            try:
                request = loads(connection.recv_bytes())
            except EOFError:
                break
            connection.send_bytes(pickle.dumps(_answer(request, workdir, modules)))
    except BaseException as error:  # nothing of ours may leak into the test process's output
        code = SANDBOX_FAILED  # something of ours failed in the sandbox
        if not ready:  # no student code has run: the failure is ours (the grader's), say it
            with contextlib.suppress(BaseException):
                said = f"{isolation}: {type(error).__name__}: {error}"[:START_FAILURE_CHARS]
                connection.send_bytes(pickle.dumps(["unavailable", said]))
    finally:
        os._exit(code)


def _cuda_devices() -> tuple[str, ...]:
    import glob

    return tuple(sorted(glob.glob(CUDA_DEVICES)))


def _student_files(directory: Path, exercise: str | None) -> dict[str, bytes]:
    """The student's module(s), read now, before the walls: the sandbox gets its own copy."""
    names = [f"{exercise}.py"] if exercise else [p.name for p in directory.glob("*.py")]
    files = {}
    for name in names:
        with contextlib.suppress(OSError):
            files[name] = (directory / name).read_bytes()
    return files


def _warm_up() -> None:
    """What torch loads or looks up lazily on first use, done now, before the audit hook (which
    would refuse the files it reads): a sandbox forked from the test process inherits all of it,
    a fresh one (CUDA's, or one started after a crash) must do it itself. Not the student's time
    either way."""
    tempfile.gettempdir()  # cached: torch's lazy imports ask for it
    import torch._dynamo  # as the test process does (the meta device's checks use it)

    meta = torch.ones(2, 2, device="meta")
    (meta @ meta).sum()  # the meta device's registrations (torch._meta_registrations, ...)
    torch.ones(2, 2).exp()  # the CPU's features, read from /proc/cpuinfo (which the walls hide)


def _start_cuda() -> int:
    """Create the CUDA context and load cuBLAS; the bytes of data memory in use after it."""
    ones = torch.ones(2, 2, device="cuda")
    (ones @ ones).sum().item()
    return _data_memory()


def _data_memory() -> int:
    """The bytes the memory limit (RLIMIT_DATA) counts, now: VmData of /proc/self/status."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _import_functions(path: Path) -> None:
    if FUNCTIONS_MODULE in sys.modules:  # the test process had imported it before the fork
        return
    spec = importlib.util.spec_from_file_location(FUNCTIONS_MODULE, path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[FUNCTIONS_MODULE] = module
    spec.loader.exec_module(module)


def _answer(request: list[Any], directory: Path, modules: dict[str, Any]) -> list[Any]:
    from grader.check.implementation import load

    _, module, function, args_node, kwargs_node, rng = request
    if rng is not None:
        torch.set_rng_state(torch.frombuffer(bytearray(rng), dtype=torch.uint8))
    rng_before = torch.get_rng_state().numpy().tobytes()
    decoder = Decoder(files=directory / HANDED_FILES)
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
        elif function == CHAIN:
            name, first, calls = args
            result = _chain(modules[module], name, first, calls, directory)
        else:
            result = getattr(modules[module], function)(*args, **kwargs)
        encoder = Encoder(arguments)
        # The result first: a returned iterator is consumed here, and what it does while it
        # runs (drawing from the global RNG or a generator passed in, changing an argument)
        # must cross back exactly as a call's own effects do.
        encoded = encoder.encode(result)
        rng = torch.get_rng_state().numpy().tobytes()
        spent = _clock() - started
        return ["ok", _updates(arguments, decoder, encoder), encoded,
                None if rng == rng_before else rng, spent]  # fmt: skip
    except BaseException as error:  # every failure goes back as data, with the arguments as
        spent = _clock() - started  # the student's code left them (x restored, or not)
        kind, message = _failure(error, directory)
        try:
            updates = _updates(arguments, decoder, Encoder(arguments))
        except BaseException:
            updates = []
        return ["raise", kind, message, updates, spent]


def _chain(implementation: Any, name: str, first: Any, calls: Any, directory: Path) -> list[Any]:
    """The steps of :meth:`grader.check.implementation.Implementation.chain`: [each result,
    encoded (then pickled) by value when it was returned, and None, or [kind, message] of the
    exception that ended the chain]. A result changed in place by a later step (a parameter
    updated in place and returned) is still seen as it was, as the tests see it step by step."""
    steps: list[bytes] = []
    try:
        for current in implementation.chain(name, first, calls):
            steps.append(pickle.dumps(Encoder().encode(current)))
    except BaseException as error:  # the step's failure, after the steps before it
        return [steps, _failure(error, directory)]
    return [steps, None]


def _updates(arguments: list[Any], decoder: Decoder, encoder: Encoder) -> list[Any]:
    """The arguments the call changed in place, as [index, contents]."""
    updates = []
    for index, obj in enumerate(arguments):
        if isinstance(obj, torch.Tensor | dict | list | torch.Generator):
            contents = encoder.contents(obj)
            if contents != decoder.nodes.get(index):
                updates.append([index, contents])
    return updates


def _failure(error: BaseException, directory: Path) -> list[str]:
    """[kind, message] of an exception of the student's code, as it crosses back."""
    return [_kind(error, directory), _describe(error, directory)[:ERROR_TEXT_CHARS]]


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


def _limit(
    workdir: Path, output: int, limits: Limits, readable: tuple[str, ...], already_used: int = 0
) -> None:
    """Limits, output to the file open as ``output``, and the teaching audit hook. Called once,
    in the sandbox only, after its walls are up."""
    memory = limits.memory_bytes + already_used
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, nothing dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.environ["TMPDIR"] = tempfile.tempdir = str(workdir)  # the student's temporary files

    denied = (str(SOLUTIONS_DIR.resolve()),)
    sys.addaudithook(teaching_hook(readable, (str(workdir.resolve()),), denied))


def _close_inherited_descriptors(keep: int) -> None:
    """The test process's files and pipes (its results among them) are not the sandbox's."""
    os.closerange(3, keep)
    os.closerange(keep + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def fresh_command(
    fd: int,
    directory: Path,
    workdir: Path,
    output: Path,
    limits: Limits,
    exercise: str | None,
    functions: Path | None,
    cuda: bool,
    isolation: Isolation = Isolation.PROCESS,
) -> list[str]:
    """The command line of a sandbox in a fresh interpreter, holding the pipe's end ``fd``:
    :func:`serve`'s arguments as JSON, which :func:`main` reads back."""
    arguments = {
        "fd": fd, "directory": str(directory), "workdir": str(workdir), "output": str(output),
        "limits": asdict(limits), "exercise": exercise,
        "functions": None if functions is None else str(functions), "cuda": cuda,
        "isolation": str(isolation),
    }  # fmt: skip
    return [sys.executable, "-m", SERVER_MODULE, json.dumps(arguments)]


def main(arguments: str) -> None:
    """``python -m grader.sandbox.server ARGUMENTS``: a sandbox in a fresh interpreter, with
    ``ARGUMENTS`` the JSON that :func:`fresh_command` wrote."""
    given = json.loads(arguments)
    serve(
        Connection(given["fd"]),
        Path(given["directory"]),
        Path(given["workdir"]),
        Path(given["output"]),
        Limits(**given["limits"]),
        given["exercise"],
        None if given["functions"] is None else Path(given["functions"]),
        cuda=given["cuda"],
        isolation=Isolation(given["isolation"]),
    )


if __name__ == "__main__":
    main(sys.argv[1])
