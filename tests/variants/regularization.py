from variants import Variant

VARIANTS = [
    # --- dropout_mask: classic mistakes ---------------------------------------------------------
    Variant(
        "mask-thresholds-normal-numbers",  # torch.randn is N(0, 1): P(z < p) is not p
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 1:
        return torch.zeros(shape, device=device, dtype=dtype)
    keep = torch.randn(shape, generator=generator, device=device, dtype=dtype) >= p
    return keep.to(dtype) / (1 - p)
""",
        expect="fail",
        message=r"the fraction of zeros .*Hint: drop each entry independently.*torch\.randn",
        select="mask",
    ),
    Variant(
        "mask-with-normal-values",  # mean 1 and variance p/(1-p), but not a 0-or-1/(1-p) mask
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    noise = torch.randn(shape, generator=generator, device=device, dtype=dtype)
    return 1 + noise * (p / (1 - p)) ** 0.5
""",
        expect="fail",
        message=r"values differ for a mask that should hold only 0 and 1/\(1 - p\)",
        select="values_are_zero_or",
    ),
    Variant(
        "mask-not-rescaled",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    return (torch.rand(shape, generator=generator, device=device, dtype=dtype) >= p).to(dtype)
""",
        expect="fail",
        message=r"values differ for a mask that should hold only 0 and 1/\(1 - p\).*Hint: "
        r"inverted dropout scales the kept entries by 1/\(1 - p\)",
    ),
    Variant(
        "mask-keeps-with-probability-p",  # p read as the keep probability
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 1:
        return torch.zeros(shape, device=device, dtype=dtype)
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) < p
    return keep.to(dtype) / (1 - p)
""",
        expect="fail",
        message=r"the fraction of zeros .*Hint: you drop entries with probability 1 - p, but p "
        r"is the probability of DROPPING",
    ),
    Variant(
        "mask-rescaled-by-one-over-p",  # right drop probability, scale of the keep/drop mix-up
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 0:
        return torch.ones(shape, device=device, dtype=dtype)
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) >= p
    return keep.to(dtype) / p
""",
        expect="fail",
        message=r"Hint: you scale the kept entries by 1/p, but p is the probability of DROPPING",
        select="values_are_zero_or",
    ),
    Variant(
        "mask-nan-for-p-one",  # 0 / (1 - 1) = 0 / 0
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) >= p
    return keep.to(dtype) / (1 - p)
""",
        expect="fail",
        message=r"p=1\.0.*returned nan .*expected the finite value 0.*Hint: with p = 1",
        select="p_one or p_zero_and_one",
    ),
    Variant(
        "mask-ignores-the-generator",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 1:
        return torch.zeros(shape, device=device, dtype=dtype)
    keep = torch.rand(shape, device=device, dtype=dtype) >= p
    return keep.to(dtype) / (1 - p)
""",
        expect="fail",
        message=r"equally seeded generators returned different masks.*Hint: pass "
        r"generator=generator",
    ),
    Variant(
        "mask-fresh-generator-when-none",  # the same "random" mask on every call
        """
_reference_mask = dropout_mask

def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    return _reference_mask(shape, p, generator=generator, device=device, dtype=dtype)
""",
        expect="fail",
        message=r"two calls without a generator returned the same mask",
        select="without_generator",
    ),
    Variant(
        "mask-ignores-dtype",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 1:
        return torch.zeros(shape, device=device)
    return (torch.rand(shape, generator=generator, device=device) >= p).float() / (1 - p)
""",
        expect="fail",
        message=r"returned dtype torch\.float32, expected torch\.float64\nHint: the output has the "
        r"dtype given as dtype=, torch\.float64; .*torch\.rand\(\.\.\.\)",
        select="mask",
    ),
    Variant(
        "mask-ignores-device",  # created on the default device
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if p == 1:
        return torch.zeros(shape, dtype=dtype)
    return (torch.rand(shape, generator=generator, dtype=dtype) >= p).to(dtype) / (1 - p)
""",
        expect="fail",
        message=r"returned a tensor on cpu, expected meta.*Hint: pass device=device",
        select="mask_is_created",
    ),
    Variant(
        "no-check-of-p",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) >= p
    return keep.to(dtype) * (1.0 / (1.0 - p) if p < 1 else 0.0)

def dropout(x, p, *, training=True, generator=None):
    if not training:
        return x
    return x * dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype)
""",
        expect="fail",
        message=r"p=-0\.1\): did not raise ValueError",
        select="outside_zero_one",
    ),
    # --- dropout: classic mistakes --------------------------------------------------------------
    Variant(
        "dropout-also-in-evaluation",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    return x * dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype)
