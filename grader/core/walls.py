"""Putting a sandbox's walls up, in the sandbox, before any student code runs: namespaces, a
private scratch folder, a uid of its own, Landlock, seccomp. What each level means, and how the
grader chooses one: :mod:`grader.core.isolation`. A leaf module (imports of grader only the exit
status of a sandbox that failed: :mod:`grader.core.exits`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import enum
import errno
import os
import resource
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.core.exits import SANDBOX_FAILED


class Isolation(enum.StrEnum):
    """How a sandbox is kept apart from everything else, strongest first."""

    NAMESPACES = "namespaces"
    UID = "uid"
    PROCESS = "process"


UID_BASE = 1_500_000_000  # a sandbox runs as UID_BASE + a pid: no account, unique while it lives
SANDBOX_PROCESSES = 16  # RLIMIT_NPROC of a sandbox's uid: threads count (torch may start a few)
SCRATCH_BYTES = 64 << 20  # the private tmpfs of a sandbox at the namespaces level
SCRATCH_FILES = 4096  # ... and its inodes
# What every program needs to read: the shared libraries and the loader's cache. No secrets.
SYSTEM_READABLE = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib",
                   "/etc/ld.so.cache", "/etc/localtime")  # fmt: skip
DEVICES_READABLE = ("/dev/urandom", "/dev/random", "/dev/zero")
CUDA_DEVICES = "/dev/nvidia*"  # the GPU's device files (nvidiactl, nvidia0, nvidia-uvm, ...)
# Syscalls a sandbox is refused (EPERM), beside clone without CLONE_THREAD and clone3 (ENOSYS,
# so that the C library falls back to clone for threads).
DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
    "pidfd_getfd", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
    "open_tree", "fsopen", "fsmount", "bpf", "perf_event_open", "keyctl", "add_key",
    "request_key", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "name_to_handle_at", "open_by_handle_at", "setsid", "setpgid", "personality", "acct",
    "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "quotactl",
)  # fmt: skip

_CLONE_THREAD = 0x00010000
_NAMESPACE_FLAGS = {  # unshare(2)
    "mount": 0x00020000, "uts": 0x04000000, "ipc": 0x08000000, "pid": 0x20000000,
    "network": 0x40000000,
}  # fmt: skip
_CLONE_NEWUSER = 0x10000000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
_PR_SET_PDEATHSIG = 1


class IsolationError(RuntimeError):
    """The level asked for cannot be had here (said before any student code ran)."""


@dataclass(frozen=True)
class Walls:
    """The isolation in force: its level and the kernel's layers on top (recorded everywhere a
    grade is)."""

    level: Isolation
    landlock: int = 0  # the Landlock ABI applied (0: none)
    seccomp: bool = False
    own_uid: bool = False  # an unprivileged uid of its own (else the grader's, no capabilities)

    def describe(self) -> str:
        """One line for the outputs: ``namespaces, own uid, Landlock ABI 7, seccomp``; without
        a uid of its own, the sandbox keeps the grader's, with no capability outside its own
        namespaces."""
        parts = [str(self.level)]
        if self.level is not Isolation.PROCESS:
            parts.append("own uid" if self.own_uid else "grader's uid, no capability outside")
        if self.landlock:
            parts.append(f"Landlock ABI {self.landlock}")
        if self.seccomp:
            parts.append("seccomp")
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {"level": str(self.level), "landlock": self.landlock, "seccomp": self.seccomp,
                "own_uid": self.own_uid}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Walls:
        return cls(Isolation(str(data["level"])), int(data.get("landlock", 0)),  # type: ignore[arg-type]
                   bool(data.get("seccomp")), bool(data.get("own_uid")))  # fmt: skip


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise IsolationError(f"{what}: {os.strerror(number)} (errno {number})")


def landlock_abi() -> int:
    """The kernel's Landlock ABI (0: none, or the binding is missing)."""
    try:
        import landlockpy
    except ImportError:
        return 0
    return landlockpy.abi_version() if sys.platform == "linux" else 0


def seccomp_available() -> bool:
    """Whether libseccomp and its binding are here."""
    try:
        import pyseccomp  # noqa: F401  (raises RuntimeError without libseccomp)
    except (ImportError, RuntimeError, OSError):
        return False
    return sys.platform == "linux"


