"""Tests of exercises/initializers.py: xavier_uniform, xavier_normal, he_normal and he_uniform.

The weights are random, so nothing is compared value by value with torch or the reference (a
different but valid use of the random numbers gives different values). Instead:

* determinism: a seeded generator fixes the weights whatever the global RNG state is, and
  different seeds give different weights;
* statistics of a sample of 30 000 weights against the formulas (variance, mean, uniform bounds,
  normal tails) and against a larger sample drawn by torch.nn.init outside the student's call,
  with tolerances from the sample sizes: Z = 5.5 standard errors (support.Z), so a correct
  implementation fails a check with probability below 1e-7.

Shapes are not square and gains are not 1, so that swapping fan_in and fan_out, or ignoring the
gain, changes the variance. he_uniform has shapes of its own, on which each of its classic
mistakes (Xavier's bound, sqrt(3 / fan_in), fan_out, U(0, a)) gives its own variance, so that the
hint can name it.
"""

from __future__ import annotations

import functools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from support import (
    DEVICES,
    DEVICES_AND_META,
    DTYPES,
    assert_like,
    assert_statistic,
    fail,
    make_generator,
    with_global_seed,
)

NAMES = ["xavier_uniform", "xavier_normal", "he_normal", "he_uniform"]
UNIFORM = ("xavier_uniform", "he_uniform")  # U(-a, a); the others are normal
GAINLESS = ("he_normal", "he_uniform")  # take no gain argument
# grader/core/gating.py: the values test of each function (test_distribution_matches_the_formula),
# and what every other test of it waits for.
VALUES = {name: pytest.mark.values(name) for name in NAMES}
REQUIRES = {name: pytest.mark.requires(name) for name in NAMES}
REQUIRING_NAMES = [pytest.param(name, id=name, marks=REQUIRES[name]) for name in NAMES]
TANH_GAIN = 5 / 3  # torch.nn.init.calculate_gain("tanh"); gain ignored divides the variance by 2.78
# he_uniform's shapes: with fan_in 75 and fan_out 400 (and swapped), its mistakes scale the
# variance by distinct factors (Xavier's bound 0.16 / 0.84, fan_out 0.19 / 5.3, sqrt(3 / fan_in)
# 0.5, U(0, a) 0.25, a used as a standard deviation 3), none within 10 % of another
# (likely_mistake names the one within 10 %).
SHAPES = {"he_uniform": [((400, 75), 1.0), ((75, 400), 1.0)]}
# (name, shape, gain): shape = (fan_out, fan_in), 30 000 weights each.
CASES = [
    (name, shape, gain)
    for name in NAMES
    for shape, gain in SHAPES.get(name, [((300, 100), 1.0), ((100, 300), TANH_GAIN)])
]
UNIFORM_CASES = [case for case in CASES if case[0] in UNIFORM]
NORMAL_CASES = [case for case in CASES if case[0] not in UNIFORM]


def case_id(name: str, shape: tuple[int, int], gain: float) -> str:
    """``xavier_normal-300x100-gain1``; he_normal and he_uniform take no gain."""
    return f"{name}-{shape[0]}x{shape[1]}" + (f"-gain{gain:.3g}" if name not in GAINLESS else "")


def marked(cases: list, marks: dict) -> list:
    """The cases, each marked with its function's marker from ``marks`` (VALUES or REQUIRES)."""
    return [pytest.param(*case, id=case_id(*case), marks=marks[case[0]]) for case in cases]


HINT_GENERATOR = (
    "pass generator=generator to every random call (torch.randn(shape, generator=generator, "
    "...), Tensor.uniform_(low, high, generator=generator)); without it torch draws from its "
    "global RNG and the seed of the generator is ignored"
)
HINT_FORMULA = {
    "xavier_uniform": "draw from U(-a, a) with a = gain·sqrt(6 / (fan_in + fan_out)), "
    "shape = (fan_out, fan_in); the variance of U(-a, a) is a²/3",
    "xavier_normal": "draw from N(0, std²) with std = gain·sqrt(2 / (fan_in + fan_out)), "
    "shape = (fan_out, fan_in)",
    "he_normal": "draw from N(0, std²) with std = sqrt(2 / fan_in), where fan_in = shape[1] "
    "(shape = (fan_out, fan_in), like nn.Linear's weight)",
    "he_uniform": "draw from U(-a, a) with a = sqrt(6 / fan_in), where fan_in = shape[1] "
    "(shape = (fan_out, fan_in), like nn.Linear's weight); the variance of U(-a, a) is a²/3",
}
HINT_STD_NOT_VARIANCE = (
    "torch.randn(...) * s has variance s²: s must be the standard deviation (the square root "
    "of the variance), e.g. std = sqrt(2 / fan_in), not 2 / fan_in"
)
HINT_GAIN = "the gain is ignored: multiply the bound (or the standard deviation) by gain"
HINT_FAN_IN = (
    "fan_in is shape[1] and fan_out is shape[0] (shape = (fan_out, fan_in)); He initialization "
    "uses fan_in"
)
HINT_BOUND_NOT_STD = (
    "a is the bound of a uniform distribution, not a standard deviation: U(-a, a) has variance a²/3"
)
HINT_BOTH_FANS = "Xavier uses fan_in + fan_out, not only one of them"
HINT_SYMMETRIC = (
    "draw from U(-a, a), symmetric around 0: Tensor.uniform_(-a, a), or (torch.rand(...) * 2 "
    "- 1) * a; torch.rand(...) * a is U(0, a)"
)


@pytest.fixture(scope="module")
def init(load_impl):
    return load_impl("initializers")


# --- helpers -----------------------------------------------------------------------------------


def call_text(name: str, shape: tuple[int, int], gain: float, extra: str = "generator=g") -> str:
    gain_text = f", gain={gain:.4g}" if name not in GAINLESS else ""
    return f"{name}({shape}{gain_text}, {extra})" if extra else f"{name}({shape}{gain_text})"


def draw(init, name: str, shape: tuple[int, int], gain: float = 1.0, **kwargs) -> torch.Tensor:
    """The student's weights (he_normal and he_uniform take no gain)."""
    if name not in GAINLESS:
        kwargs["gain"] = gain
    return getattr(init, name)(shape, **kwargs)


def sample(init, name, shape, gain, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The student's weights, checked for type, shape, dtype and device, flattened in float64."""
    weights = draw(init, name, shape, gain, generator=make_generator(seed), dtype=dtype)
    weights = assert_like(
        weights, call=call_text(name, shape, gain), shape=shape, dtype=dtype, device="cpu"
    )
    return weights.detach().flatten().double()


def expected_variance(name: str, shape: tuple[int, int], gain: float) -> float:
    fan_out, fan_in = shape
    return 2 / fan_in if name in GAINLESS else gain**2 * 2 / (fan_in + fan_out)


def uniform_bound(name: str, shape: tuple[int, int], gain: float) -> float:
    """a of U(-a, a): variance a²/3."""
    return math.sqrt(3 * expected_variance(name, shape, gain))


def variance_se(values: torch.Tensor) -> float:
    """Standard error of the sample variance of n independent draws, from their own moments:
    Var(s²) ≈ (μ4 - σ⁴) / n, with the fourth central moment μ4 estimated by the sample."""
    centered = values - values.mean()
    variance = centered.pow(2).mean().item()
    return math.sqrt(max(centered.pow(4).mean().item() - variance**2, 0.0) / values.numel())


def likely_mistake(name: str, shape: tuple[int, int], gain: float, ratio: float) -> str:
    """The hint for the classic mistake whose variance / correct variance is nearest ``ratio``
    (within 10 %), else the formula."""
    fan_out, fan_in = shape
    variance = expected_variance(name, shape, gain)
    mistakes = [(variance, HINT_STD_NOT_VARIANCE), (variance / gain**2, HINT_STD_NOT_VARIANCE)]
    if name == "he_uniform":
        mistakes += [
            (
                fan_in / (fan_in + fan_out),
                "that is Xavier's bound sqrt(6 / (fan_in + fan_out)); He's uniform bound is "
                "a = sqrt(6 / fan_in), with fan_in alone",
            ),
            (fan_in / fan_out, HINT_FAN_IN),
            (
                1 / 2,
                "the bound is a = sqrt(6 / fan_in), with 6, not 3: U(-a, a) has variance a²/3, "
                "and it must be 2 / fan_in (sqrt(3 / fan_in) gives 1 / fan_in)",
            ),
            (1 / 4, HINT_SYMMETRIC),
            (3, HINT_BOUND_NOT_STD),
        ]
    elif name == "he_normal":
        mistakes += [
            (fan_in / fan_out, HINT_FAN_IN),
            (
                1 / 2,
                "the variance is 2 / fan_in, not 1 / fan_in: the 2 compensates for ReLU "
                "zeroing half of the activations",
            ),
        ]
    else:
        mistakes += [
            ((fan_in + fan_out) / fan_in, HINT_BOTH_FANS),
            ((fan_in + fan_out) / fan_out, HINT_BOTH_FANS),
        ]
        if gain != 1:
            mistakes.append((1 / gain**2, HINT_GAIN))
    if name == "xavier_uniform":
        mistakes += [
            (1 / 6, "the bound is a = gain·sqrt(6 / (fan_in + fan_out)): the 6 is missing"),
            (1 / 2, "the bound is a = gain·sqrt(6 / (fan_in + fan_out)), with 6, not 3"),
            (1 / 4, HINT_SYMMETRIC),
            (3, HINT_BOUND_NOT_STD),
        ]
    if not (math.isfinite(ratio) and ratio > 0):
        return HINT_FORMULA[name]
    factor, hint = min(mistakes, key=lambda mistake: abs(math.log(ratio / mistake[0])))
    return hint if abs(math.log(ratio / factor)) < math.log(1.1) else HINT_FORMULA[name]


@functools.cache
def torch_init_sample(name: str, shape: tuple[int, int], gain: float) -> torch.Tensor:
    """120 000 weights of this shape drawn by torch.nn.init (the oracle), in float64."""
    generator = make_generator(1234)
    draws = []
    for _ in range(4):
        weights = torch.empty(shape, dtype=torch.float64)
        if name == "xavier_uniform":
            torch.nn.init.xavier_uniform_(weights, gain=gain, generator=generator)
        elif name == "xavier_normal":
            torch.nn.init.xavier_normal_(weights, gain=gain, generator=generator)
        elif name == "he_uniform":
            torch.nn.init.kaiming_uniform_(
                weights, mode="fan_in", nonlinearity="relu", generator=generator
            )
        else:
            torch.nn.init.kaiming_normal_(
                weights, mode="fan_in", nonlinearity="relu", generator=generator
            )
        draws.append(weights.flatten())
    return torch.cat(draws)


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", REQUIRING_NAMES)
def test_reproducible_with_a_seeded_generator(init, name, device):
    """Same seed -> same weights, even when the global RNG was reseeded differently in between."""
    shape = (30, 20)

    def weights(global_seed: int) -> torch.Tensor:
        return with_global_seed(
            global_seed,
            lambda: draw(init, name, shape, generator=make_generator(0, device), device=device),
        )

    first, second = weights(1), weights(2)
    if not (
        isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor)
    ) or not torch.equal(first, second):
        fail(
            call_text(
                name, shape, 1.0, f"generator=torch.Generator(device={device!r}).manual_seed(0)"
            ),
            "two calls with equally seeded generators returned different weights (the global "
            "RNG was reseeded differently between them: torch.manual_seed(1), then "
            "torch.manual_seed(2))",
            HINT_GENERATOR,
        )


@pytest.mark.parametrize("name", REQUIRING_NAMES)
def test_changes_with_the_seed(init, name):
    shape = (30, 20)
    if torch.equal(
        draw(init, name, shape, generator=make_generator(0)),
        draw(init, name, shape, generator=make_generator(1)),
    ):
        fail(
            call_text(name, shape, 1.0),
            "generators seeded 0 and 1 gave the same weights",
            "draw the random numbers from the generator you are given, not from a fixed one",
        )


@pytest.mark.parametrize("name", REQUIRING_NAMES)
def test_without_generator_uses_the_global_rng(init, name):
    shape = (30, 20)
    call = call_text(name, shape, 1.0, extra="")
    first = assert_like(
        draw(init, name, shape), call=call, shape=shape, dtype=torch.float32, device="cpu"
    )
    if torch.equal(first, draw(init, name, shape)):
        fail(
            call,
            "two calls without a generator returned the same weights",
            "with generator=None draw from torch's global RNG (generator=None); a new "
            "torch.Generator() made inside the function starts from the same seed every time",
        )


# --- statistics against the formulas -----------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "shape", "gain"), marked(CASES, REQUIRES))
def test_mean_is_zero(init, name, shape, gain, dtype):
    values = sample(init, name, shape, gain, seed=1, dtype=dtype)
    # The mean of n independent draws of variance σ² has standard error σ / sqrt(n).
    assert_statistic(
        "the mean of the weights",
        values.mean().item(),
        0.0,
        math.sqrt(expected_variance(name, shape, gain) / values.numel()),
        call=call_text(name, shape, gain),
        hint=HINT_SYMMETRIC if name in UNIFORM else "the weights are centred: N(0, std²)",
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "shape", "gain"), marked(CASES, REQUIRES))
def test_variance_matches_the_formula(init, name, shape, gain, dtype):
    values = sample(init, name, shape, gain, seed=2, dtype=dtype)
    n = values.numel()
    variance = expected_variance(name, shape, gain)
    if name in UNIFORM:
        # U(-a, a): σ² = a²/3, fourth central moment μ4 = a⁴/5, and the sample variance has
        # Var(s²) ≈ (μ4 - σ⁴)/n = (a⁴/5 - a⁴/9)/n = (4/45) a⁴ / n, with a² = 3σ².
        se = math.sqrt(4 / 45 / n) * 3 * variance
    else:
        # Normal: (n-1) s²/σ² is chi-squared with n-1 degrees of freedom, so Var(s²) = 2σ⁴/(n-1).
        se = math.sqrt(2 / (n - 1)) * variance
    observed = values.var().item()
    assert_statistic(
        "the variance of the weights",
        observed,
        variance,
        se,
        call=call_text(name, shape, gain),
        hint=likely_mistake(name, shape, gain, observed / variance),
    )


@pytest.mark.parametrize(("name", "shape", "gain"), marked(UNIFORM_CASES, REQUIRES))
def test_uniform_weights_fill_minus_a_to_a(init, name, shape, gain):
    values = sample(init, name, shape, gain, seed=3)
    n = values.numel()
    a = uniform_bound(name, shape, gain)
    call = call_text(name, shape, gain)
    largest = values.abs().max().item()
    if largest > a * (1 + 1e-6):  # 1e-6: float32 rounding of a
        fail(
            call,
            f"returned a weight of magnitude {largest:.6g}, beyond the bound a = {a:.6g}",
            "U(-a, a) never leaves [-a, a]; torch.randn draws from a normal distribution, "
            "torch.rand (or Tensor.uniform_) from a uniform one; " + HINT_FORMULA[name],
        )
    # Each draw exceeds a(1 - t) with probability t/2, so the largest of n stays below it with
    # probability (1 - t/2)^n < exp(-tn/2); t = 40/n makes that 2e-9 (likewise for the smallest).
    t = 40 / n
    for what, extreme, target in [
        ("largest", values.max().item(), a),
        ("smallest", values.min().item(), -a),
    ]:
        if abs(extreme - target) > t * a:
            fail(
                call,
                f"the {what} of {n} weights is {extreme:.6g}, expected within {t * a:.2g} of "
                f"{target:.6g} (the draws fill [-a, a])",
                HINT_SYMMETRIC if what == "smallest" and extreme > -a / 2 else HINT_FORMULA[name],
            )


@pytest.mark.parametrize(("name", "shape", "gain"), marked(NORMAL_CASES, REQUIRES))
def test_normal_weights_have_normal_tails(init, name, shape, gain):
    values = sample(init, name, shape, gain, seed=4)
    n = values.numel()
    std = math.sqrt(expected_variance(name, shape, gain))
    # P(|N(0, σ²)| > 2σ) = erfc(2/√2) = 0.0455; the fraction of n independent draws beyond 2σ is
    # binomial / n, with standard error sqrt(q(1-q)/n).
    q = math.erfc(2 / math.sqrt(2))
    ratio = values.double().var().item() / std**2
    if abs(ratio - 1) > 0.1:  # the std is wrong: that is the mistake to name, not the shape
        hint = likely_mistake(name, shape, gain, ratio)
    else:
        hint = (
            "the weights must be normal (torch.randn(...) * std, or Tensor.normal_(0, std)): "
            "their variance is right, but a uniform distribution of that variance has no "
            "values beyond 1.73 std"
        )
    assert_statistic(
        "the fraction of weights beyond 2 standard deviations",
        (values.abs() > 2 * std).double().mean().item(),
        q,
        math.sqrt(q * (1 - q) / n),
        call=call_text(name, shape, gain),
        hint=hint,
    )


# --- statistics against torch.nn.init and the reference ----------------------------------------


def assert_same_variance(
    values: torch.Tensor, oracle: torch.Tensor, *, source: str, name, shape, gain
):
    # Two independent samples: the difference of their variances has standard error
    # sqrt(se1² + se2²), each estimated from its own fourth moment (see variance_se).
    observed, expected = values.var().item(), oracle.var().item()
    assert_statistic(
        f"the variance of the weights (that of {oracle.numel()} weights drawn by {source})",
        observed,
        expected,
        math.hypot(variance_se(values), variance_se(oracle)),
        call=call_text(name, shape, gain),
        hint=likely_mistake(name, shape, gain, observed / expected),
    )


TORCH_EQUIVALENT = {
    "xavier_uniform": "torch.nn.init.xavier_uniform_",
    "xavier_normal": "torch.nn.init.xavier_normal_",
    "he_normal": "torch.nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')",
    "he_uniform": "torch.nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')",
}


@pytest.mark.parametrize(("name", "shape", "gain"), marked(CASES, REQUIRES))
def test_variance_matches_torch_init(init, name, shape, gain):
    oracle = torch_init_sample(name, shape, gain)  # drawn outside the student's call
    values = sample(init, name, shape, gain, seed=5)
    assert_same_variance(
        values, oracle, source=TORCH_EQUIVALENT[name], name=name, shape=shape, gain=gain
    )


# --- the values test: the whole distribution against the formula -------------------------------


@pytest.mark.parametrize(("name", "shape", "gain"), marked(CASES, VALUES))
def test_distribution_matches_the_formula(init, name, shape, gain):
    """The values test of each initializer (grader/core/gating.py): one seeded sample of 30 000
    weights has the variance and the mean of the formula's distribution, and its shape (uniform:
    inside [-a, a]; normal: the tails), each within Z standard errors. Each of the tests above
    checks one of these alone, so weights of the right type but wrong values (all zeros, NaN,
    right ones scaled and shifted by 1 %) pass some of them; none passes all of these at once."""
    values = sample(init, name, shape, gain, seed=6)
    n = values.numel()
    variance = expected_variance(name, shape, gain)
    call = call_text(name, shape, gain)
    # Standard error of the sample variance, as in test_variance_matches_the_formula:
    # U(-a, a): Var(s²) ≈ (4/45) a⁴ / n with a² = 3σ²; normal: Var(s²) = 2σ⁴ / (n - 1).
    if name in UNIFORM:
        variance_error = math.sqrt(4 / 45 / n) * 3 * variance
    else:
        variance_error = math.sqrt(2 / (n - 1)) * variance
    observed = values.var().item()
    assert_statistic(
        "the variance of the weights",
        observed,
        variance,
        variance_error,
        call=call,
        hint=likely_mistake(name, shape, gain, observed / variance),
    )
    # The mean of n independent draws of variance σ² has standard error σ / sqrt(n).
    assert_statistic(
        "the mean of the weights",
        values.mean().item(),
        0.0,
        math.sqrt(variance / n),
        call=call,
        hint=HINT_SYMMETRIC if name in UNIFORM else "the weights are centred: N(0, std²)",
    )
    if name in UNIFORM:
        a = uniform_bound(name, shape, gain)
        largest = values.abs().max().item()
        if largest > a * (1 + 1e-6):  # 1e-6: float32 rounding of a
            fail(
                call,
                f"returned a weight of magnitude {largest:.6g}, beyond the bound a = {a:.6g}",
                "U(-a, a) never leaves [-a, a]; " + HINT_FORMULA[name],
            )
    else:
        # P(|N(0, σ²)| > 2σ) = erfc(2/√2); binomial standard error sqrt(q(1-q)/n).
        std = math.sqrt(variance)
        q = math.erfc(2 / math.sqrt(2))
        assert_statistic(
            "the fraction of weights beyond 2 standard deviations",
            (values.abs() > 2 * std).double().mean().item(),
            q,
            math.sqrt(q * (1 - q) / n),
            call=call,
            hint="the weights must be normal (torch.randn(...) * std, or Tensor.normal_(0, std)) "
            "with the right std; " + HINT_FORMULA[name],
        )


# --- dtype, device, any shape ------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REQUIRING_NAMES)
def test_created_with_the_requested_dtype_and_device(init, name, dtype, device):
    shape = (5, 3)
    generator = None if device == "meta" else make_generator(8, device)
    assert_like(
        draw(init, name, shape, generator=generator, device=device, dtype=dtype),
        call=call_text(name, shape, 1.0, f"device={device!r}, dtype={dtype}"),
        shape=shape,
        dtype=dtype,
        device=device,
        hint="pass device=device and dtype=dtype to the function that creates the tensor "
        "(torch.empty(shape, device=device, dtype=dtype), torch.randn(shape, ..., device=device, "
        "dtype=dtype))",
    )


@pytest.mark.requires("xavier_uniform")
@settings(max_examples=30, deadline=None)
@given(
    fan_out=st.integers(1, 40),
    fan_in=st.integers(1, 40),
    gain=st.floats(0.1, 5.0),
    seed=st.integers(0, 2**16),
)
def test_uniform_bound_property(init, fan_out, fan_in, gain, seed):
    """For every shape and gain, every weight lies in [-a, a]."""
    shape = (fan_out, fan_in)
    call = call_text("xavier_uniform", shape, gain)
    weights = init.xavier_uniform(
        shape, gain=gain, generator=make_generator(seed), dtype=torch.float64
    )
    weights = assert_like(weights, call=call, shape=shape, dtype=torch.float64, device="cpu")
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    largest = weights.abs().max().item()
    if not largest <= a * (1 + 1e-12):
        fail(
            call,
            f"returned a weight of magnitude {largest:.6g}, beyond a = {a:.6g}",
            HINT_FORMULA["xavier_uniform"],
        )


@pytest.mark.requires("he_uniform")
@settings(max_examples=20, deadline=None)
@given(fan_out=st.integers(1, 40), fan_in=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_he_uniform_bound_property(init, fan_out, fan_in, seed):
    """For every shape, every weight lies in [-a, a], a = sqrt(6 / fan_in)."""
    shape = (fan_out, fan_in)
    call = call_text("he_uniform", shape, 1.0)
    weights = init.he_uniform(shape, generator=make_generator(seed), dtype=torch.float64)
    weights = assert_like(weights, call=call, shape=shape, dtype=torch.float64, device="cpu")
    a = math.sqrt(6 / fan_in)
    largest = weights.abs().max().item()
    if not largest <= a * (1 + 1e-12):
        fail(
            call,
            f"returned a weight of magnitude {largest:.6g}, beyond a = {a:.6g}",
            HINT_FORMULA["he_uniform"],
        )


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------

BENCHMARKS = {
    "xavier_uniform": lambda shape: torch.nn.init.xavier_uniform_(torch.empty(shape)),
    "xavier_normal": lambda shape: torch.nn.init.xavier_normal_(torch.empty(shape)),
    "he_normal": lambda shape: torch.nn.init.kaiming_normal_(
        torch.empty(shape), mode="fan_in", nonlinearity="relu"
    ),
    "he_uniform": lambda shape: torch.nn.init.kaiming_uniform_(
        torch.empty(shape), mode="fan_in", nonlinearity="relu"
    ),
}


@pytest.mark.parametrize("source", ["impl", "torch"])
@pytest.mark.parametrize("name", REQUIRING_NAMES)  # the keys of BENCHMARKS
def test_benchmark(benchmark, init, name, source):
    """Realistic size: a 4096 x 4096 weight matrix (a large transformer projection)."""
    shape = (4096, 4096)
    function = getattr(init.module, name) if source == "impl" else BENCHMARKS[name]
    benchmark.group = f"initializers.{name}"
    benchmark(function, shape)
