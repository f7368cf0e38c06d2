"""The sandbox: student code runs in another process, as plain data, within limits.

Each test writes a small "submission" and calls it through a Sandbox, as the grader will.
"""

from __future__ import annotations

import ast
import contextlib
import os
import sys
from pathlib import Path

import pytest
import torch

from grader.check.forbidden import ForbiddenCallError
from grader.check.plugin import NotAttemptedSkip
from grader.core.isolation import strongest
from grader.core.outcomes import ImplementationError, MissingFunction
from grader.core.paths import PROJECT_ROOT
from grader.sandbox.client import Sandbox, SandboxedImplementation, StudentError
from grader.sandbox.codec import SandboxError
from grader.sandbox.limits import Limits

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox uses Linux limits")
QUICK = Limits(call_seconds=10)
# A sandbox is forked, or (for CUDA, which cannot run in a fork of a process that has used it)
# started as a fresh interpreter. The tests marked so run both ways; the fresh one is slower.
BOTH_STARTS = pytest.mark.parametrize("sandbox_for", ["fork", "fresh"], indirect=True)


@pytest.fixture
def sandbox_for(tmp_path, request):
    """sandbox_for(source, name="activations") -> a SandboxedImplementation of that source."""
    started = []
    fresh = getattr(request, "param", "fork") == "fresh"

    def make(source: str, name: str = "activations", limits: Limits = QUICK):
        submission = tmp_path / f"submission{len(started)}"
        submission.mkdir()
        (submission / f"{name}.py").write_text(source, encoding="utf-8")
        workdir = tmp_path / f"work{len(started)}"
        workdir.mkdir()
        sandbox = Sandbox(submission, workdir, limits, fresh=fresh, isolation=strongest().level)
        started.append(sandbox)
        return SandboxedImplementation(sandbox, name)

    yield make
    for sandbox in started:
        sandbox.close()


@BOTH_STARTS
def test_calls_cross_as_plain_data(sandbox_for):
    impl = sandbox_for("import torch\n\ndef relu(x):\n    return x.clamp(min=0)\n")
    x = torch.tensor([-1.0, 2.0], dtype=torch.float64)
    result = impl.relu(x)
    assert type(result) is torch.Tensor and result.dtype == torch.float64
    assert result.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]


def test_a_tensor_that_equals_anything_comes_back_as_its_data(sandbox_for):
    source = (
        "import torch\n\n"
        "class Liar(torch.Tensor):\n"
        "    def __eq__(self, other):\n"
        "        return True\n\n"
        "def relu(x):\n"
        "    return torch.zeros(3).as_subclass(Liar)\n"
    )
    result = sandbox_for(source).relu(torch.ones(3))
    assert type(result) is torch.Tensor and not torch.equal(result, torch.ones(3))


@BOTH_STARTS
def test_in_place_changes_and_identity_are_mirrored(sandbox_for):
    source = (
        "def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):\n"
        "    state['steps'] = state.get('steps', 0) + 1\n"
        "    state['buf'] = grad  # aliases the caller's gradient\n"
        "    param.sub_(lr * grad)\n"
        "    return param\n"
    )
    impl = sandbox_for(source, "optimizers")
    param, grad, state = torch.ones(2), torch.full((2,), 0.5), {}
    returned = impl.sgd_step(param, grad, state, lr=1.0)
    assert returned is param and param.tolist() == [0.5, 0.5]
    assert state["steps"] == 1 and state["buf"] is grad


def test_a_generator_argument_advances_as_if_used_here(sandbox_for):
    source = (
        "import torch\n\n"
        "def dropout_mask(shape, p, *, generator=None):\n"
        "    return torch.rand(shape, generator=generator)\n"
    )
    impl = sandbox_for(source, "regularization")
    generator = torch.Generator().manual_seed(0)
    first, second = (
        impl.dropout_mask((3,), 0.5, generator=generator),
        impl.dropout_mask((3,), 0.5, generator=generator),
    )
    expected = torch.rand(6, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.cat([first, second]), expected)