def others_can_read(folders: tuple[str, ...]) -> bool:
    """Whether a uid of no group can read ``folders`` (each, and reach it through its parents):
    a sandbox with a uid of its own must still import the standard library (a Python
    installed under /root, as pyenv does, is not readable so)."""
    for folder in folders:
        path = Path(folder)
        try:
            if path.stat().st_mode & 0o005 != 0o005:
                return False
            if any(not parent.stat().st_mode & 0o001 for parent in path.parents):
                return False
        except OSError:
            return False
    return True


def enter_namespaces(own_uid: bool) -> None:
    """Leave the grader's namespaces: new PID, mount, network, IPC and UTS namespaces, and a
    user namespace mapping only the caller's own ids, unless the caller is root and the sandbox
    gets a uid of its own (``own_uid``). Three processes come of the caller:

    * the keeper: the caller's pid, which the test process waits for and kills (its process
      group) as before; outside the namespaces; it dies as the sandbox died;
    * an init, process 1 of the new PID namespace (a signal a process sends itself is ignored
      by a namespace's process 1, so the sandbox is not it): it reaps, and tells the keeper
      how the sandbox ended; everything in the namespace dies with it;
    * the sandbox, process 2, which returns from here.
    """
    global _in_user_namespace
    user = not (own_uid and os.geteuid() == 0)
    uid, gid = os.getuid(), os.getgid()
    flags = sum(_NAMESPACE_FLAGS.values()) | (_CLONE_NEWUSER if user else 0)
    _check(_libc().unshare(flags), "unshare")
    _in_user_namespace = user
    if user:  # map our own ids into the user namespace (nothing else is mapped)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    status_read, status_write = os.pipe()
    init = os.fork()
    if init:
        _keep(init, status_read)
    _check(_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    sandbox = os.fork()
    if sandbox:
        _init(sandbox, status_write)
    os.close(status_read)
    os.close(status_write)


_in_user_namespace = False  # this process entered a user namespace (no other uid is mapped)


def _close_all_but(keep: int) -> None:
    os.closerange(0, keep)
    os.closerange(keep + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def _keep(init: int, status: int) -> None:
    """The keeper: wait for the init, then die as the sandbox died (as the init said)."""
    _close_all_but(status)
    _, own = _wait_for(init)
    said = os.read(status, 32).decode(errors="replace").strip()
    ended = int(said) if said.lstrip("-").isdigit() else own
    if os.WIFSIGNALED(ended):
        number = os.WTERMSIG(ended)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(ended) & 0xFF if os.WIFEXITED(ended) else SANDBOX_FAILED)


def _init(sandbox: int, status: int) -> None:
    """Process 1 of the namespace: reap until the sandbox ends, then say how, and end (the
    kernel then kills whatever else is in the namespace)."""
    _close_all_but(status)
    while True:
        pid, ended = _wait_for(-1)
        if pid in (sandbox, 0):
            break
    os.write(status, str(ended).encode())
    os._exit(0)


def _wait_for(pid: int) -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0, SANDBOX_FAILED << 8


def sandbox_uid(pid: int) -> int:
    """The uid of the sandbox whose (outer) process is ``pid``."""
    return UID_BASE + pid


def confine(
    level: Isolation,
    scratch: Path,
    files: dict[str, bytes],
    readable: tuple[str, ...] = (),
    devices: tuple[str, ...] = (),
    uid: int | None = None,
    hide: tuple[Path, ...] = (),
) -> Walls:
    """Put the walls of ``level`` up around this process: a private ``scratch`` folder holding
    ``files`` (the student's modules, read before), nothing else writable; ``readable``: the
    folders it may read (the Python installation); ``devices``: device files it may use (the
    GPU's). ``uid``: the sandbox's own (``sandbox_uid``), taken where the grader is root and
    others can read ``readable``. ``hide``: folders emptied in its view (namespaces). Raises
    :class:`IsolationError` when a wall of ``level``
    cannot be put up; Landlock and seccomp are applied where the kernel has them, and reported
    in the :class:`Walls` returned."""
    if level is not Isolation.NAMESPACES:  # there: a tmpfs of its own, made below
        scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    if level is Isolation.PROCESS:
        _place(scratch, files)
        os.chdir(scratch)
        return Walls(level)
    layers = landlock_abi(), seccomp_available()  # imported now: the walls may hide them
    own = (uid is not None and os.geteuid() == 0 and not _in_user_namespace
           and others_can_read(readable))  # fmt: skip
    if level is Isolation.UID and not own:
        raise IsolationError(
            "a uid of its own needs a grader running as root and a Python installation that "
            f"other users can read ({', '.join(readable[:2])} ...: chmod o+rx)"
        )
    if level is Isolation.NAMESPACES:
        _mount_scratch(scratch, uid if own else None, hide, readable)
    elif own and uid is not None:
        os.chown(scratch, uid, uid)
        os.chmod(scratch, 0o700)
    _place(scratch, files, uid if own else None)
    os.chdir(scratch)  # now: its parents may not be open to its uid, its own folder is
    if own and uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (SANDBOX_PROCESSES, SANDBOX_PROCESSES))
    _check(_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    abi = _landlock(Path("."), readable, devices) if layers[0] else 0
    secured = _seccomp() if layers[1] else False
    return Walls(level, abi, secured, own)


def _mount_scratch(
    scratch: Path, uid: int | None, hide: tuple[Path, ...], readable: tuple[str, ...]
) -> None:
    """In this mount namespace only: an empty tmpfs over each folder of ``hide`` (the grading
    session's, the temporary folder where the other sessions are, the reference and the
    tests), unless it holds a ``readable`` one; then a private tmpfs of bounded size on
    ``scratch``."""
    libc = _libc()
    _check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    for folder in sorted({p.resolve() for p in hide if p.is_dir()}, key=lambda p: len(p.parts)):
        if any(Path(r).resolve().is_relative_to(folder) for r in readable) or not folder.is_dir():
            continue
        options = b"size=1m,nr_inodes=64,mode=0711"
        _check(libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                          options), f"mount tmpfs on {folder}")  # fmt: skip
    _make_folders(scratch, 0o711)  # its parents too, open to its uid whatever the umask
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    options = f"size={SCRATCH_BYTES},nr_inodes={SCRATCH_FILES},mode=0700{owner}".encode()
    target = os.fsencode(scratch)
    _check(libc.mount(b"tmpfs", target, b"tmpfs", _MS_NOSUID | _MS_NODEV, options), "mount tmpfs")


