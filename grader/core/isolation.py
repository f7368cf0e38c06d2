"""The operating system's wall around a sandbox: what student code can reach, whatever it runs.

The audit hook of :mod:`grader.sandbox.server` teaches (it refuses the forbidden routines with
a clear message), but Python's audit hooks are no security boundary (PEP 578): code that calls
``os.replace``, ``os.link``, ``_posixsubprocess.fork_exec`` or a raw syscall goes around them.
The boundary is the kernel's. A sandbox is confined at one of three levels, strongest first:

``namespaces``
    Its own PID, network, IPC, UTS and mount namespaces (a user namespace too where the grader
    is not root): it is process 1 of a namespace holding nothing else, so no other process can
    be named, signalled or traced, and everything it started dies with it; no network at all.
    Its scratch folder is a private tmpfs of bounded size and file count. Then, as at ``uid``:
``uid``
    An unprivileged uid of its own (``UID_BASE`` + a pid, no account's), so the files of the
    grader (mode 0600/0700, owned by root) are unreadable and no process of another uid can be
    signalled or traced; a bounded number of processes (``RLIMIT_NPROC``); on Linux:
``process``
    Today's process-level isolation only: a separate process with rlimits and the audit hook.
    ``grade`` uses it only when asked (``--isolation process``), and every output says so.

On top of ``namespaces`` and ``uid``, where the kernel has them (both are recorded):

* **Landlock** (the kernel's own unprivileged access control, through the ``landlockpy``
  binding): files only under the Python installation and the system libraries (read), the
  scratch folder (read, write), ``/dev/null``; no listing, linking or renaming anywhere else;
  no TCP; no signal and no abstract socket out of its own domain.
* **seccomp** (through the ``pyseccomp`` binding of libseccomp): no new process (``fork``,
  ``vfork``, ``clone`` other than a thread, ``execve``), no ``ptrace``, no access to another
  process's memory, no new namespace or mount, no ``bpf``, ``perf_event_open``, keyrings or
  ``io_uring``: fork storms and shells are impossible, not merely bounded.

Why not bubblewrap or nsjail: both start a new program (``execve``), and a sandbox is forked
from a test process that has torch imported (1.6 s saved per exercise, the difference between
a 1.1x and a 2x grading cost); the kernel mechanisms they use are applied here instead, each
through a maintained binding (``landlockpy``, ``pyseccomp``) or a single syscall (``unshare``,
``mount``, ``setresuid``). ``docs/GRADER.md`` has the threat model and the tests of each wall.

The grader chooses and records the level (this module); the sandbox puts the walls up
(:mod:`grader.core.walls`). Both are leaf modules (of grader they import only core's).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
from pathlib import Path

from grader.core.walls import (
    Isolation,
    Walls,
    confine,
    enter_namespaces,
    others_can_read,
    sandbox_uid,
)

__all__ = ["Isolation", "Walls", "level_walls", "python_installation", "strongest", "sweep"]


def sweep(uid: int) -> None:
    """Kill every process of ``uid`` (what a ``uid``-level sandbox may have left): a child that
    becomes ``uid`` and signals every process it may, i.e. that uid's, until none is left."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(100):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@functools.cache
def strongest() -> Walls:
    """The strongest isolation this host gives, found by trying each level in a child. The
    namespaces level counts only with a second wall around files (Landlock, or a uid of its
    own): namespaces alone leave the grader's files readable by the grader's uid."""
    for level in (Isolation.NAMESPACES, Isolation.UID):
        walls = _try(level)
        if walls is not None and (walls.landlock or walls.own_uid):
            return walls
    return Walls(Isolation.PROCESS)


def level_walls(level: Isolation | None) -> Walls | None:
    """The walls of ``level`` on this host (None: it cannot give them), or with None the
    strongest it gives."""
    if level is None:
        return strongest()
    if level is Isolation.PROCESS:
        return Walls(level)
    return _try(level)


def _try(level: Isolation) -> Walls | None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="isolation-probe-") as folder:
        scratch = Path(folder)
        os.chmod(scratch, 0o711)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the probe: put the walls up, say which, exit
            code = 1
            try:
                os.close(read)
                uid = sandbox_uid(os.getpid())
                readable = python_installation()
                if level is Isolation.NAMESPACES:
                    enter_namespaces(others_can_read(readable))
                walls = confine(level, scratch / "scratch", {"probe.py": b""}, readable, uid=uid,
                                hide=(scratch,))  # fmt: skip
                os.write(write, json.dumps(walls.to_json()).encode())
                code = 0
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        with os.fdopen(read, "rb") as reader:
            said = reader.read(4096)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            return Walls.from_json(json.loads(said))
        except (ValueError, KeyError, TypeError):
            return None


def python_installation() -> tuple[str, ...]:
    """The folders of the Python installation (the standard library, site-packages)."""
    import sysconfig

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple(sorted({sysconfig.get_paths()[name] for name in names}))