""",
        expect="fail",
        message=r"dropout\(x, p=0\.3, training=False\): values differ.*Hint: in evaluation mode",
        select="evaluation",
    ),
    Variant(
        "dropout-scales-by-keep-probability-in-evaluation",  # the non-inverted convention
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x * (1 - p)
    return x * dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype)
""",
        expect="fail",
        message=r"training=False\): values differ.*no scaling by 1 - p",
        select="evaluation",
    ),
    Variant(
        "dropout-forgets-the-generator",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    return x * dropout_mask(x.shape, p, device=x.device, dtype=x.dtype)
""",
        expect="fail",
        message=r"equally seeded generators returned different outputs.*hand its generator on",
    ),
    Variant(
        "dropout-through-a-flat-view",  # x.view(-1): fails on a transposed, sliced or expanded x
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    flat = x.view(-1)
    mask = dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype)
    return (flat * mask.view(-1)).view(x.shape)
""",
        expect="fail",
        message=r"dropout\(x, p=0\.3, generator=g\) with x a (transposed|sliced with a step|"
        r"expanded) view.*raised RuntimeError.*Hint: x here is an? \1 view of another tensor",
        select="any_layout",
    ),
    Variant(
        "dropout-flat-then-reshaped",  # correct: reshape copies where it must
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    mask = dropout_mask((x.numel(),), p, generator=generator, device=x.device, dtype=x.dtype)
    return (x.reshape(-1) * mask).reshape(x.shape)
""",
        expect="pass",
        select="dropout and not mask",
    ),
    Variant(
        "dropout-in-place",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    return x.mul_(dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype))
""",
        expect="fail",
        message=r"dropout\(x, 0\.3\) changed its input x",
        select="does_not_modify",
    ),
    Variant(
        "dropout-mask-on-the-default-device",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    return x * dropout_mask(x.shape, p, generator=generator, dtype=x.dtype)
""",
        expect="fail",
        message=r"meta",
        select="follows_x",
    ),
    Variant(
        "dropout-one-mask-for-all-rows",  # a mask of shape x.shape[-1:], broadcast over the batch
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    return x * dropout_mask(x.shape[-1:], p, generator=generator, device=x.device, dtype=x.dtype)
""",
        expect="fail",
        message=r"neighbouring rows agree.*Hint: draw one random number per entry",
        select="independently",
    ),
    Variant(
        "dropout-not-rescaled",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p")
    if not training:
        return x
    keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= p
    return x * keep
""",
        expect="fail",
        message=r"each output must be 0 or x / \(1 - p\).*Hint: multiply x by a mask of 0s and "
        r"1/\(1 - p\)s",
        select="dropout_zeroes",
    ),
    Variant(
        "dropout-calls-torch",
        """
import torch.nn.functional as F

def dropout(x, p, *, training=True, generator=None):
    return F.dropout(x, p, training=training)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.dropout is not allowed",
        select="evaluation",
    ),
    # --- correct alternatives: all must pass ----------------------------------------------------
    Variant(
        "keep-where-rand-below-one-minus-p",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if p < 0 or p > 1:
        raise ValueError(f"p={p}")
    keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) < 1 - p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return keep.to(dtype) * scale
""",
        expect="pass",
    ),
    Variant(
        "bernoulli-mask-divided-afterwards",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError(f"p={p}")
    if p == 1:
        return torch.zeros(shape, device=device, dtype=dtype)
    keep = torch.full(shape, 1 - p, device=device, dtype=dtype)
    return torch.bernoulli(keep, generator=generator) / (1 - p)
""",
        expect="pass",
    ),
    Variant(
        "bernoulli-in-place-and-mask-through-where",
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError(f"p={p}")
    mask = torch.empty(shape, device=device, dtype=dtype).bernoulli_(1 - p, generator=generator)
    if p < 1:
        mask.div_(1 - p)
    return mask

def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError(f"p={p}")
    if not training:
        return x.clone()
    keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= p
    return torch.where(keep, x / (1 - p) if p < 1 else x, torch.zeros_like(x))
""",
        expect="pass",
    ),
    Variant(
        "scale-x-first-then-mask-in-place-on-a-copy",
        """
def dropout(x, p, *, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError(f"p={p}")
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = dropout_mask(x.shape, p, generator=generator, device=x.device, dtype=x.dtype) != 0
    out = x / (1 - p)
    out.mul_(keep)
    return out
""",
        expect="pass",
    ),
    Variant(
        "sample-on-the-generator-device-then-move",  # CPU sampling, then .to(device)
        """
def dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32):
    if not 0 <= p <= 1:
        raise ValueError(f"p={p}")
    sample_on = generator.device if generator is not None else "cpu"
    u = torch.rand(shape, generator=generator, device=sample_on, dtype=torch.float64)
    mask = (u >= p).to(torch.float64) * (1 / (1 - p) if p < 1 else 0.0)
    return mask.to(device=device, dtype=dtype)
""",
        expect="pass",
    ),
]
