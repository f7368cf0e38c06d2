"""The reference solution of the mlp exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/mlp.md, English and Chinese.
"""

import math
from itertools import pairwise

import torch
from torch import Tensor

Params = list[tuple[Tensor, Tensor]]


def init_mlp(
    sizes: list[int],
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Params:
    """Parameters for an MLP with layer widths ``sizes`` (at least two entries).

    Layer l maps sizes[l-1] features to sizes[l]: W_l has shape (sizes[l], sizes[l-1]) and is
    drawn from He's normal initialization N(0, 2 / fan_in) with fan_in = sizes[l-1]; b_l is
    zeros of shape (sizes[l],). All on ``device`` with ``dtype``; random numbers come from
    ``generator`` (which must live on ``device``) when one is given, else from torch's global
    RNG. Returns a list of len(sizes) - 1 pairs (W_l, b_l), the first layer first. Fewer than
    two sizes is a ValueError.
    """
    # BEGIN SOLUTION
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output width, got {sizes!r}")
    params = []
    for fan_in, fan_out in pairwise(sizes):
        std = math.sqrt(2.0 / fan_in)
        weight = torch.randn(
            (fan_out, fan_in), generator=generator, device=device, dtype=dtype
        ).mul_(std)
        params.append((weight, torch.zeros(fan_out, device=device, dtype=dtype)))
    return params
    # END SOLUTION


def mlp_forward(
    params: Params,
    X: Tensor,
    *,
    dropout: float = 0.0,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, list[tuple[Tensor, Tensor, Tensor | None]]]:
    """The forward pass: ``(logits, cache)`` for a batch X of shape (N, sizes[0]).

    logits has shape (N, sizes[-1]), X's dtype and X's device: the last layer has no
    activation. ``cache`` holds what the backward pass needs and is yours to design; a list with
    (a_{l-1}, z_l) for each layer works (add the masks when there is dropout). Do not change the
    parameters or X.

    Dropout (training): with 0 < dropout < 1, every hidden layer's activation is multiplied,
    after the ReLU, by an inverted-dropout mask (never the input X, never the logits):

        a_l = relu(z_l) * m_l                                       l = 1 .. L-1
        m_l[i, j] = 0 if u_l[i, j] < dropout, else 1 / (1 - dropout)
        u_l = torch.rand((N, d_l), generator=generator, dtype=X.dtype, device=D)

    The random numbers: one such draw per hidden layer, for l = 1, 2, ..., L-1 in this order,
    and nothing else; D is the generator's device (a CPU generator is fine whatever X's device),
    or X's device with generator=None (torch's global RNG), and u_l is then moved to X's device.
    So the masks depend on nothing but the generator's state, N, the widths and dropout: an
    equally seeded generator gives the same masks whatever X and the parameters' values are.
    Keep the masks in the cache: mlp_backward uses these same masks.

    dropout=0 (the default, evaluation) draws nothing and is the plain forward pass above. A
    dropout outside [0, 1) is a ValueError.

    X, the labels y and the parameters may be views of other tensors in any layout (X or W
    transposed or sliced with a step, X expanded from one sample): the passes only read them.
    """
    # BEGIN SOLUTION
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    cache = []
    activation = X
    for layer, (weight, bias) in enumerate(params):
        pre_activation = torch.addmm(bias, activation, weight.T)  # activation @ W.T + b
        mask = None
        if layer < len(params) - 1:
            next_activation = pre_activation.clamp(min=0)
            if dropout > 0:
                mask = _dropout_mask(next_activation.shape, dropout, generator, X)
                next_activation = next_activation * mask
        cache.append((activation, pre_activation, mask))
        if layer < len(params) - 1:
            activation = next_activation
    return pre_activation, cache
    # END SOLUTION


# BEGIN SOLUTION
def _dropout_mask(
    shape: torch.Size, p: float, generator: torch.Generator | None, X: Tensor
) -> Tensor:
    """The documented draw: uniform numbers on the generator's device, moved to X's device."""
    device = X.device if generator is None else generator.device
    uniform = torch.rand(shape, generator=generator, dtype=X.dtype, device=device).to(X.device)
    return (uniform >= p).to(X.dtype) / (1 - p)


# END SOLUTION


def mlp_backward(
    params: Params, cache: list[tuple[Tensor, Tensor, Tensor | None]], y: Tensor
) -> Params:
    """Gradients of the mean softmax cross-entropy of the logits against labels ``y``.

    y holds int64 class indices, shape (N,). Returns a list of (dW, db), one per layer, with
    the shapes, dtypes and device of (W, b). Follow the four equations in the module docstring:
    average over the batch once (in delta_L), sum db over axis 0, and propagate the error with
    the weights as they were in the forward pass. Do not change the parameters.

    If the forward pass used dropout, the error through hidden layer l is also multiplied by
    that pass's own mask m_l (0 or 1 / (1 - dropout), from the cache; never a new draw):

        delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1}) * m_{l-1}

    These are the gradients of the network with those masks held fixed.
    """
    # BEGIN SOLUTION
    _, logits, _ = cache[-1]
    batch = logits.shape[0]
    delta = torch.exp(logits - logits.amax(dim=1, keepdim=True))  # softmax, stably
    delta /= delta.sum(dim=1, keepdim=True)
    delta[torch.arange(batch, device=logits.device), y] -= 1
    delta /= batch
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        inputs, _, _ = cache[layer]
        weight, _ = params[layer]
        grads.append((delta.T @ inputs, delta.sum(dim=0)))
        if layer > 0:
            _, previous_pre_activation, previous_mask = cache[layer - 1]
            delta = (delta @ weight).mul_(previous_pre_activation > 0)
            if previous_mask is not None:
                delta.mul_(previous_mask)
    return grads[::-1]
    # END SOLUTION


def train_mlp(
    X: Tensor,
    y: Tensor,
    sizes: list[int],
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int = 0,
    device: torch.device | str | None = None,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
) -> tuple[Params, list[float]]:
    """Train an MLP with minibatch SGD; returns ``(params, history)``.

    1. ``generator = torch.Generator().manual_seed(seed)`` (a CPU generator: the same seed
       gives the same run on every device); initialize with ``init_mlp`` from it, in X's dtype,
       then move the parameters to ``device`` (default: X's device).
    2. Each epoch, reshuffle with ``torch.randperm(N, generator=generator)`` and walk the
       permutation in minibatches of ``batch_size`` (the last one may be smaller); for each:
       ``mlp_forward(params, X_batch, dropout=dropout, generator=generator)``, backward, then

           W <- W - lr * (dW + weight_decay * W)        the weights of every layer
           b <- b - lr * db                             the biases: never any decay

       (weight_decay * W is the gradient of the penalty weight_decay / 2 * sum(W**2), as
       torch.optim.SGD's weight_decay; the biases are not penalized).
    3. ``history[e]`` is epoch e's mean training loss: the average over all N samples of the
       cross-entropy computed in each minibatch's forward pass (before that step's update, with
       that pass's dropout masks), the data loss only: never the weight-decay penalty.

    The generator is used for nothing else, and the global RNG not at all: init_mlp first
    draws from it, then each epoch exactly one torch.randperm followed, minibatch by minibatch,
    by the forward pass's mask draws (L-1 torch.rand calls, see mlp_forward, and none when
    dropout is 0; the tests replay this sequence). The masks are drawn on the CPU, where the
    generator lives, and moved to ``device``: the same seed gives the same run on every device.
    X and y are moved to ``device`` too; the returned params are a list of (W, b) on ``device``
    in X's dtype, and ``history`` is a list of Python floats (one per epoch, not tensors).

    With ``epochs=0`` it returns the initial parameters and an empty history. Same seed, same
    result. No autograd and no torch cross-entropy: compute the loss from the logits. Dropout
    is for training only: evaluate the trained network with mlp_forward(params, X) (dropout 0,
    no rescaling needed: the masks' 1 / (1 - dropout) already did it). A dropout outside
    [0, 1) is a ValueError.
    """
    # BEGIN SOLUTION
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    device = X.device if device is None else torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    params = [
        (weight.to(device), bias.to(device))
        for weight, bias in init_mlp(sizes, generator=generator, dtype=X.dtype)
    ]
    X, y = X.to(device), y.to(device)
    history = []
    for _ in range(epochs):
        order = torch.randperm(X.shape[0], generator=generator).to(device)
        total = torch.zeros((), dtype=X.dtype, device=device)
        for batch in order.split(batch_size):
            logits, cache = mlp_forward(params, X[batch], dropout=dropout, generator=generator)
            total += _cross_entropy_sum(logits, y[batch])
            grads = mlp_backward(params, cache, y[batch])
            params = [
                (weight - lr * (d_weight + weight_decay * weight), bias - lr * d_bias)
                for (weight, bias), (d_weight, d_bias) in zip(params, grads, strict=True)
            ]
        history.append(total.item() / X.shape[0])
    return params, history
    # END SOLUTION


# BEGIN SOLUTION
def _cross_entropy_sum(logits: Tensor, y: Tensor) -> Tensor:
    """Sum over the batch of -log softmax(logits)[i, y_i] = logsumexp(logits_i) - logits[i, y_i]."""
    peak = logits.amax(dim=1, keepdim=True)
    log_normalizer = peak.squeeze(1) + torch.exp(logits - peak).sum(dim=1).log()
    return (log_normalizer - logits.gather(1, y[:, None]).squeeze(1)).sum()


# END SOLUTION
