"""The reference solution of the regularization exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/regularization.md, English and Chinese.
"""

import torch
from torch import Tensor


def dropout_mask(
    shape: tuple[int, ...],
    p: float,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """A random inverted-dropout mask of the given shape, dtype and device.

    Each entry is independently

        0            with probability p       (dropped)
        1 / (1 - p)  with probability 1 - p   (kept, and rescaled so that its mean is 1)

    so that E[mask] = (1 - p) / (1 - p) = 1 entrywise. Draw uniform numbers u in [0, 1) with
    torch.rand(shape, generator=generator, device=device, dtype=dtype): u < p happens with
    probability p. (torch.randn draws from a normal distribution, not a uniform one.)

    Edge cases: p = 0 gives all ones; p = 1 gives all zeros (beware: 0 / (1 - p) is 0 / 0 = NaN
    there). Raises ValueError if p is not in [0, 1].

    ``generator``, if given, must live on ``device`` (CPU by default), and every random number
    is drawn from it: a seeded generator gives the same mask whatever the global random state.
    With generator=None draw from torch's global RNG, so that two calls give different masks (a
    torch.Generator() created inside the function would give the same mask every time).
    device=None means the CPU. Any shape works, () and shapes containing a 0 included.
    """
    # BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1], got {p}")
    if p == 1.0:
        return torch.zeros(shape, device=device, dtype=dtype)
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) >= p
    return keep.to(dtype) * (1.0 / (1.0 - p))
    # END SOLUTION


def dropout(
    x: Tensor, p: float, *, training: bool = True, generator: torch.Generator | None = None
) -> Tensor:
    """Inverted dropout of x: in training, x * mask with a fresh mask from dropout_mask.

        training=True:   out = x * mask,  mask as in dropout_mask(x.shape, p) on x's device
                         and in x's dtype: each entry is 0 or x / (1 - p), and E[out] = x
        training=False:  out = x (evaluation: dropout does nothing)

    The output has x's shape, dtype and device. x itself is not modified. Raises ValueError if p
    is not in [0, 1]. Hand ``generator`` on to dropout_mask (if given, it must live on x's
    device), so that a seeded generator makes the output reproducible; with generator=None the
    mask comes from torch's global RNG. p = 0 gives x's values and p = 1 gives zeros (never NaN).

    x may be a view of another tensor in any layout (transposed, sliced with a step, or expanded
    from one row): only read it. ``x.view(...)`` fails on such views, and writing into an
    expanded one fails.
    """
    # BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1], got {p}")
    if not training:
        return x
    return x * dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype)
    # END SOLUTION
