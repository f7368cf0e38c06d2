"""Tests of exercises/regularization.py: dropout_mask and dropout (inverted dropout).

The outputs are random, so nothing is compared value by value with torch or the reference (a
different but valid use of the random numbers gives different values). Instead:

* determinism: a seeded generator fixes the result whatever the global RNG state is, and
  different seeds give different masks;
* exact structure: every mask entry is 0 or 1/(1-p); every dropout output is 0 or x/(1-p);
* statistics with tolerances from the sample size: Z = 5.5 standard errors (support.Z), so a
  correct implementation fails a check with probability below 1e-7.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from support import (
    ARGUMENT_DTYPE,
    DEVICES,
    DEVICES_AND_META,
    DTYPES,
    LAYOUTS,
    Z,
    assert_like,
    assert_statistic,
    assert_tensor_close,
    binomial_se,
    check_tensor_type,
    describe,
    fail,
    laid_out,
    layout_hint,
    make_generator,
    random_tensor,
    with_global_seed,
)

SHAPE = (200, 500)  # 100_000 entries: binomial standard errors of about 0.0015 for a fraction
N = SHAPE[0] * SHAPE[1]
# p and 1 - p far apart, so that dropping with probability 1 - p instead of p shows.
P_VALUES = [
    pytest.param(0.2, id="p0.2"),
    pytest.param(0.3, id="p0.3"),
    pytest.param(0.8, id="p0.8"),
]

# A test parametrized over both functions counts, case by case, once that function's values are
# right (grader/core/gating.py).
BOTH_FUNCTIONS = [
    pytest.param("dropout_mask", marks=pytest.mark.requires("dropout_mask")),
    pytest.param("dropout", marks=pytest.mark.requires("dropout")),
]

HINT_GENERATOR = (
    "pass generator=generator to every random call (torch.rand(shape, generator=generator, "
    "...)); without it torch draws from its global RNG and the seed of the generator is ignored"
)
HINT_KEEP_DROP = (
    "you drop entries with probability 1 - p, but p is the probability of DROPPING an entry "
    "(as in torch.nn.Dropout(p)): keep an entry where torch.rand(...) >= p, drop it otherwise"
)
HINT_DISTRIBUTION = (
    "drop each entry independently with probability p: compare UNIFORM numbers in [0, 1) from "
    "torch.rand with p (torch.randn draws from a normal distribution, which does not give "
    "probability p)"
)
HINT_RESCALE = (
    "inverted dropout scales the kept entries by 1/(1 - p), so that the mean of the mask is 1: "
    "each entry is 0 (dropped) or 1/(1 - p) (kept)"
)


@pytest.fixture(scope="module")
def reg(load_impl):
    return load_impl("regularization")


def positive_input(shape: tuple[int, ...], dtype: torch.dtype, device: str = "cpu", seed: int = 0):
    """Values in [0.5, ~5], never 0: an output entry is 0 exactly when it was dropped."""
    return random_tensor(shape, dtype, device, seed=seed).abs() + 0.5


def drop_fraction_hint(observed: float, p: float, n: int) -> str:
    """Point at the keep/drop confusion when the fraction of zeros is near 1 - p."""
    if abs(observed - (1 - p)) <= Z * binomial_se(p, n):
        return HINT_KEEP_DROP
    return HINT_DISTRIBUTION


def assert_identical(
    first: torch.Tensor, second: torch.Tensor, *, call: str, problem: str, hint: str
):
    if first.shape != second.shape or not torch.equal(first, second):
        fail(call, problem, hint)


# --- dropout_mask: determinism -----------------------------------------------------------------


@pytest.mark.requires("dropout_mask")
@pytest.mark.parametrize("device", DEVICES)
def test_mask_is_reproducible_with_a_seeded_generator(reg, device):
    """Same seed -> same mask, even when the global RNG was reseeded differently in between."""

    def draw(global_seed: int) -> torch.Tensor:
        return with_global_seed(
            global_seed,
            lambda: reg.dropout_mask(
                SHAPE, 0.3, generator=make_generator(0, device), device=device
            ),
        )

    assert_identical(
        draw(1),
        draw(2),
        call=f"dropout_mask({SHAPE}, 0.3, generator=torch.Generator(device={device!r})"
        ".manual_seed(0))",
        problem="two calls with equally seeded generators returned different masks (the global "
        "RNG was reseeded differently between them: torch.manual_seed(1), then "
        "torch.manual_seed(2))",
        hint=HINT_GENERATOR,
    )


@pytest.mark.requires("dropout_mask")
def test_mask_changes_with_the_seed(reg):
    first = reg.dropout_mask(SHAPE, 0.3, generator=make_generator(0))
    second = reg.dropout_mask(SHAPE, 0.3, generator=make_generator(1))
    # Two independent masks agree everywhere with probability (0.3² + 0.7²)^100000 = 0.
    if torch.equal(first, second):
        fail(
            f"dropout_mask({SHAPE}, 0.3, generator=g)",
            "generators seeded 0 and 1 gave the same mask",
            "draw the random numbers from the generator you are given, not from a fixed one",
        )


@pytest.mark.requires("dropout_mask")
def test_mask_without_generator_uses_the_global_rng(reg):
    call = f"dropout_mask({SHAPE}, 0.3)"
    first = assert_like(
        reg.dropout_mask(SHAPE, 0.3), call=call, shape=SHAPE, dtype=torch.float32, device="cpu"
    )
    second = reg.dropout_mask(SHAPE, 0.3)
    if torch.equal(first, second):
        fail(
            call,
            "two calls without a generator returned the same mask",
            "with generator=None draw from torch's global RNG (torch.rand(..., generator=None)); "
            "a new torch.Generator() made inside the function starts from the same seed every time",
        )


# --- dropout_mask: distribution ----------------------------------------------------------------


@pytest.mark.values("dropout_mask")
@pytest.mark.parametrize("p", P_VALUES)
def test_mask_drops_a_fraction_p(reg, p):
    mask = reg.dropout_mask(SHAPE, p, generator=make_generator(10))
    mask = assert_like(
        mask, call=f"dropout_mask({SHAPE}, {p})", shape=SHAPE, dtype=torch.float32, device="cpu"
    )
    observed = (mask == 0).double().mean().item()
    # Each entry is 0 independently with probability p: the fraction of zeros among N entries is
    # binomial / N, with standard error sqrt(p(1-p)/N).
    assert_statistic(
        "the fraction of zeros (dropped entries)",
        observed,
        p,
        binomial_se(p, N),
        call=f"dropout_mask({SHAPE}, p={p}, generator=g)",
        hint=drop_fraction_hint(observed, p, N),
    )


@pytest.mark.requires("dropout_mask")  # an all-zero mask passes it: see the next test
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", P_VALUES)
def test_mask_values_are_zero_or_one_over_keep_probability(reg, p, dtype):
    call = f"dropout_mask({SHAPE}, p={p}, generator=g, dtype={dtype})"
    mask = reg.dropout_mask(SHAPE, p, generator=make_generator(11), dtype=dtype)
    mask = assert_like(
        mask, call=call, shape=SHAPE, dtype=dtype, device="cpu", dtype_from=ARGUMENT_DTYPE
    )
    scale = 1 / (1 - p)
    expected = torch.full_like(mask, scale).masked_fill(mask == 0, 0.0)
    kept = mask[mask != 0]
    hint = HINT_RESCALE
    if kept.numel() and math.isclose(kept[0].item(), 1 / p, rel_tol=1e-5):
        hint = (
            "you scale the kept entries by 1/p, but p is the probability of DROPPING an entry "
            "(as in torch.nn.Dropout(p)): the kept ones, a fraction 1 - p, are scaled by 1/(1 - p)"
        )
    assert_tensor_close(
        mask,
        expected,
        call=call,
        dtype_from=ARGUMENT_DTYPE,
        inputs=f"a mask that should hold only 0 and 1/(1 - p) = {scale:.6g}",
        hint=hint,
    )


@pytest.mark.values("dropout_mask")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", P_VALUES)
def test_mask_is_zero_or_one_over_keep_probability_with_a_fraction_p_of_zeros(reg, p, dtype):
    """The mask's values at once: every entry 0 or 1/(1 - p), and a fraction p of them 0. Each
    half alone lets a wrong mask through (all zeros holds only allowed values; a mask of 0s and 1s
    drops the right fraction)."""
    call = f"dropout_mask({SHAPE}, p={p}, generator=g, dtype={dtype})"
    mask = reg.dropout_mask(SHAPE, p, generator=make_generator(17), dtype=dtype)
    mask = assert_like(
        mask, call=call, shape=SHAPE, dtype=dtype, device="cpu", dtype_from=ARGUMENT_DTYPE
    )
    scale = 1 / (1 - p)
    assert_tensor_close(
        mask,
        torch.full_like(mask, scale).masked_fill(mask == 0, 0.0),
        call=call,
        dtype_from=ARGUMENT_DTYPE,
        inputs=f"a mask that should hold only 0 and 1/(1 - p) = {scale:.6g}",
        hint=HINT_RESCALE,
    )
    observed = (mask == 0).double().mean().item()
    assert_statistic(
        "the fraction of zeros (dropped entries)",
        observed,
        p,
        binomial_se(p, N),
        call=call,
        hint=drop_fraction_hint(observed, p, N),
    )


@pytest.mark.requires("dropout_mask")
@pytest.mark.parametrize("p", P_VALUES)
def test_mask_has_mean_one(reg, p):
    mask = reg.dropout_mask(SHAPE, p, generator=make_generator(12), dtype=torch.float64)
    # An entry is 1/(1-p) with probability 1-p, else 0: mean 1, E[m²] = 1/(1-p), so its variance
    # is 1/(1-p) - 1 = p/(1-p); the mean of N independent entries has standard error
    # sqrt(p / ((1-p) N)).
    assert_statistic(
        "the mean of the mask",
        mask.mean().item(),
        1.0,
        math.sqrt(p / ((1 - p) * N)),
        call=f"dropout_mask({SHAPE}, p={p}, generator=g, dtype=torch.float64)",
        hint=HINT_RESCALE,
    )


@pytest.mark.parametrize("function", BOTH_FUNCTIONS)
def test_entries_are_dropped_independently(reg, function):
    """Rows (and columns) of the drop pattern differ: no mask broadcast over a dimension."""
    p = 0.3
    if function == "dropout_mask":
        call = f"dropout_mask({SHAPE}, p={p}, generator=g)"
        dropped = reg.dropout_mask(SHAPE, p, generator=make_generator(13)) == 0
    else:
        call = f"dropout(x, p={p}, generator=g)"
        dropped = reg.dropout(torch.ones(SHAPE), p, generator=make_generator(13)) == 0
    # Compare disjoint pairs of rows (0 with 1, 2 with 3, ...) and of columns: for independent
    # entries a pair agrees (both dropped or both kept) with probability q = p² + (1-p)², and the
    # N/2 pairs are independent, so the fraction that agrees has standard error sqrt(q(1-q)/(N/2)).
    q = p**2 + (1 - p) ** 2
    for name, first, second in [
        ("rows", dropped[0::2], dropped[1::2]),
        ("columns", dropped[:, 0::2], dropped[:, 1::2]),
    ]:
        assert_statistic(
            f"the fraction of entries where neighbouring {name} agree",
            (first == second).double().mean().item(),
            q,
            binomial_se(q, N // 2),
            call=call,
            hint="draw one random number per entry, with the full shape: a mask of shape "
            f"{SHAPE[1:]} or {(*SHAPE[:1], 1)} broadcast over the other dimension drops whole "
            f"columns or rows together",
        )


# --- dropout_mask: edge cases, errors, dtype and device ----------------------------------------


@pytest.mark.requires("dropout_mask")
@pytest.mark.parametrize("dtype", DTYPES)
def test_mask_with_p_zero_keeps_everything(reg, dtype):
    assert_tensor_close(
        reg.dropout_mask(SHAPE, 0.0, generator=make_generator(14), dtype=dtype),
        torch.ones(SHAPE, dtype=dtype),
        call=f"dropout_mask({SHAPE}, p=0.0, dtype={dtype})",
        dtype_from=ARGUMENT_DTYPE,
        hint="with p = 0 nothing is dropped and 1/(1 - p) = 1: all ones",
    )


@pytest.mark.requires("dropout_mask")
@pytest.mark.parametrize("dtype", DTYPES)
def test_mask_with_p_one_drops_everything(reg, dtype):
    assert_tensor_close(
        reg.dropout_mask(SHAPE, 1.0, generator=make_generator(15), dtype=dtype),
        torch.zeros(SHAPE, dtype=dtype),
        call=f"dropout_mask({SHAPE}, p=1.0, dtype={dtype})",
        dtype_from=ARGUMENT_DTYPE,
        hint="with p = 1 every entry is dropped, and 0 / (1 - p) is 0 / 0 = NaN: return zeros "
        "when p == 1 instead of dividing",
    )


@pytest.mark.parametrize("function", BOTH_FUNCTIONS)
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_outside_zero_one_is_an_error(reg, function, p):
    call = f"{function}({'(3, 4)' if function == 'dropout_mask' else 'x'}, p={p})"
    try:
        if function == "dropout_mask":
            reg.dropout_mask((3, 4), p)
        else:
            reg.dropout(torch.ones(3, 4), p)
    except ValueError:
        return
    fail(
        call,
        "did not raise ValueError",
        "check that 0 <= p <= 1 first: raise ValueError(...) otherwise",
    )


@pytest.mark.requires("dropout_mask")
@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mask_is_created_with_the_requested_dtype_and_device(reg, dtype, device):
    generator = None if device == "meta" else make_generator(16, device)
    call = f"dropout_mask((3, 7), 0.5, device={device!r}, dtype={dtype})"
    assert_like(
        reg.dropout_mask((3, 7), 0.5, generator=generator, device=device, dtype=dtype),
        call=call,
        dtype_from=ARGUMENT_DTYPE,
        shape=(3, 7),
        dtype=dtype,
        device=device,
        hint="pass device=device and dtype=dtype to the function that creates the tensor "
        "(torch.rand(shape, generator=generator, device=device, dtype=dtype))",
    )


@pytest.mark.requires("dropout_mask")
@settings(max_examples=30, deadline=None)
@given(
    shape=st.lists(st.integers(0, 6), max_size=3).map(tuple),
    p=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_mask_property_zero_or_rescaled(reg, shape, p, seed):
    """For every shape (empty ones included) and every p in [0, 1]: finite, 0 or 1/(1-p)."""
    call = f"dropout_mask({shape}, p={p!r}, dtype=torch.float64)"
    mask = reg.dropout_mask(shape, p, generator=make_generator(seed), dtype=torch.float64)
    mask = assert_like(
        mask, call=call, shape=shape, dtype=torch.float64, device="cpu", dtype_from=ARGUMENT_DTYPE
    )
    scale = 0.0 if p == 1 else 1 / (1 - p)
    expected = torch.full_like(mask, scale).masked_fill(mask == 0, 0.0)
    assert_tensor_close(
        mask,
        expected,
        call=call,
        dtype_from=ARGUMENT_DTYPE,
        inputs=f"a mask that should hold only 0 and 1/(1 - p) = {scale:.17g} (zeros for p = 1)",
        hint=HINT_RESCALE,
    )


# --- dropout -----------------------------------------------------------------------------------


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("device", DEVICES)
def test_dropout_is_reproducible_with_a_seeded_generator(reg, device):
    x = positive_input(SHAPE, torch.float32, device)

    def draw(global_seed: int) -> torch.Tensor:
        return with_global_seed(
            global_seed, lambda: reg.dropout(x, 0.3, generator=make_generator(0, device))
        )

    assert_identical(
        draw(1),
        draw(2),
        call=f"dropout(x, 0.3, generator=torch.Generator(device={device!r}).manual_seed(0))",
        problem="two calls with equally seeded generators returned different outputs (the "
        "global RNG was reseeded differently between them)",
        hint=HINT_GENERATOR + "; dropout must hand its generator on to dropout_mask",
    )
    other = reg.dropout(x, 0.3, generator=make_generator(1, device))
    if torch.equal(draw(1), other):
        fail("dropout(x, 0.3, generator=g)", "generators seeded 0 and 1 gave the same output")


@pytest.mark.values("dropout")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", P_VALUES)
def test_dropout_zeroes_or_rescales_each_entry(reg, p, dtype):
    x = positive_input(SHAPE, dtype, seed=20)
    original = x.clone()  # the expected values come from x as it was given
    call = f"dropout(x, p={p}, generator=g)"
    out = assert_like(
        reg.dropout(x, p, generator=make_generator(21)),
        call=call,
        shape=SHAPE,
        dtype=dtype,
        device="cpu",
    )
    hint = (
        "multiply x by a mask of 0s and 1/(1 - p)s (inverted dropout): kept entries are "
        "rescaled by 1/(1 - p), dropped ones are exactly 0"
    )
    if not torch.equal(x, original):
        hint = "dropout changed x in place: return a new tensor, x * mask, and leave x as it was"
    assert_tensor_close(
        out,
        torch.where(out == 0, torch.zeros_like(original), original / (1 - p)),
        call=call,
        inputs=describe(original) + ", never 0; each output must be 0 or x / (1 - p)",
        hint=hint,
    )
    observed = (out == 0).double().mean().item()
    # x is never 0, so an output is 0 exactly when its entry was dropped: binomial, as above.
    assert_statistic(
        "the fraction of dropped (zero) entries",
        observed,
        p,
        binomial_se(p, N),
        call=call,
        hint=drop_fraction_hint(observed, p, N),
    )


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("p", P_VALUES)
def test_dropout_preserves_the_mean(reg, p):
    x = positive_input(SHAPE, torch.float64, seed=22)
    out = reg.dropout(x, p, generator=make_generator(23))
    # out_i = x_i m_i with E[m_i] = 1 and Var[m_i] = p/(1-p), independent: E[mean(out)] = mean(x)
    # and Var[mean(out)] = sum_i x_i² p/(1-p) / N².
    assert_statistic(
        "the mean of dropout(x)",
        out.mean().item(),
        x.mean().item(),
        math.sqrt((x**2).sum().item() * p / (1 - p)) / N,
        call=f"dropout(x, p={p}, generator=g)",
        hint="E[dropout(x)] must equal x: " + HINT_RESCALE,
    )


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "p",  # p = 1 is an edge case, even where nothing is dropped: it counts once the values do
    [
        pytest.param(0.0, marks=pytest.mark.values("dropout", answer="x")),
        pytest.param(0.3, marks=pytest.mark.values("dropout", answer="x")),
        1.0,
    ],
)
def test_dropout_in_evaluation_mode_returns_x(reg, p, dtype):
    x = random_tensor((40, 50), dtype, "cpu", seed=24)
    assert_tensor_close(
        reg.dropout(x, p, training=False, generator=make_generator(25)),
        x.clone(),
        call=f"dropout(x, p={p}, training=False)",
        inputs=describe(x),
        hint="in evaluation mode (training=False) dropout does nothing: return x unchanged "
        "(inverted dropout already rescaled during training; no mask, no scaling by 1 - p)",
        rtol=0.0,
        atol=0.0,
    )


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_with_p_zero_and_one(reg, dtype):
    x = random_tensor((40, 50), dtype, "cpu", seed=26)
    assert_tensor_close(
        reg.dropout(x, 0.0, generator=make_generator(27)),
        x.clone(),
        call="dropout(x, p=0.0)",
        inputs=describe(x),
        hint="with p = 0 nothing is dropped and nothing rescaled: the output equals x",
    )
    assert_tensor_close(
        reg.dropout(x, 1.0, generator=make_generator(28)),
        torch.zeros_like(x),
        call="dropout(x, p=1.0)",
        inputs=describe(x),
        hint="with p = 1 everything is dropped, and 0 / (1 - p) is 0 / 0 = NaN: the mask must "
        "be all zeros, not NaN",
    )


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
def test_dropout_output_follows_x(reg, training, dtype, device):
    x = random_tensor((3, 7), dtype, device, seed=29)
    generator = None if device == "meta" else make_generator(30, device)
    assert_like(
        reg.dropout(x, 0.5, training=training, generator=generator),
        call=f"dropout(x, 0.5, training={training})",
        shape=x.shape,
        dtype=dtype,
        device=device,
        hint="make the mask on x's device and in x's dtype: dropout_mask(x.shape, p, "
        "generator=generator, device=x.device, dtype=x.dtype)",
    )


@pytest.mark.requires("dropout")
def test_dropout_does_not_modify_x(reg):
    x = positive_input(SHAPE, torch.float64, seed=31)
    before = x.clone()
    reg.dropout(x, 0.3, generator=make_generator(32))
    assert_tensor_close(
        x,
        before,
        call="dropout(x, 0.3) changed its input x",
        hint="x.mul_(mask) or x *= mask modify the caller's tensor; return x * mask, a new tensor",
        rtol=0.0,
        atol=0.0,
    )


@pytest.mark.requires("dropout")
@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 20),
    cols=st.integers(1, 20),
    p=st.floats(0.0, 0.99),
    seed=st.integers(0, 2**16),
)
def test_dropout_property_zero_or_rescaled(reg, rows, cols, p, seed):
    x = positive_input((rows, cols), torch.float64, seed=seed)
    out = reg.dropout(x, p, generator=make_generator(seed))
    assert_tensor_close(
        out,
        torch.where(out == 0, torch.zeros_like(x), x / (1 - p)),
        call=f"dropout(x, p={p!r})",
        inputs=describe(x) + ", never 0",
        hint="each output entry is 0 (dropped) or x / (1 - p) (kept and rescaled)",
    )


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("shape", [(), (0,), (3, 0)], ids=["0-d", "empty", "no-columns"])
@pytest.mark.parametrize("p", [0.3, 1.0])
def test_dropout_of_a_scalar_or_an_empty_x(reg, shape, p):
    """Any shape: a 0-d x (one entry, kept or dropped) and x with no entries at all."""
    x = positive_input(shape, torch.float64, seed=35)
    call = f"dropout(x, p={p}, generator=g) with x of shape {shape}"
    try:
        out = reg.dropout(x, p, generator=make_generator(36))
    except (RuntimeError, ValueError, IndexError) as error:
        hint = "every shape works, () and shapes with a 0 included: draw the mask with x.shape"
        fail(call, f"raised {type(error).__name__}: {error!s:.200}", hint)
    out = assert_like(out, call=call, shape=shape, dtype=x.dtype, device="cpu")
    kept = torch.zeros_like(x) if p == 1 else x / (1 - p)
    assert_tensor_close(
        out, torch.where(out == 0, torch.zeros_like(x), kept), call=call,
        inputs=describe(x) + ", never 0", hint="each output entry is 0 (dropped) or x / (1 - p)",
    )  # fmt: skip


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("source", ["impl", "torch"])
def test_benchmark(benchmark, reg, source):
    """Realistic size: a batch of 512 hidden activations of width 4096 (a transformer MLP)."""
    x = random_tensor((512, 4096), torch.float32, "cpu", seed=34)
    if source == "impl":
        function = lambda: reg.module.dropout(x, 0.1)  # noqa: E731
    else:
        function = lambda: F.dropout(x, 0.1, training=True)  # noqa: E731
    benchmark.group = "regularization.dropout"
    benchmark(function)


@pytest.mark.requires("dropout")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_dropout_of_x_of_any_layout(reg, layout):
    """x a view of another tensor (an activation transposed, a slice, a row broadcast over the
    batch): dropout only reads it, so it gives what it gives on a contiguous copy of x (the mask
    is dropout_mask(x.shape, ...), whatever x's strides), and x is left alone."""
    values = positive_input(SHAPE, torch.float64, seed=30)
    if layout == "expanded":
        values = values[:1].expand_as(values).clone()
    x = laid_out(values, layout)
    before = x.clone()
    call = f"dropout(x, p=0.3, generator=g) with x a {layout} view, strides {tuple(x.stride())}"
    hint = layout_hint("x", x, layout)
    try:
        out = reg.dropout(x, 0.3, generator=make_generator(31))
    except RuntimeError as error:  # x.view(...), or a write into an expanded x
        fail(call, f"raised RuntimeError: {error!s:.200}", hint)
    expected = check_tensor_type(reg.dropout(values, 0.3, generator=make_generator(31)), call)
    assert_tensor_close(
        out, expected, call=call,
        inputs=f"{describe(x)}; expected: what dropout gives on a contiguous copy of x", hint=hint,
    )  # fmt: skip
    if not torch.equal(x, before):
        fail(call, "changed x", hint)
