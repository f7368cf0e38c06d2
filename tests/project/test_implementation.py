"""Loading an implementation: from its file only, guarded against the routines it re-implements."""

from __future__ import annotations

import re
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from grader.check.forbidden import ForbiddenCallError, forbid
from grader.check.implementation import load, load_module, resolve_impl
from grader.core.outcomes import ImplementationError, MissingFunction, NotAttempted


def write(directory, name, source):
    (directory / f"{name}.py").write_text(source, encoding="utf-8")
    return directory


def test_module_comes_from_its_file_not_from_what_is_importable(tmp_path, monkeypatch):
    impostor = types.ModuleType("activations")
    impostor.relu = lambda x: "impostor"
    monkeypatch.setitem(sys.modules, "activations", impostor)
    on_path = tmp_path / "on_path"
    on_path.mkdir()
    write(on_path, "activations", "def relu(x):\n    return 'on sys.path'\n")
    monkeypatch.syspath_prepend(str(on_path))
    impl = tmp_path / "impl"
    impl.mkdir()
    write(impl, "activations", "def relu(x):\n    return 'from the file'\n")
    assert load(impl, "activations").relu(0) == "from the file"
    assert sys.modules["activations"] is impostor


def test_missing_file_is_not_attempted(tmp_path):
    with pytest.raises(NotAttempted, match=r"losses\.py is missing"):
        load(tmp_path, "losses")


def test_syntax_error_names_the_line(tmp_path):
    write(tmp_path, "losses", "def mse_loss(pred, target:\n    pass\n")
    with pytest.raises(ImplementationError, match=r"losses.py does not parse: .*\(line 1\)"):
        load(tmp_path, "losses")


@pytest.mark.parametrize("statement", ["raise RuntimeError('boom')", "import sys; sys.exit(3)"])
def test_crash_on_import_is_reported(tmp_path, statement):
    write(tmp_path, "losses", statement + "\n")
    with pytest.raises(ImplementationError, match=r"importing losses\.py failed"):
        load(tmp_path, "losses")


def test_missing_function_is_named(tmp_path):
    write(tmp_path, "activations", "def sigmoid(x):\n    return x\n")
    with pytest.raises(MissingFunction, match=r"defines no function relu\(\)"):
        _ = load(tmp_path, "activations").relu


def test_bad_impl_choice_explains(tmp_path):
    expected = "expected exercises (yours), solutions (the reference) or a directory"
    with pytest.raises(ValueError, match=re.escape(expected)):
        resolve_impl(str(tmp_path / "nowhere"))


# --- the forbidden-call guard ------------------------------------------------------------------


def test_forbid_swaps_and_restores_attributes_and_methods():
    x = torch.randn(3)
    with forbid(("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax")):
        for call in (lambda: torch.softmax(x, 0), lambda: x.softmax(0), lambda: F.softmax(x, 0)):
            with pytest.raises(ForbiddenCallError, match="is not allowed in this exercise"):
                call()
    assert "softmax" not in torch.Tensor.__dict__  # the inherited method is visible again
    torch.testing.assert_close(x.softmax(0), torch.softmax(x, 0))


def test_forbid_restores_after_an_exception():
    with pytest.raises(KeyError), forbid(("torch.relu",)):
        raise KeyError
    assert torch.relu(torch.tensor([-1.0])).item() == 0.0


def test_forbid_catches_names_imported_into_the_module(tmp_path):
    write(
        tmp_path,
        "activations",
        "from torch import sigmoid as s\n\ndef sigmoid(x):\n    return s(x)\n",
    )
    with pytest.raises(ForbiddenCallError, match=r"torch\.sigmoid"):
        load(tmp_path, "activations").sigmoid(torch.zeros(2))


def test_a_swallowed_forbidden_call_is_still_reported(tmp_path):
    source = (
        "import torch\n\n"
        "def relu(x):\n"
        "    try:\n"
        "        return torch.relu(x)\n"
        "    except Exception:\n"
        "        return x.clamp(min=0)\n"
    )
    write(tmp_path, "activations", source)
    with pytest.raises(ForbiddenCallError, match=r"activations.relu\(\) called torch.relu"):
        load(tmp_path, "activations").relu(torch.zeros(2))