def _make_folders(path: Path, mode: int) -> None:
    """``path`` and its missing parents, each with exactly ``mode`` (the grading process's
    umask, 077, would leave new parents closed to the sandbox's own uid)."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir()
        os.chmod(folder, mode)


def _place(scratch: Path, files: dict[str, bytes], uid: int | None = None) -> None:
    for name, content in files.items():
        path = scratch / name
        path.write_bytes(content)
        if uid is not None:
            os.chown(path, uid, uid)


def _landlock(scratch: Path, readable: tuple[str, ...], devices: tuple[str, ...]) -> int:
    """Files only where listed; no TCP; no signal or abstract socket out of this domain."""
    abi = landlock_abi()
    from landlockpy import AccessFS, Ruleset, Scope

    read = AccessFS.READ_FILE | AccessFS.READ_DIR | AccessFS.EXECUTE
    read_file = AccessFS.READ_FILE
    device = AccessFS.READ_FILE | AccessFS.WRITE_FILE | AccessFS.IOCTL_DEV
    with Ruleset(scoped=Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET) as ruleset:
        for path in (*readable, *SYSTEM_READABLE):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                ruleset.allow_path(path, read if os.path.isdir(path) else read_file)
        for path in DEVICES_READABLE:
            with contextlib.suppress(FileNotFoundError):
                ruleset.allow_path(path, read_file)
        ruleset.allow_path(os.devnull, AccessFS.READ_FILE | AccessFS.WRITE_FILE)
        for path in devices:
            with contextlib.suppress(FileNotFoundError):
                ruleset.allow_path(path, device)
        everything = ruleset.handled_fs & ~AccessFS.EXECUTE & ~AccessFS.IOCTL_DEV
        ruleset.allow_path(scratch, everything)
        ruleset.restrict()
    return abi


def _seccomp() -> bool:
    """No new process, no tracing, no new namespace or mount (see ``DENIED_SYSCALLS``)."""
    import pyseccomp

    refuse = pyseccomp.ERRNO(errno.EPERM)
    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    rules.add_rule(refuse, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, _CLONE_THREAD, 0))
    rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    for name in DENIED_SYSCALLS:
        with contextlib.suppress(Exception):  # a name this architecture does not have
            rules.add_rule(refuse, name)
    rules.load()
    return True
