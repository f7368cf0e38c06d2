"""Build the example class in ``examples/submissions/``: ``python examples/make_submissions.py``.

The class the README's main command grades, one submission per kind an instructor meets:

| submission     | what it is                                                              |
|----------------|-------------------------------------------------------------------------|
| `perfect.zip`  | the reference solutions, as a student would zip their `exercises/`     |
| `partial.zip`  | activations, losses and optimizers done; the rest untouched stubs       |
| `stubs.zip`    | the stubs as handed out                                                 |
| `mistakes.zip` | classic mistakes: one per exercise, and one in each later function    |
| `hangs/`       | k-fold whose shuffle never ends (a folder submission, one module)      |
| `crashes/`     | dropout that kills its process with a segmentation fault                |

The zips are generated from ``solutions/``, ``exercises/`` and the planted mistakes of
``tests/variants/``, so they never drift from the code they copy; they are written stored
(uncompressed) with fixed dates, byte for byte the same on every run, and
``tests/project/test_examples.py`` checks that the committed files are up to date. ``hangs/``
and ``crashes/`` are written by hand.
"""

from __future__ import annotations

import importlib
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
sys.path.insert(0, str(ROOT))
from grader.core.manifest import load_manifest  # noqa: E402  (the project's own package)

EXERCISES = tuple(exercise.name for exercise in load_manifest())
PARTIAL = ("activations", "losses", "optimizers")
MISTAKES = {  # exercise -> the planted mistakes of tests/variants/<exercise>.py it carries
    "linear_regression": ("fit-without-the-bias-column", "step-divides-by-a-fixed-batch-size"),
    "activations": (
        "softmax-without-max-shift", "tanh-exponential-formula", "tanh-grad-of-the-output",
        "leaky-relu-as-max", "leaky-relu-grad-one-at-zero",
    ),
    "losses": (
        "cross-entropy-log10", "l1-sum-for-mean", "huber-linear-piece-without-delta",
        "nll-takes-the-log-again",
    ),
    "optimizers": (
        "adam-bias-correction-without-power-t", "sgd-nesterov-look-ahead-on-the-parameter",
        "adagrad-eps-inside-sqrt", "rmsprop-alpha-on-the-wrong-term", "adamw-decay-in-the-gradient",
    ),
    "regularization": ("mask-not-rescaled",),
    "initializers": ("he-variance-used-as-std", "he-uniform-with-xavier-bound"),
    "model_selection": ("drops-the-remainder",),
    "metrics": (
        "accuracy-counters-never-reset", "confusion-matrix-transposed",
        "standardize-with-train-and-test-together", "early-stopping-ignores-min-delta",
    ),
    "datasets": ("minibatches-drop-the-last-partial-batch",),
    "gradient_check": ("forward-difference", "relative-error-without-the-floor"),
    "mlp": ("relu-derivative-of-the-wrong-layer", "weight-decay-on-the-biases"),
}  # fmt: skip
FIXED_DATE = (2026, 1, 1, 0, 0, 0)  # in every zip entry, so a rebuild is byte for byte the same
_MARKER = re.compile(r"^\s*# (BEGIN|END) SOLUTION\s*$")


def solution(name: str) -> str:
    """The reference module as a student would hand it in: without the solution markers."""
    text = (ROOT / "solutions" / f"{name}.py").read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if not _MARKER.match(line))


def stub(name: str) -> str:
    return (ROOT / "exercises" / f"{name}.py").read_text(encoding="utf-8")


def mistake(name: str) -> str:
    """The reference with the planted mistake appended (its definitions replace the reference's)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        variants = importlib.import_module(f"variants.{name}").VARIANTS
    finally:
        sys.path.remove(str(ROOT / "tests"))
    chosen = [next(v for v in variants if v.name == wanted) for wanted in MISTAKES[name]]
    defined: dict[str, str] = {}
    text = solution(name)
    for variant in chosen:
        assert variant.expect == "fail", variant.name
        functions = _functions(variant.source)
        clash = [f for f in functions if defined.get(f, functions[f]) != functions[f]]
        assert not clash, f"{variant.name} redefines {clash} differently"
        defined |= functions
        text += f"\n\n# A classic mistake: {variant.name}\n{variant.source.strip()}\n"
    return text


def _functions(source: str) -> dict[str, str]:
    """The functions a variant defines, with their code: two mistakes in one module must not
    replace each other's functions (a shared helper defined alike is fine)."""
    import ast

    tree = ast.parse(source)
    return {node.name: ast.dump(node) for node in tree.body if isinstance(node, ast.FunctionDef)}


def classes() -> dict[str, dict[str, str]]:
    """Zip name -> {file name inside it -> text}."""
    return {
        "perfect.zip": {name: solution(name) for name in EXERCISES},
        "partial.zip": {
            name: solution(name) if name in PARTIAL else stub(name) for name in EXERCISES
        },
        "stubs.zip": {name: stub(name) for name in EXERCISES},
        "mistakes.zip": {name: mistake(name) for name in EXERCISES},
    }


def zip_bytes(student: str, modules: dict[str, str]) -> bytes:
    """A deterministic zip: ``<student>/exercises/<name>.py`` entries, stored, fixed dates."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(modules):
            info = zipfile.ZipInfo(f"{student}/exercises/{name}.py", date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, modules[name].encode("utf-8"))
    return buffer.getvalue()


def main() -> None:
    SUBMISSIONS.mkdir(parents=True, exist_ok=True)
    for zip_name, modules in classes().items():
        path = SUBMISSIONS / zip_name
        path.write_bytes(zip_bytes(path.stem, modules))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
