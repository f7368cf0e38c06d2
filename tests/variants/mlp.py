from variants import Variant

# The reference's backward pass with one line changed, for the backward mistakes below.
BACKWARD = """
def mlp_backward(params, cache, y):
    _, logits = cache[-1]
    batch = logits.shape[0]
    delta = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    delta /= delta.sum(dim=1, keepdim=True)
    delta[torch.arange(batch, device=logits.device), y] -= 1
    {average}
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        inputs, pre_activation = cache[layer]
        weight, _ = params[layer]
        grads.append((delta.T @ inputs, {bias_grad}))
        if layer > 0:
            _, previous_pre_activation = cache[layer - 1]
            delta = (delta @ weight) * ({derivative_at} > 0)
    return grads[::-1]
"""


def backward(
    average="delta /= batch", bias_grad="delta.sum(dim=0)", derivative_at="previous_pre_activation"
):
    return BACKWARD.format(average=average, bias_grad=bias_grad, derivative_at=derivative_at)


VARIANTS = [
    Variant(
        "relu-derivative-of-the-wrong-layer",  # the seed tutorial's bug, in ReLU form
        backward(derivative_at="pre_activation"),
        expect="fail",
        message=r"layer 2 of 3.*Hint: the last layer is right but this one is not",
        select="backward_matches_autograd and 5-4-4-4",
    ),
    Variant(
        "gradients-summed-not-averaged",
        backward(average="pass"),
        expect="fail",
        message=r"times too large: the loss is the batch mean",
        select="backward_matches_autograd and N4",
    ),
    Variant(
        "bias-gradient-over-the-wrong-axis",
        backward(bias_grad="delta.sum(dim=1)"),
        expect="fail",
        message=r"db of layer .*returned shape \(33,\).*sums delta_l over the batch axis \(0\)",
        select="backward_matches_autograd and N33",
    ),
    Variant(
        "relu-on-the-logits",
        """
def mlp_forward(params, X):
    cache, activation = [], X
    for weight, bias in params:
        pre_activation = activation @ weight.T + bias
        cache.append((activation, pre_activation))
        activation = pre_activation.clamp(min=0)
    return activation, cache
""",
        expect="fail",
        message=r"mlp_forward.*relu on the logits would zero every negative score",
        select="forward_gives_logits",
    ),
    Variant(
        "weights-updated-before-the-error-is-propagated",
        """
def train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed=0, device=None):
    device = X.device if device is None else torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    params = [(w.to(device), b.to(device)) for w, b in init_mlp(sizes, generator=generator, dtype=X.dtype)]
    X, y = X.to(device), y.to(device)
    history = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(X), generator=generator).to(device).split(batch_size):
            logits, cache = mlp_forward(params, X[batch])
            total += _cross_entropy_sum(logits, y[batch]).item()
            labels = y[batch]
            delta = torch.exp(logits - logits.amax(dim=1, keepdim=True))
            delta /= delta.sum(dim=1, keepdim=True)
            delta[torch.arange(len(labels)), labels] -= 1
            delta /= len(labels)
            for layer in range(len(params) - 1, -1, -1):
                inputs, _ = cache[layer]
                weight, bias = params[layer]
                weight = weight - lr * (delta.T @ inputs)  # updated first ...
                params[layer] = (weight, bias - lr * delta.sum(dim=0))
                if layer > 0:  # ... then used to propagate the error: wrong
                    delta = (delta @ weight) * (cache[layer - 1][1] > 0)
        history.append(total / len(X))
    return params, history
""",
        expect="fail",
        message=r"update only after the whole backward pass",
        select="full_batch_step",
    ),
    Variant(
        "seed-ignored",
        """
_train_mlp_reference = train_mlp

def train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed=0, device=None):
    return _train_mlp_reference(X, y, sizes, epochs=epochs, lr=lr, batch_size=batch_size,
                                seed=int(torch.randint(0, 2**31, ())), device=device)
""",
        expect="fail",
        message=r"never from the global RNG",
        select="same_seed",
    ),
    Variant(
        "history-is-the-mean-of-batch-means",
        """
def train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed=0, device=None):
    device = X.device if device is None else torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    params = [(w.to(device), b.to(device)) for w, b in init_mlp(sizes, generator=generator, dtype=X.dtype)]
    X, y = X.to(device), y.to(device)
    history = []
    for _ in range(epochs):
        means = []
        for batch in torch.randperm(len(X), generator=generator).to(device).split(batch_size):
            logits, cache = mlp_forward(params, X[batch])
            means.append(_cross_entropy_sum(logits, y[batch]).item() / len(batch))
            grads = mlp_backward(params, cache, y[batch])
            params = [(w - lr * dw, b - lr * db) for (w, b), (dw, db) in zip(params, grads)]
        history.append(sum(means) / len(means))
    return params, history
""",
        expect="fail",
        message=r"weight each batch by its size",
        select="documented",
    ),
    Variant(
        "backward-by-autograd",
        """
def mlp_backward(params, cache, y):
    leaves = [t.detach().requires_grad_() for pair in params for t in pair]
    logits = cache[0][0]
    for i in range(0, len(leaves), 2):
        logits = logits @ leaves[i].T + leaves[i + 1]
        if i < len(leaves) - 2:
            logits = logits.clamp(min=0)
    loss = _cross_entropy_sum(logits, y) / len(y)
    loss.backward()
    return [(leaves[i].grad, leaves[i + 1].grad) for i in range(0, len(leaves), 2)]
""",
        expect="fail",
        message=r"torch\.Tensor\.requires_grad_ is not allowed",
        select="backward_matches_autograd and 6-8-4 and N4 and float64",
    ),
    Variant(
        "init-variance-as-std",
        """
def init_mlp(sizes, *, generator=None, device=None, dtype=torch.float32):
    return [(torch.randn((o, i), generator=generator, device=device, dtype=dtype) * (2.0 / i),
             torch.zeros(o, device=device, dtype=dtype)) for i, o in zip(sizes[:-1], sizes[1:])]
""",
        expect="fail",
        message=r"the variance of W of layer 1 is .*Hint: He's normal",
        select="he_normal",
    ),
    Variant(
        "init-ignores-device",
        """
def init_mlp(sizes, *, generator=None, device=None, dtype=torch.float32):
    return [(torch.randn((o, i), generator=generator, dtype=dtype) * math.sqrt(2.0 / i),
             torch.zeros(o, dtype=dtype)) for i, o in zip(sizes[:-1], sizes[1:])]
""",
        expect="fail",
        message=r"returned a tensor on cpu, expected meta",
        select="init_shapes and meta",
    ),
    # Correct alternatives: all must pass.
    Variant(
        "one-hot-backward-dict-cache-inplace-sgd",
        """
def mlp_forward(params, X):
    cache = {"a": [X], "z": []}
    for i, (w, b) in enumerate(params):
        z = X @ w.T + b if i == 0 else cache["a"][-1] @ w.T + b
        cache["z"].append(z)
        if i < len(params) - 1:
            cache["a"].append(torch.where(z > 0, z, torch.zeros_like(z)))
    return z, cache

def mlp_backward(params, cache, y):
    logits = cache["z"][-1]
    probs = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    probs = probs / probs.sum(dim=1, keepdim=True)
    onehot = torch.zeros_like(probs).scatter_(1, y[:, None], 1.0)
    delta = (probs - onehot) / len(y)
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        grads[i] = (delta.T @ cache["a"][i], delta.sum(0))
        if i:
            delta = (delta @ params[i][0]) * (cache["z"][i - 1] > 0).to(delta.dtype)
    return grads

def init_mlp(sizes, *, generator=None, device=None, dtype=torch.float32):
    if len(sizes) < 2:
        raise ValueError("need at least two sizes")
    return [(torch.empty((o, i), device=device, dtype=dtype).normal_(0, math.sqrt(2 / i), generator=generator),
             torch.zeros(o, device=device, dtype=dtype)) for i, o in zip(sizes[:-1], sizes[1:])]

def train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed=0, device=None):
    device = device or X.device
    g = torch.Generator().manual_seed(seed)
    params = [(w.to(device), b.to(device)) for w, b in init_mlp(sizes, generator=g, dtype=X.dtype)]
    X, y = X.to(device), y.to(device)
    history = []
    for _ in range(epochs):
        order, total = torch.randperm(len(X), generator=g).to(device), 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            logits, cache = mlp_forward(params, X[idx])
            total += float(_cross_entropy_sum(logits, y[idx]))
            for (w, b), (dw, db) in zip(params, mlp_backward(params, cache, y[idx])):
                w.sub_(lr * dw)
                b.sub_(lr * db)
        history.append(total / len(X))
    return params, history
""",
        expect="pass",
    ),
    Variant(
        "gradients-summed-meets-the-training-loop-test",  # the loop is right: blame backward
        backward(average="pass"),
        expect="fail",
        message=r"Hint: mlp_backward's gradients differ from autograd's",
        select="documented_sgd_loop",
    ),
]
