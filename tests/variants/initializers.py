from variants import Variant

VARIANTS = [
    # --- classic mistakes -----------------------------------------------------------------------
    Variant(
        "he-variance-used-as-std",
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    fan_in = shape[1]
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * (2 / fan_in)
""",
        expect="fail",
        message=r"the variance of the weights .*Hint: torch\.randn\(\.\.\.\) \* s has variance s²",
        select="he_normal",
    ),
    Variant(
        "xavier-normal-variance-used-as-std",
        """
def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    variance = gain**2 * 2 / (fan_in + fan_out)
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * variance
""",
        expect="fail",
        message=r"the variance of the weights .*Hint: torch\.randn\(\.\.\.\) \* s has variance s²",
        select="xavier_normal",
    ),
    Variant(
        "he-uses-fan-out",  # shape read as (fan_in, fan_out)
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    std = math.sqrt(2 / shape[0])
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"the variance of the weights .*Hint: fan_in is shape\[1\] and fan_out is "
        r"shape\[0\]",
        select="he_normal",
    ),
    Variant(
        "he-without-the-2",  # LeCun's 1 / fan_in
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    std = math.sqrt(1 / shape[1])
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"Hint: the variance is 2 / fan_in, not 1 / fan_in",
        select="he_normal",
    ),
    Variant(
        "xavier-bound-without-the-6",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * math.sqrt(1 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"the variance of the weights .*Hint: .*the 6 is missing",
        select="xavier_uniform",
    ),
    Variant(
        "xavier-bound-with-3-instead-of-6",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * math.sqrt(3 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"the variance of the weights .*Hint: .*with 6, not 3",
        select="xavier_uniform",
    ),
    Variant(
        "xavier-bound-from-fan-in-only",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    a = gain * math.sqrt(6 / shape[1])
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"Hint: Xavier uses fan_in \+ fan_out",
        select="xavier_uniform",
    ),
    Variant(
        "xavier-uniform-ignores-gain",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = math.sqrt(6 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"gain=1\.667.*the variance of the weights .*Hint: the gain is ignored",
        select="xavier_uniform",
    ),
    Variant(
        "xavier-normal-ignores-gain",
        """
def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    std = math.sqrt(2 / (fan_in + fan_out))
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"Hint: the gain is ignored",
        select="xavier_normal",
    ),
    Variant(
        "uniform-from-zero-to-a",  # torch.rand(...) * a
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    return torch.rand(shape, generator=generator, device=device, dtype=dtype) * a
""",
        expect="fail",
        message=r"the mean of the weights .*Hint: draw from U\(-a, a\), symmetric around 0",
        select="xavier_uniform",
    ),
    Variant(
        "xavier-uniform-drawn-normal",  # right variance a²/3, wrong distribution
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"beyond the bound a = .*Hint: U\(-a, a\) never leaves \[-a, a\]",
        select="fill_minus_a_to_a",
    ),
    Variant(
        "xavier-normal-drawn-uniform",  # right variance, no tails
        """
def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"the fraction of weights beyond 2 standard deviations .*Hint: the weights must "
        r"be normal",
        select="xavier_normal",
    ),
    Variant(
        "ignores-the-generator",
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    std = math.sqrt(2 / shape[1])
    return torch.randn(shape, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"equally seeded generators returned different weights.*Hint: pass "
        r"generator=generator",
    ),
    Variant(
        "fresh-generator-when-none",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    fan_out, fan_in = shape
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    return (torch.rand(shape, generator=generator, device=device, dtype=dtype) * 2 - 1) * a
""",
        expect="fail",
        message=r"two calls without a generator returned the same weights",
    ),
    Variant(
        "ignores-device",  # created on the default device
        """
def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    return torch.randn(shape, generator=generator, dtype=dtype) * std
""",
        expect="fail",
        message=r"returned a tensor on cpu, expected meta.*Hint: pass device=device",
    ),
    Variant(
        "ignores-dtype",
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    std = math.sqrt(2 / shape[1])
    return torch.randn(shape, generator=generator, device=device) * std
""",
        expect="fail",
        message=r"returned dtype torch\.float32, expected torch\.float64",
    ),
    Variant(
        "calls-torch-init",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    weights = torch.empty(shape, device=device, dtype=dtype)
    return torch.nn.init.xavier_uniform_(weights, gain=gain, generator=generator)
""",
        expect="fail",
        message=r"torch\.nn\.init\.xavier_uniform_ is not allowed",
        select="xavier_uniform",
    ),
    Variant(
        "he-uniform-with-xavier-bound",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = math.sqrt(6 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"he_uniform\(.*the variance of the weights .*Hint: that is Xavier's bound",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-bound-sqrt-3-over-fan-in",  # LeCun's uniform: variance 1 / fan_in
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    a = math.sqrt(3 / shape[1])
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"he_uniform\(.*the variance of the weights .*Hint: the bound is a = "
        r"sqrt\(6 / fan_in\), with 6, not 3",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-uses-fan-out",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    a = math.sqrt(6 / shape[0])
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
""",
        expect="fail",
        message=r"he_uniform\(.*the variance of the weights .*Hint: fan_in is shape\[1\] and "
        r"fan_out is shape\[0\]",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-from-zero-to-a",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    a = math.sqrt(6 / shape[1])
    return torch.rand(shape, generator=generator, device=device, dtype=dtype) * a
""",
        expect="fail",
        message=r"he_uniform\(.*the mean of the weights .*Hint: draw from U\(-a, a\), symmetric",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-drawn-normal",  # right variance, wrong distribution
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    std = math.sqrt(2 / shape[1])
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"he_uniform\(.*beyond the bound a = .*Hint: U\(-a, a\) never leaves \[-a, a\]",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-ignores-the-generator",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    a = math.sqrt(6 / shape[1])
    return (torch.rand(shape, device=device, dtype=dtype) * 2 - 1) * a
""",
        expect="fail",
        message=r"equally seeded generators returned different weights.*Hint: pass "
        r"generator=generator",
        select="he_uniform",
    ),
    Variant(
        "he-uniform-calls-torch-init",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    weights = torch.empty(shape, device=device, dtype=dtype)
    return torch.nn.init.kaiming_uniform_(weights, nonlinearity="relu", generator=generator)
""",
        expect="fail",
        message=r"torch\.nn\.init\.kaiming_uniform_ is not allowed",
        select="he_uniform",
    ),
    # --- correct alternatives: all must pass ----------------------------------------------------
    Variant(
        "rand-rescaled-and-empty-normal",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * (6 / (fan_in + fan_out)) ** 0.5
    return (torch.rand(shape, generator=generator, device=device, dtype=dtype) * 2 - 1) * a

def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).normal_(0, std, generator=generator)

def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    w = torch.empty(shape, device=device, dtype=dtype)
    return w.normal_(mean=0.0, std=math.sqrt(2 / shape[1]), generator=generator)
""",
        expect="pass",
    ),
    Variant(
        "divide-by-the-inverse-and-in-place-arithmetic",
        """
def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain / math.sqrt((fan_in + fan_out) / 6)
    w = torch.rand(shape, generator=generator, device=device, dtype=dtype)
    return w.mul_(2 * a).sub_(a)

def xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    z = torch.randn(shape, generator=generator, device=device, dtype=dtype)
    return gain * z / math.sqrt((fan_in + fan_out) / 2)

def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    z = torch.randn(shape, generator=generator, device=device, dtype=dtype)
    return z / math.sqrt(shape[1] / 2)
""",
        expect="pass",
    ),
    Variant(
        "sample-in-float64-on-the-generator-device-then-move",
        """
def _draw(kind, shape, generator, device, dtype):
    sample_on = generator.device if generator is not None else "cpu"
    draw = torch.rand if kind == "uniform" else torch.randn
    values = draw(shape, generator=generator, device=sample_on, dtype=torch.float64)
    return values, lambda w: w.to(device=device, dtype=dtype)

def xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    u, finish = _draw("uniform", shape, generator, device, dtype)
    return finish(a * (2 * u - 1))

def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    z, finish = _draw("normal", shape, generator, device, dtype)
    return finish(z * math.sqrt(2 / shape[1]))
""",
        expect="pass",
    ),
    Variant(
        "he-uniform-rand-rescaled",  # (rand * 2 - 1) * a, the bound from the variance
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    a = math.sqrt(3 * (2 / shape[1]))
    u = torch.rand(shape, generator=generator, device=device, dtype=dtype)
    return (u * 2 - 1) * a
""",
        expect="pass",
    ),
    Variant(
        "he-uniform-uniform-in-place-on-zeros",
        """
def he_uniform(shape, *, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    bound = (6 / fan_in) ** 0.5
    w = torch.zeros(fan_out, fan_in, device=device, dtype=dtype)
    w.uniform_(-bound, bound, generator=generator)
    return w
""",
        expect="pass",
    ),
    Variant(
        "he-without-the-2-meets-the-tails-test",  # a wrong std, named as such (not "uniform")
        """
def he_normal(shape, *, generator=None, device=None, dtype=torch.float32):
    fan_out, fan_in = shape
    std = math.sqrt(1 / fan_in)
    return torch.randn(shape, generator=generator, device=device, dtype=dtype) * std
""",
        expect="fail",
        message=r"beyond 2 standard deviations.*Hint: the variance is 2 / fan_in, not 1 / fan_in",
        select="normal_tails and he_normal",
    ),
]
