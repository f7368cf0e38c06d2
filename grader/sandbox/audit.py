"""The sandbox's teaching audit hook: student code that opens the grader's files, starts a
process, sends a signal or loads a C library is told, in plain words, that grading does not
allow it. It is not the boundary (:mod:`grader.core.walls` is): a student who has read this
file can walk around a Python-level hook, and the kernel's walls still hold.
"""

from __future__ import annotations

import os
from typing import Any

DENIED_EVENTS = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill", "socket.connect",
    "socket.bind", "socket.sendto", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
    "os.chdir", "os.setuid", "resource.setrlimit", "sys.setprofile", "sys.settrace",
}  # fmt: skip


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def teaching_hook(
    readable: tuple[str, ...], writable: tuple[str, ...], denied: tuple[str, ...]
) -> Any:
    """An audit hook refusing, with a clear message, the routines a sandbox has no use for
    (:data:`DENIED_EVENTS`) and opening files outside ``readable`` (or ``writable`` for
    writing) or inside ``denied``. It teaches; the walls are what hold (an audit hook can be
    walked around by code that reads its source)."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in DENIED_EVENTS:
            raise PermissionError(f"{event} is not allowed while grading")
        if event != "open" or not args or not isinstance(args[0], str | bytes | os.PathLike):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if path == os.devnull or path.startswith("/proc/self/"):
            return
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = any(c in mode for c in "wax+") or bool(flags & (os.O_WRONLY | os.O_RDWR))
        roots = writable if writing else readable + writable
        if any(_inside(path, root) for root in denied) or not any(
            _inside(path, root) for root in roots
        ):
            raise PermissionError(f"opening {path} is not allowed while grading")

    return hook