def test_module_wildcard_forbids_what_the_module_defines():
    with (
        forbid(("torch.nn.init.*",)),
        pytest.raises(ForbiddenCallError, match=r"torch\.nn\.init\.xavier_uniform_"),
    ):
        torch.nn.init.xavier_uniform_(torch.empty(2, 2))
    torch.nn.init.xavier_uniform_(torch.empty(2, 2))


def test_raw_module_is_unguarded(tmp_path):
    write(tmp_path, "activations", "import torch\n\ndef relu(x):\n    return torch.relu(x)\n")
    module = load_module(tmp_path, "activations")
    assert module.relu(torch.tensor([-2.0])).item() == 0.0


def test_a_forbidden_class_stays_a_class_for_library_code():
    with forbid(("torch.optim.*",)):
        assert isinstance(torch.optim.SGD, type)
        assert (torch.optim.Optimizer | None) is not None  # annotations evaluated by torch itself
        with pytest.raises(ForbiddenCallError, match=r"torch\.optim\.SGD is not allowed"):
            torch.optim.SGD([torch.zeros(1)], lr=0.1)
    torch.optim.SGD([torch.zeros(1)], lr=0.1)


def test_autograd_is_off_while_a_no_autograd_exercise_runs(tmp_path):
    write(
        tmp_path,
        "mlp",
        "import torch\n\ndef init_mlp(sizes):\n    return torch.is_grad_enabled()\n",
    )
    assert load(tmp_path, "mlp").init_mlp([1, 1]) is False
    assert torch.is_grad_enabled()


def test_a_generator_is_guarded_while_it_is_iterated(tmp_path):
    source = "import torch\n\ndef relu(x):\n    yield x.clamp(min=0)\n    yield torch.relu(x)\n"
    write(tmp_path, "activations", source)
    steps = load(tmp_path, "activations").relu(torch.tensor([-1.0]))
    assert next(steps).item() == 0.0
    torch.relu(torch.zeros(1))  # between steps the caller's code is free
    with pytest.raises(ForbiddenCallError, match=r"torch\.relu is not allowed"):
        next(steps)


def test_a_whole_module_can_be_forbidden_even_with_immutable_classes():
    """ "sklearn.metrics.*" names DistanceMetric, an extension type whose __init__ cannot be
    swapped: it is left out, and guarding a call works (it crashed every guarded call)."""
    import sklearn.metrics

    from grader.check.forbidden import ForbiddenCallError, forbid, resolve

    targets = resolve("sklearn.metrics.*")
    assert targets and all(owner is not sklearn.metrics.DistanceMetric for owner, _, _ in targets)
    with forbid(("sklearn.metrics.*",)), pytest.raises(ForbiddenCallError):
        sklearn.metrics.accuracy_score([0, 1], [0, 1])


def test_a_stub_passes_its_not_implemented_on_as_a_base_exception(tmp_path):
    """A stub's `raise NotImplementedError` leaves a guarded call as StubReached, which no
    `except Exception` takes for a failure: Hypothesis searched a minute for smaller failing
    examples over the stubs. A NotImplementedError from a library stays what it is."""
    from grader.core.outcomes import StubReached

    source = (
        "import numbers\n\n"
        "def relu(x):\n    raise NotImplementedError('relu() is not written yet')\n\n"
        "def sigmoid(x):\n    return numbers.Complex.real.fget(x)\n"
    )
    (tmp_path / "activations.py").write_text(source, encoding="utf-8")
    impl = load(tmp_path, "activations")
    with pytest.raises(StubReached, match="relu"):
        try:
            impl.relu(torch.zeros(1))
        except Exception:  # what a property test's search catches
            pytest.fail("the stub's error was caught as an ordinary failure")
    assert not issubclass(StubReached, Exception)
    with pytest.raises(NotImplementedError):
        impl.sigmoid(torch.zeros(1))