def test_a_batch_of_calls_is_the_same_as_calling_one_by_one(sandbox_for):
    """call_many: one round trip, but a generator shared by the calls advances from call to
    call and ends where sequential calls leave it; a missing function fails as usual."""
    source = (
        "import torch\n\n"
        "def dropout_mask(shape, p, *, generator=None):\n"
        "    return torch.rand(shape, generator=generator)\n"
    )
    impl = sandbox_for(source, "regularization")
    shared = torch.Generator().manual_seed(0)
    calls = [(((2,), 0.5), {"generator": shared}), (((3,), 0.5), {"generator": shared})]
    batch = impl.call_many("dropout_mask", calls)
    here = torch.Generator().manual_seed(0)
    expected = [torch.rand(2, generator=here), torch.rand(3, generator=here)]
    assert all(torch.equal(a, b) for a, b in zip(batch, expected, strict=True))
    assert torch.equal(shared.get_state(), here.get_state())
    with pytest.raises(MissingFunction):
        impl.call_many("dropout", calls)


IN_PLACE_SGD = (
    "def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):\n"
    "    state['steps'] = state.get('steps', 0) + 1\n"
    "    if state['steps'] == 3:\n"
    "        raise ValueError('no third step')\n"
    "    param.sub_(lr * grad)  # in place, and returned: the next step gets the same tensor\n"
    "    return param\n"
)


@BOTH_STARTS
@pytest.mark.parametrize("where", ["in-process", "sandboxed"])
def test_a_chain_of_steps_is_the_same_as_calling_one_by_one(sandbox_for, tmp_path, where):
    """chain: each result as it was when returned (a parameter updated in place is not seen
    with the later steps' updates), the state shared by the steps and mirrored back, and the
    exception that ended the chain raised after the results before it, as in-process."""
    from grader.check.implementation import load

    if where == "sandboxed":
        impl = sandbox_for(IN_PLACE_SGD, "optimizers")
    else:
        (tmp_path / "optimizers.py").write_text(IN_PLACE_SGD, encoding="utf-8")
        impl = load(tmp_path, "optimizers")
    first, state = torch.zeros(2), {}
    calls = [((torch.ones(2), state), {"lr": 1.0}) for _ in range(4)]
    seen = []
    with pytest.raises(ValueError, match="no third step"):
        for result in impl.chain("sgd_step", first, calls):
            seen.append(result.tolist())
    assert seen == [[-1.0, -1.0], [-2.0, -2.0]]
    assert state == {"steps": 3} and first.tolist() == [-2.0, -2.0]
    with pytest.raises(MissingFunction):
        list(impl.chain("adam_step", first, calls))


def test_a_chain_that_reaches_a_stub_is_not_attempted(sandbox_for):
    impl = sandbox_for("def sgd_step(param, grad, state, *, lr):\n    raise NotImplementedError\n",
                       "optimizers")  # fmt: skip
    with pytest.raises(NotAttemptedSkip):
        next(impl.chain("sgd_step", torch.zeros(1), [((torch.ones(1), {}), {"lr": 1.0})]))


def test_a_lazy_generator_draws_as_if_consumed_here(sandbox_for):
    """A generator function whose draws happen while it is consumed (the natural minibatches):
    the caller's generator and the global RNG end where they would in one process, so two
    epochs differ and a reseed repeats them (the sandbox consumes the iterator in the call)."""
    source = (
        "import torch\n\n"
        "def minibatches(n, batch_size, *, shuffle=True, generator=None):\n"
        "    order = torch.randperm(n, generator=generator)\n"
        "    for start in range(0, n, batch_size):\n"
        "        yield order[start:start + batch_size]\n"
    )
    impl = sandbox_for(source, "datasets")

    def epochs(minibatches, generator):
        return [[b.tolist() for b in minibatches(10, 4, generator=generator)] for _ in range(2)]

    for make in (lambda: torch.Generator().manual_seed(3), lambda: None):
        torch.manual_seed(5)
        here_generator = make()
        here = epochs(lambda *a, **k: iter(torch.randperm(10, generator=k["generator"]).split(4)),
                      here_generator)  # fmt: skip
        after_here = torch.rand(1)
        torch.manual_seed(5)
        there_generator = make()
        there = epochs(impl.minibatches, there_generator)
        assert there == here and there[0] != there[1]
        assert torch.equal(torch.rand(1), after_here)  # the global RNG advanced alike
        if there_generator is not None:
            assert torch.equal(there_generator.get_state(), here_generator.get_state())


def test_the_exercise_budget_counts_the_students_time_only(sandbox_for, monkeypatch):
    """time_left goes down by what the student's code took (a 0.3 s sleep), not by the round
    trip; a call that runs past what is left (plus the grace) is stopped with the exercise's
    message, and the exercise is marked timed out."""
    monkeypatch.setattr("grader.sandbox.client.CALL_GRACE_SECONDS", 0.5)
    source = (
        "import time\n\n"
        "def relu(x):\n    time.sleep(0.3)\n    return x\n\n"
        "def sigmoid(x):\n    time.sleep(30)\n    return x\n"
    )
    impl = sandbox_for(source)
    sandbox = impl._sandbox
    sandbox.time_left, sandbox.wall_left = 1.0, 100.0
    sandbox.time_limit_message = "out of time"
    impl.relu(torch.zeros(1))
    assert 0.6 <= sandbox.time_left <= 0.72
    impl.relu(torch.zeros(1))
    assert 0.3 <= sandbox.time_left <= 0.42
    with pytest.raises(SandboxError, match="out of time"):
        impl.sigmoid(torch.zeros(1))
    assert sandbox.timed_out


def test_a_budget_longer_than_the_per_call_limit_still_ends_as_a_timeout(sandbox_for, monkeypatch):
    """With an exercise budget (grade --timeout 120) a hang is stopped by that budget and the
    exercise is marked timed out ("t" in the gradebook), however short the per-call limit (60 s
    by default, 1 s here): it used to be stopped by the per-call limit, as an ordinary failure."""
    monkeypatch.setattr("grader.sandbox.client.CALL_GRACE_SECONDS", 0.5)
    impl = sandbox_for("import time\n\ndef relu(x):\n    time.sleep(30)\n    return x\n",
                       limits=Limits(call_seconds=1))  # fmt: skip
    sandbox = impl._sandbox
    sandbox.time_left, sandbox.wall_left = 2.0, 100.0
    sandbox.time_limit_message = "out of time"
    with pytest.raises(SandboxError, match="out of time"):
        impl.relu(torch.zeros(1))
    assert sandbox.timed_out


@BOTH_STARTS
def test_the_global_rng_is_shared_as_if_the_calls_ran_here(sandbox_for):
    """The state crosses only when it changed: reseeding here, draws there, draws here between
    calls and calls that draw nothing must all interleave as in one process."""
    source = (
        "import torch\n\n"
        "def dropout_mask(shape, p, *, generator=None):\n"
        "    return torch.rand(shape)\n\n"
        "def dropout(x, p, *, training=True, generator=None):\n"
        "    return x\n"
    )
    impl = sandbox_for(source, "regularization")

    def run(mask, dropout):
        torch.manual_seed(1)
        a, b = mask((3,), 0.5), mask((3,), 0.5)
        between = torch.rand(2)
        dropout(torch.zeros(1), 0.5)
        c = mask((3,), 0.5)
        torch.manual_seed(1)
        return [a, b, between, c, mask((3,), 0.5), torch.rand(1)]

    here = run(lambda shape, p: torch.rand(shape), lambda x, p: x)
    there = run(impl.dropout_mask, impl.dropout)
    for expected, actual in zip(here, there, strict=True):
        assert torch.equal(actual, expected)


def test_student_exceptions_keep_their_type(sandbox_for):
    impl = sandbox_for("def relu(x):\n    raise ValueError('p must be in [0, 1]')\n")
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        impl.relu(torch.zeros(1))


def test_an_error_points_at_the_students_line(sandbox_for):
    impl = sandbox_for("def relu(x):\n    y = x + 1\n    return y.no_such_method()\n")
    with pytest.raises(AttributeError, match=r"at activations\.py, line 3: return y\.no_such"):
        impl.relu(torch.zeros(1))


@BOTH_STARTS
def test_a_stub_is_not_attempted(sandbox_for):
    impl = sandbox_for("def relu(x):\n    raise NotImplementedError('relu() is not written yet')\n")
    with pytest.raises(NotAttemptedSkip, match="not written yet"):
        impl.relu(torch.zeros(1))


@BOTH_STARTS
def test_forbidden_routines_stay_forbidden(sandbox_for):
    impl = sandbox_for("import torch\n\ndef relu(x):\n    return torch.relu(x)\n")
    with pytest.raises(ForbiddenCallError, match=r"torch\.relu is not allowed"):
        impl.relu(torch.zeros(1))


def test_exit_on_import_is_a_clear_error(sandbox_for):
    with pytest.raises(ImplementationError, match=r"importing activations\.py failed"):
        sandbox_for("import sys\nsys.exit(0)\n")


@pytest.mark.parametrize(
    "ending", ["import os\n    os._exit(0)", "import ctypes\n    ctypes.string_at(0)"]
)
def test_a_process_that_dies_costs_only_the_calls_of_that_function(sandbox_for, ending):
    """The function whose call ended the sandbox fails that call and is not called again; the
    exercise's other functions answer from a fresh sandbox, within the same time budget."""
    impl = sandbox_for(f"def relu(x):\n    {ending}\n\ndef sigmoid(x):\n    return x\n")
    sandbox = impl._sandbox
    sandbox.time_left = sandbox.wall_left = 100.0  # the exercise's budget, as the plugin sets it
    crashes = []
    sandbox.on_crash = crashes.append
    with pytest.raises(SandboxError, match=r"ended the process running it during activations\."
                                           r"relu\(\)"):  # fmt: skip
        impl.relu(torch.zeros(1))
    assert list(sandbox.crashed) == ["relu"] and len(crashes) == 1
    left = sandbox.time_left
    assert torch.equal(impl.sigmoid(torch.ones(2)), torch.ones(2))
    assert impl.call_many("sigmoid", [((torch.ones(1),), {})]) == [torch.ones(1)]
    assert 0 < sandbox.time_left <= left, "the budget goes on, it does not start again"
    with pytest.raises(SandboxError, match=r"relu\(\) ended the process .* not called again"):
        impl.call_many("relu", [((torch.zeros(1),), {})])
    assert len(crashes) == 1


def test_a_module_that_kills_its_sandbox_on_import_is_not_started_again(tmp_path):
    """Every call would load it again and die again: its exercise's calls all fail at once."""
    submission = tmp_path / "submission"
    submission.mkdir()
    source = "import ctypes\nctypes.string_at(0)\n\ndef relu(x):\n    return x\n"
    (submission / "activations.py").write_text(source, encoding="utf-8")
    (tmp_path / "work").mkdir()
    sandbox = Sandbox(submission, tmp_path / "work", QUICK, isolation=strongest().level)
    try:
        with pytest.raises(SandboxError, match="ended the process running it during the import"):
            SandboxedImplementation(sandbox, "activations")
        with pytest.raises(SandboxError, match="remaining calls of this exercise cannot run"):
            SandboxedImplementation(sandbox, "activations")
        assert list(sandbox.crashed) == []  # no function of it ever ran
    finally:
        sandbox.close()


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ("raise SystemExit(3)", StudentError, r"your code called sys\.exit\(3\)"),
        ("raise KeyboardInterrupt", StudentError, "your code raised KeyboardInterrupt"),
        ("return bytearray(3 << 30)", MemoryError, None),  # past the 1 GiB limit below
    ],
)
def test_exit_interrupt_and_memory_errors_are_errors_of_that_call_only(
    sandbox_for, body, error, message
):
    """sys.exit, Ctrl-C and a failed allocation inside a call fail that call; the sandbox lives
    on and the exercise's other functions still answer."""
    limits = Limits(call_seconds=10, memory_bytes=1 << 30)
    source = f"def relu(x):\n    {body}\n\ndef sigmoid(x):\n    return x\n"
    impl = sandbox_for(source, limits=limits)
    with pytest.raises(error, match=message):
        impl.relu(torch.zeros(1))
    assert torch.equal(impl.sigmoid(torch.ones(2)), torch.ones(2))


@BOTH_STARTS
def test_a_hang_is_stopped_at_the_time_limit(sandbox_for):
    impl = sandbox_for(
        "def relu(x):\n    while True:\n        pass\n", limits=Limits(call_seconds=1)
    )
    with pytest.raises(SandboxError, match=r"did not return within 1 s"):
        impl.relu(torch.zeros(1))


def test_monkeypatching_in_the_sandbox_does_not_reach_the_tests(sandbox_for):
    source = (
        "import torch, pytest\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.equal = lambda *a, **k: True\n"
        "pytest.fail = lambda *a, **k: None\n\n"
        "def relu(x):\n    return x\n"
    )
    sandbox_for(source).relu(torch.zeros(1))
    assert not torch.equal(torch.zeros(1), torch.ones(1))
    with pytest.raises(AssertionError):
        torch.testing.assert_close(torch.zeros(1), torch.ones(1))


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (f"open({str(PROJECT_ROOT / 'solutions' / 'activations.py')!r}).read()", "opening"),
        (f"open({str(PROJECT_ROOT / 'tests' / 'support.py')!r}, 'a').write('x')", "opening"),
        ("open('/etc/hostname').read()", "opening"),
        ("__import__('subprocess').run(['true'])", "subprocess.Popen"),
        ("__import__('os').system('true')", "os.system"),
        (f"__import__('os').kill({os.getpid()}, 9)", "os.kill"),
        ("__import__('socket').create_connection(('127.0.0.1', 9))", "socket.connect"),
    ],
)
def test_the_sandbox_refuses(sandbox_for, body, what):
    impl = sandbox_for(f"def relu(x):\n    {body}\n    return x\n")
    with pytest.raises(
        Exception, match=rf"{what}.* is not allowed while grading|{what} is not allowed"
    ):
        impl.relu(torch.zeros(1))


@pytest.mark.parametrize("sandbox_for", ["fresh"], indirect=True)
def test_a_fresh_sandbox_has_the_same_limits(sandbox_for):
    """The fresh interpreter (CUDA's) is confined as a fork is: memory, files, processes."""
    source = (
        "def relu(x):\n    return bytearray(3 << 30)\n\n"
        f"def sigmoid(x):\n    open({str(PROJECT_ROOT / 'solutions' / 'activations.py')!r})\n\n"
        "def tanh(x):\n    __import__('subprocess').run(['true'])\n\n"
        "def softmax(x):\n    import os\n    os._exit(0)\n"
    )
    impl = sandbox_for(source, limits=Limits(call_seconds=10, memory_bytes=1 << 30))
    with pytest.raises(MemoryError):
        impl.relu(torch.zeros(1))
    with pytest.raises(StudentError, match=r"opening .* is not allowed while grading"):
        impl.sigmoid(torch.zeros(1))
    with pytest.raises(StudentError, match=r"subprocess\.Popen is not allowed"):
        impl.tanh(torch.zeros(1))
    with pytest.raises(SandboxError, match="ended the process running it"):
        impl.softmax(torch.zeros(1))


def test_output_goes_to_a_capped_file(sandbox_for, capfd):
    impl = sandbox_for(
        "def relu(x):\n    print('x' * 100_000)\n    return x\n",
        limits=Limits(call_seconds=10, output_bytes=10_000),
    )
    with contextlib.suppress(Exception):  # writing past the cap fails in the student's code
        impl.relu(torch.zeros(1))
    output = impl._sandbox.output
    assert output.stat().st_size <= 10_000
    assert "xxxx" not in capfd.readouterr().out


def test_an_argument_changed_before_an_exception_crosses_back(sandbox_for):
    """The arguments come back as the student's code left them, also when it raised: a function
    that must leave x as it found it, even when the function it calls raises
    (numerical_gradient), is judged on what it really did (it passed sandboxed before)."""
    source = "def spoil(x):\n    x += 1\n    raise ValueError('after changing x')\n"
    impl = sandbox_for(source)
    x = torch.zeros(3)
    with pytest.raises(ValueError, match="after changing x"):
        impl.spoil(x)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_a_trusted_function_crosses_by_name_and_runs_on_the_sandbox_s_own_data(tmp_path):
    """A test may hand student code a function of tests/gradient_functions.py (or a partial of
    one): it crosses by name, runs in the sandbox on the student's tensors (a view stays a view),
    and nothing else callable crosses."""
    import functools

    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    try:
        import gradient_functions
    finally:
        sys.path.remove(str(PROJECT_ROOT / "tests"))
    submission, workdir = tmp_path / "submission", tmp_path / "work"
    submission.mkdir()
    workdir.mkdir()
    source = "def twice(f, x):\n    first = f(x)\n    x.mul_(2)\n    return first, f(x)\n"
    (submission / "activations.py").write_text(source, encoding="utf-8")
    module = PROJECT_ROOT / "tests" / "gradient_functions.py"
    sandbox = Sandbox(submission, workdir, QUICK, functions=module)
    try:
        impl = SandboxedImplementation(sandbox, "activations")
        entry = functools.partial(gradient_functions.entry, index=1)
        first, second = impl.twice(entry, torch.tensor([1.0, 2.0]))
        assert first.item() == second.item() == 4.0  # a view of x, read after x doubled
        with pytest.raises(TypeError, match="cannot be graded"):
            impl.twice(lambda x: x.sum(), torch.tensor([1.0]))
    finally:
        sandbox.close()


