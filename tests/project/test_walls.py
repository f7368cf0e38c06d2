"""The walls of each isolation level, put up in a child of this process and tried from inside.

The sandbox tests (test_sandbox.py) and the red-team class (test_redteam.py) run at the
strongest level this host gives; these try each level's own walls, the uid level included
(where the grader is root), even on a host that does not offer it for grading (its Python
installation is not readable by other users: the child here imports nothing new).
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from grader.core.isolation import level_walls
from grader.core.walls import Isolation, confine, enter_namespaces, sandbox_uid

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the walls are Linux's")


def tried_inside(
    level: Isolation, scratch: Path, secret: Path, own_uid: bool = False, hide: Path | None = None
) -> dict[str, object]:
    """Put ``level``'s walls up in a child, try to get out, and say what happened. ``own_uid``:
    a uid of its own inside the namespaces, under the grading process's umask (077)."""
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        said: dict[str, object] = {}
        try:
            os.close(read)
            uid = sandbox_uid(os.getpid())
            if level is Isolation.NAMESPACES:
                enter_namespaces(own_uid=own_uid)
            if own_uid:
                os.umask(0o077)
            walls = confine(level, scratch, {"mine.py": b"x = 1\n"}, ("/usr/lib",), uid=uid,
                            hide=(hide or secret.parent,))  # fmt: skip
            said["walls"] = walls.to_json()
            said["uid"] = os.getuid()
            said["own file"] = open("mine.py").read()  # noqa: SIM115
            if hide is not None:  # its parents are made again in what hides them
                said["own file by its path"] = open(scratch / "mine.py").read()  # noqa: SIM115
            for what, attempt in {
                "read the secret": lambda: open(secret).read(),  # noqa: SIM115
                "signal the parent": lambda: os.kill(parent, 0),
                "write outside": lambda: open(secret.parent / "out", "w"),  # noqa: SIM115
                "fork": os.fork,
            }.items():
                try:
                    result = attempt()
                    if what == "fork" and result == 0:
                        os._exit(0)
                    said[what] = "done"
                except OSError as error:
                    said[what] = error.errno
        except BaseException as error:
            said["error"] = repr(error)
        finally:
            os.write(write, json.dumps(said).encode())
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        said = json.loads(reader.read() or b"{}")
    os.waitpid(pid, 0)
    return said


@pytest.fixture
def places(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    tmp_path.chmod(0o711)
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    secret = secrets / "reference.py"
    secret.write_text("the answer\n")
    secret.chmod(0o600)
    return scratch, secret


@pytest.mark.parametrize("level", [Isolation.NAMESPACES, Isolation.UID])
def test_a_level_walls_its_process_in(places, level):
    if os.geteuid() != 0 and level is Isolation.UID:
        pytest.skip("a uid of its own needs a grader running as root")
    if level is Isolation.NAMESPACES and level_walls(level) is None:
        pytest.skip("no namespaces on this host")
    scratch, secret = places
    said = tried_inside(level, scratch, secret)
    assert "error" not in said, said
    assert said["own file"] == "x = 1\n"
    assert said["read the secret"] != "done"
    assert said["write outside"] != "done"
    assert said["signal the parent"] != "done"
    walls = said["walls"]
    if level is Isolation.UID:
        assert said["uid"] >= 1_500_000_000 and walls["own_uid"]
    if walls["seccomp"]:
        assert said["fork"] != "done"
    assert not (secret.parent / "out").exists()


@pytest.mark.parametrize("level", list(Isolation))
def test_a_level_makes_its_scratch_folder_when_there_is_none(places, level):
    """The start-up probe hands a scratch folder that does not exist yet; the uid level once
    failed there (chown of a missing folder), so it was never offered, even where it could be."""
    if os.geteuid() != 0 and level is Isolation.UID:
        pytest.skip("a uid of its own needs a grader running as root")
    if level is Isolation.NAMESPACES and level_walls(level) is None:
        pytest.skip("no namespaces on this host")
    scratch, secret = places
    scratch.rmdir()
    said = tried_inside(level, scratch / "deeper", secret)
    assert "error" not in said, said
    assert said["own file"] == "x = 1\n"


def test_namespaces_with_a_uid_of_its_own_reach_a_scratch_folder_under_a_hidden_one(places):
    """As root with a Python others can read, the namespaces level takes a uid of its own too;
    its scratch folder lies in the temporary folder, which it sees empty, so the folder's
    parents are made again there. Made under the grader's umask (077) they were closed to that
    uid, and a perfect submission earned 0 ("Permission denied" on its own module)."""
    if os.geteuid() != 0 or level_walls(Isolation.NAMESPACES) is None:
        pytest.skip("needs root and namespaces")
    _, secret = places
    with tempfile.TemporaryDirectory() as folder:  # in the temporary folder, as sessions are
        hidden = Path(folder)
        said = tried_inside(Isolation.NAMESPACES, hidden / "session" / "sandbox", secret,
                            own_uid=True, hide=hidden)  # fmt: skip
    assert "error" not in said, said
    assert said["walls"]["own_uid"] and said["uid"] >= 1_500_000_000
    assert said["own file by its path"] == "x = 1\n"
    assert said["read the secret"] != "done"


def test_the_process_level_is_the_audit_hook_alone(places):
    """No wall at all: the child can read what the grader can (why grade refuses it unasked)."""
    scratch, secret = places
    said = tried_inside(Isolation.PROCESS, scratch, secret)
    assert said["read the secret"] == "done" and said["walls"]["level"] == "process"


def test_a_signal_the_sandbox_sends_itself_ends_it(tmp_path):
    """Under its namespace's init, not as its process 1 (which ignores its own signals): a
    faulthandler._sigsegv() used to be ignored."""
    if level_walls(Isolation.NAMESPACES) is None:
        pytest.skip("no namespaces on this host")
    pid = os.fork()
    if pid == 0:
        try:
            enter_namespaces(own_uid=False)
            faulthandler.disable()  # pytest's handler would print a traceback first
            os.kill(os.getpid(), signal.SIGSEGV)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV
