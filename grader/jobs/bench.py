"""``python -m grader bench``: how fast is a hand-written MLP pass?

Times one forward + backward pass of the implementation's ``mlp_forward``/``mlp_backward``
beside the same network in ``torch.nn`` trained with autograd (same batch, same device), and
beside one plain matrix product with the same number of floating-point operations, the speed
the hardware reaches on this kind of work. Prints the times, the ratios and GFLOP/s.
"""

from __future__ import annotations

import argparse
import logging
from itertools import pairwise

import torch
import torch.nn.functional as F

from grader.check.implementation import load_module, reference_hint, resolve_impl
from grader.core.devices import unavailable_device
from grader.core.exits import FAILED, OK, error
from grader.core.options import (
    add_compute_device_option,
    add_impl_option,
    positive_float,
    positive_int,
)
from grader.core.outcomes import ImplementationError, StubReached


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_impl_option(parser)
    parser.add_argument(
        "--sizes", type=positive_int, nargs="+", default=[784, 256, 10], help="layer widths"
    )
    parser.add_argument("--batch", type=positive_int, default=256, help="rows per pass")
    add_compute_device_option(parser, several=True)
    parser.add_argument(
        "--seconds", type=positive_float, default=2.0, help="measuring time per candidate"
    )


def mlp_flops(sizes: list[int], batch: int) -> int:
    """Multiply-adds x 2 of one forward + backward pass (no gradient for the input X)."""
    forward = sum(2 * batch * fan_in * fan_out for fan_in, fan_out in pairwise(sizes))
    weight_grads = forward
    input_grads = forward - 2 * batch * sizes[0] * sizes[1]  # every layer's input but the first
    return forward + weight_grads + input_grads


def _seconds(function, min_run_time: float) -> float:
    # torch.utils.benchmark imports cpp_extension, which warns "No CUDA runtime is found" on a
    # machine without one: not this command's concern, and noise in its output.
    logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    from torch.utils.benchmark import Timer

    timer = Timer(stmt="function()", globals={"function": function})
    timer.timeit(5)  # warm up: allocator, kernels, threads
    return timer.blocked_autorange(min_run_time=min_run_time).median


def measure(
    mlp, sizes: list[int], batch: int, device: str, min_run_time: float
) -> dict[str, float]:
    generator = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(
        *[
            layer
            for fan_in, fan_out in pairwise(sizes)
            for layer in (torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU())
        ][:-1]
    ).to(device)
    params = [
        (m.weight.detach().clone(), m.bias.detach().clone())
        for m in model
        if isinstance(m, torch.nn.Linear)
    ]
    X = torch.randn(batch, sizes[0], generator=generator).to(device)
    y = torch.randint(0, sizes[-1], (batch,), generator=generator).to(device)

    def by_hand():
        with torch.no_grad():
            _, cache = mlp.mlp_forward(params, X)
            return mlp.mlp_backward(params, cache, y)

    def by_autograd():
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(X), y).backward()

    flops = mlp_flops(sizes, batch)
    inner = max(1, round(flops / (2 * batch * sizes[0])))  # one matmul, (batch, d0) @ (d0, inner)
    A, B = torch.randn(batch, sizes[0], device=device), torch.randn(sizes[0], inner, device=device)
    return {
        "by hand": _seconds(by_hand, min_run_time),
        "autograd": _seconds(by_autograd, min_run_time),
        "matmul": _seconds(lambda: A @ B, min_run_time),
        "flops": flops,
        "matmul flops": 2 * batch * sizes[0] * inner,
    }


def run(args: argparse.Namespace) -> int:
    if len(args.sizes) < 2:
        return error("cannot bench: --sizes needs at least two widths (input and output)")
    problem = next(filter(None, map(unavailable_device, args.device)), None)
    if problem:
        return error(f"cannot bench: {problem}")
    try:
        mlp = load_module(resolve_impl(args.impl), "mlp")
    except (ValueError, ImplementationError) as reason:
        return error(f"cannot bench: {reason}")
    except NotImplementedError as reason:  # NotAttempted: no mlp.py
        return error(f"cannot bench yet: {reason}{reference_hint()}")
    for number, device in enumerate(args.device):
        try:
            r = measure(mlp, args.sizes, args.batch, device, args.seconds)
        except (NotImplementedError, StubReached) as reason:
            return error(f"cannot bench yet: {reason}{reference_hint()}")
        except Exception as raised:  # the implementation's bug, reported as such
            return error(f"bench stopped: your code raised {type(raised).__name__}: {raised}",
                         FAILED)  # fmt: skip
        if number == 0:  # the header once a row is sure to follow
            sizes = "-".join(map(str, args.sizes))
            print(f"MLP {sizes}, batch {args.batch}, implementation {args.impl}")
            print(
                f"{'device':<7} {'by hand':>10} {'autograd':>10} {'ratio':>6} {'GFLOP/s':>8} "
                f"{'matmul':>10} {'GFLOP/s':>8} {'vs matmul':>9}"
            )
        hand_rate, matmul_rate = (
            r["flops"] / r["by hand"] / 1e9,
            r["matmul flops"] / r["matmul"] / 1e9,
        )
        print(
            f"{device:<7} {r['by hand'] * 1e6:8.1f}us {r['autograd'] * 1e6:8.1f}us "
            f"{r['by hand'] / r['autograd']:6.2f} {hand_rate:8.1f} {r['matmul'] * 1e6:8.1f}us "
            f"{matmul_rate:8.1f} {hand_rate / matmul_rate:8.2f}x"
        )
    print(
        "ratio = by hand / autograd (below 1: faster than autograd); the matmul has the same "
        "number of floating-point operations as the forward + backward pass; vs matmul = the "
        "pass's GFLOP/s / the matmul's (one product of that size can be slower than the pass's "
        "smaller ones, so above 1 is possible: a comparison, not a share of a peak)"
    )
    return OK