@pytest.mark.parametrize("budget", [5.0, 120.0, 600.0])
def test_the_cpu_time_limit_never_comes_before_the_exercise_budget(budget):
    """Code that spins is stopped by the exercise's budget (timed out), never first by the
    sandbox's CPU-time limit (a kill, graded as a crash): with --timeout 600 it used to be."""
    from grader.core.limits import CALL_GRACE_SECONDS
    from grader.sandbox.plugin import limits_for_budget

    assert limits_for_budget(budget).cpu_seconds > budget + CALL_GRACE_SECONDS
    assert limits_for_budget(None) == Limits()


def test_an_exception_kind_that_is_not_a_name_is_a_malformed_reply():
    """A reply's exception kind is looked up by name; a hostile sandbox sending a list there
    got an unhashable-type TypeError out of our own code."""
    from grader.sandbox.client import _rebuild_exception

    error = _rebuild_exception(["ValueError"], "message")
    assert isinstance(error, SandboxError) and "malformed" in str(error)
    assert type(_rebuild_exception("ValueError", "message")) is ValueError


def test_every_exception_the_exercise_tests_catch_crosses_as_itself():
    """A test's ``except EOFError:`` meets the student's EOFError when grading too: it crossed
    as a StudentError, and the test gave the hint of another mistake. (Exception catches all;
    a stub's NotImplementedError crosses as not attempted, which the tests let through.)"""
    from grader.sandbox.client import _rebuild_exception

    caught = {
        ast.unparse(name)
        for path in (PROJECT_ROOT / "tests").glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ExceptHandler) and node.type is not None
        for name in ([*node.type.elts] if isinstance(node.type, ast.Tuple) else [node.type])
    } - {"Exception", "NotImplementedError"}
    assert "EOFError" in caught
    crossed = {name: type(_rebuild_exception(name, "message")).__name__ for name in caught}
    assert crossed == {name: name for name in caught}


@BOTH_STARTS
def test_a_tensor_crosses_with_its_layout(sandbox_for):
    """A transposed, stepped or expanded view reaches the student's code laid out as the test
    made it: code that depends on the layout (x.clone().reshape(-1) is a copy of a transposed
    x, so writes into it never reach x) fails sandboxed as it fails in-process."""
    source = (
        "def relu(x):\n    return list(x.stride()), x.is_contiguous()\n\n"
        "def sigmoid(x):\n    flat = x.reshape(-1)\n    flat[0] = 7.0\n    return x\n"
    )
    impl = sandbox_for(source)
    base = torch.arange(24.0).reshape(4, 6)
    for view in (base.T, base[::2], base[:, 1::3], torch.ones(3, 1).expand(3, 5)):
        assert impl.relu(view) == (list(view.stride()), False)
    transposed = torch.zeros(3, 4).T
    assert impl.sigmoid(transposed)[0, 0].item() == 0.0  # reshape copied: x never saw the 7
    contiguous = torch.zeros(3, 4)
    assert impl.sigmoid(contiguous)[0, 0].item() == 7.0 and contiguous[0, 0].item() == 7.0


def test_the_python_installation_stays_readable_wherever_the_scratch_folder_is(tmp_path):
    """A clean clone under /tmp (its venv too) with plain `pytest --sandbox`, whose scratch
    folders go to /tmp: the sandbox's parent holds the venv, and torch's lazy imports failed
    (No module named 'torch._dynamo'). The installation is readable, sys.path entries inside
    the trusted folders are not."""
    from grader.sandbox.folders import python_folders

    prefix = Path(sys.prefix).resolve()
    scratch = prefix.parent / "sandbox-activations-x"
    folders = [Path(f) for f in python_folders(scratch)]
    assert any(prefix.is_relative_to(f) or prefix == f for f in folders) or any(
        f.is_relative_to(prefix) and f.name in ("lib", "lib64", "bin") for f in folders
    ), folders
    assert not any(f == (PROJECT_ROOT / "tests").resolve() for f in folders)
