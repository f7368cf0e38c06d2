"""The classic mistakes the tests can name, for the instructor: per misconception a stable id, its
exercise, a title, a one-line teaching note, and the failure message that gives it away.

A failing test ends its teaching message with a ``Hint:`` line (tests/support.py). Most hints
state the formula whatever went wrong; some are written for one classic mistake. Those are
listed here, each with a ``pattern``: a regular expression searched in the messages of the
exercise's failed tests, written around the hint's own words (and, where the hint alone is
shared, the symptom before it: "returned nan"). :func:`recognize` returns the misconceptions an
exercise's failures point at. It reads the tests' messages only, never student code; another
mistake that fails the same check with the same hint points at the same misconception, so a
count is of students whose failures point at it.

``tests/project/test_misconceptions.py`` grades the planted mistakes of ``tests/variants/``
mapped to these ids and checks that each is recognised as itself and as nothing else, and the
correct alternatives as nothing. The ids are stable (a class's ``misconceptions.csv`` is
compared across terms by them): a title or a note may be reworded, an id never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.results.explain import failed_tests
from grader.results.model import ExerciseResult


@dataclass(frozen=True)
class Misconception:
    """One classic mistake of one exercise, recognised by the messages of its failed tests."""

    id: str  # stable, kebab-case: adam-without-bias-correction
    exercise: str  # the manifest's name of the exercise: optimizers
    title: str  # what the student did, in a few words
    note: str  # one line for the instructor: what to teach
    pattern: str  # searched (re.DOTALL) in a failed test's message; holds its "Hint: " words

    def seen_in(self, message: str) -> bool:
        """Whether a failed test's ``message`` points at this misconception."""
        return re.search(self.pattern, message, re.DOTALL) is not None


MISCONCEPTIONS: tuple[Misconception, ...] = (
    # --- linear_regression -------------------------------------------------------------------
    Misconception(
        "least-squares-without-the-bias-column", "linear_regression",
        "Least squares without a column of ones",
        "Without X1 = [X, 1] the fitted line goes through the origin: the bias is fitted with w "
        "only as the weight of a constant feature.",
        r"l2=0\.0\).*Hint: b came out 0 and w is the fit of a line through the origin",
    ),
    Misconception(
        "gradient-not-divided-by-the-batch-size", "linear_regression",
        "Gradient not divided by this batch's size",
        "The loss is a mean over the rows of the batch given: divide by its X.shape[0], not by a "
        "fixed or remembered batch size (the last batch is smaller), and never leave a sum.",
        r"Hint: the step of w is \S+ times the right one: the gradient was "
        r"(not divided by|divided by \S+ rather than by) this batch's N",
    ),
    # --- activations -------------------------------------------------------------------------
    Misconception(
        "softmax-without-max-shift", "activations",
        "Softmax without subtracting the maximum",
        "exp overflows past 88 in float32: softmax(x) = softmax(x - max(x)), so shift by the "
        "maximum first; same result, always finite.",
        r"returned (nan|inf) .*Hint: subtract the maximum along dim before exponentiating",
    ),
    Misconception(
        "log-of-softmax", "activations",
        "log_softmax as log(softmax(x))",
        "A probability that underflows to 0 gives log(0) = -inf: compute log_softmax as "
        "(x - m) - log(sum(exp(x - m))), the log-sum-exp trick.",
        r"Hint: .*(do not take the log of a softmax|log\(softmax\(x\)\) turns tiny probabilities)",
    ),
    Misconception(
        "tanh-by-the-exponential-formula", "activations",
        "tanh from its exponential definition",
        "(exp(x) - exp(-x)) / (exp(x) + exp(-x)) is inf / inf = NaN for large |x|: a textbook "
        "definition is not a numerical recipe; rewrite it with exp(-2|x|) <= 1.",
        r"Hint: \(exp\(x\) - exp\(-x\)\) / \(exp\(x\) \+ exp\(-x\)\) is inf / inf = NaN",
    ),
    Misconception(
        "activation-derivative-of-the-output", "activations",
        "Activation derivative applied to the output",
        "s * (1 - s) and 1 - t^2 hold for s = sigmoid(x) and t = tanh(x): the derivative "
        "functions take the pre-activation x and apply the activation first.",
        r"Hint: (sigmoid_grad takes the pre-activation x|tanh_grad takes the pre-activation x "
        r"\(not tanh's output\))",
    ),
    Misconception(
        "leaky-relu-derivative-at-zero", "activations",
        "Leaky ReLU's derivative at 0",
        "At the kink the derivative is a convention: autograd uses negative_slope at x == 0, so "
        "the slope 1 is for x > 0 strictly.",
        r"Hint: .*at x == 0 autograd gives negative_slope",
    ),
    # --- losses ------------------------------------------------------------------------------
    Misconception(
        "cross-entropy-in-log-base-10", "losses",
        "Cross-entropy with log10",
        "Cross-entropy uses the natural log, the inverse of softmax's exp: log10 scales every "
        "loss and gradient by 1/ln(10).",
        r"Hint: every class has probability 1/10, .*not log10 or log2",
    ),
    Misconception(
        "bce-with-logits-through-sigmoid", "losses",
        "BCE with logits through sigmoid or log(1 + exp(x))",
        "sigmoid saturates and exp overflows for large |x|: the with-logits form exists to "
        "compute max(x, 0) - x * t + log1p(exp(-|x|)).",
        r"Hint: sigmoid saturates: sigmoid\(20\) is exactly 1\.0",
    ),
    # --- optimizers --------------------------------------------------------------------------
    Misconception(
        "adam-without-bias-correction", "optimizers",
        "Adam without bias correction",
        "m and v start at 0 and are biased towards 0 early on: divide m by 1 - beta1**t and v by "
        "1 - beta2**t, or the first steps have the wrong size.",
        r"Hint: with a constant gradient g the bias-corrected averages .*: "
        r"divide m by 1 - beta1\*\*t and v by 1 - beta2\*\*t",
    ),
    Misconception(
        "adam-bias-correction-without-the-step-count", "optimizers",
        "Adam's bias correction without the step count t",
        "The correction 1 - beta**t uses t, the number of steps so far, kept in the state and "
        "increased at every call; 1 - beta1 is right at step 1 only.",
        r"Hint: step 1 matched, a later step did not: bias correction uses .*"
        r"1 - beta1 is right at step 1 only",
    ),
    Misconception(
        "eps-inside-the-sqrt", "optimizers",
        "eps inside the square root",
        "Adam, Adagrad and RMSProp divide by sqrt(v) + eps: sqrt(v + eps) is about "
        "sqrt(eps) = 1e-4 for tiny gradients, which shrinks their steps by orders of magnitude.",
        r"values differ .*Hint: the denominator is sqrt\(\w+\) \+ eps: eps is added after the "
        r"square root",
    ),
    Misconception(
        "adam-weight-decay-decoupled", "optimizers",
        "Adam's weight_decay applied as AdamW's decay",
        "In Adam, weight_decay is L2: it is added to the gradient before m and v; shrinking the "
        "parameter directly is AdamW, another optimizer.",
        r"Hint: Adam's weight_decay is L2 regularization",
    ),
    Misconception(
        "nesterov-look-ahead-on-the-parameter", "optimizers",
        "Nesterov's look-ahead applied to the parameter",
        "torch's Nesterov step is param - lr * (g + momentum * buf): the look-ahead goes "
        "through the gradient, and the parameter moves once per step.",
        r"Hint: step 1 matched, a later step did not: torch's Nesterov step is "
        r"param - lr \* \(g \+ momentum \* buf\)",
    ),
    # --- regularization ----------------------------------------------------------------------
    Misconception(
        "dropout-without-rescaling", "regularization",
        "Dropout without the 1/(1 - p) rescaling",
        "Inverted dropout scales the kept entries by 1/(1 - p) so that E[dropout(x)] = x; "
        "without it activations are smaller in training than at evaluation.",
        r"Hint: multiply x by a mask of 0s and 1/\(1 - p\)s",
    ),
    Misconception(
        "dropout-p-as-the-keep-probability", "regularization",
        "Dropout's p taken as the probability of keeping",
        "p is the probability of dropping an entry, as in torch.nn.Dropout(p): keep where "
        "rand >= p.",
        r"Hint: you drop entries with probability 1 - p, but p is the probability of DROPPING",
    ),
    Misconception(
        "dropout-in-evaluation-mode", "regularization",
        "Dropout active in evaluation mode",
        "Inverted dropout rescales during training, so in evaluation (training=False) it "
        "returns x unchanged: neither masked nor scaled.",
        r"Hint: in evaluation mode \(training=False\) dropout does nothing",
    ),
    # --- initializers ------------------------------------------------------------------------
    Misconception(
        "init-variance-used-as-std", "initializers",
        "Variance used as the standard deviation",
        "randn() * s has variance s^2: He's 2 / fan_in and Xavier's 2 / (fan_in + fan_out) are "
        "variances, so scale by their square roots.",
        r"Hint: torch\.randn\(\.\.\.\) \* s has variance s²",
    ),
    Misconception(
        "he-without-the-2", "initializers",
        "He initialization without the factor 2",
        "He's variance is 2 / fan_in: the 2 makes up for ReLU zeroing half of the activations "
        "(1 / fan_in is LeCun's).",
        r"Hint: the variance is 2 / fan_in, not 1 / fan_in",
    ),
    Misconception(
        "he-uniform-with-xavier-bound", "initializers",
        "He uniform with Xavier's bound",
        "He's uniform bound is sqrt(6 / fan_in), fan_in alone; sqrt(6 / (fan_in + fan_out)) is "
        "Xavier's, made for tanh-like activations.",
        r"Hint: that is Xavier's bound",
    ),
    Misconception(
        "fan-in-and-fan-out-swapped", "initializers",
        "fan_in and fan_out swapped",
        "A weight of shape (fan_out, fan_in), like nn.Linear's, has fan_in = shape[1]: the "
        "number of inputs each output sums over.",
        r"Hint: fan_in is shape\[1\] and fan_out is shape\[0\]",
    ),
    Misconception(
        "uniform-from-zero-to-a", "initializers",
        "Uniform weights drawn from [0, a)",
        "torch.rand(...) * a is U(0, a), with mean a / 2: weights are symmetric around 0, "
        "U(-a, a) = (2 * rand - 1) * a.",
        r"Hint: draw from U\(-a, a\), symmetric around 0",
    ),
    # --- model_selection ---------------------------------------------------------------------
    Misconception(
        "k-fold-drops-the-remainder", "model_selection",
        "k-fold drops the remainder",
        "Every sample is validated exactly once: n // k per fold leaves n % k samples out; the "
        "first n % k folds take one extra sample each.",
        r"Hint: every sample is validated exactly once",
    ),
    Misconception(
        "k-fold-remainder-in-the-last-fold", "model_selection",
        "k-fold lumps the remainder into the last fold",
        "Fold sizes differ by at most 1: the first n % k folds get one extra sample each "
        "(scikit-learn's KFold), not the last fold all of them.",
        r"Hint: .*do not lump the remainder into the last fold",
    ),
    Misconception(
        "k-fold-validation-in-train", "model_selection",
        "k-fold trains on its validation samples",
        "train_idx is the complement of val_idx: a model validated on samples it trained on "
        "reports an optimistic score.",
        r"Hint: a model must never train on the samples it is validated on",
    ),
    Misconception(
        "k-fold-global-rng", "model_selection",
        "k-fold shuffles with numpy's global RNG",
        "A seeded split neither depends on nor changes global state: draw the permutation from "
        "np.random.default_rng(seed).",
        r"Hint: (draw the permutation from a generator made from the seed|"
        r"np\.random\.seed\(seed\) resets the caller's random stream)",
    ),
    # --- metrics -----------------------------------------------------------------------------
    Misconception(
        "accuracy-counters-never-reset", "metrics",
        "Accuracy counters kept between calls",
        "Module-level (or default-argument) counters survive from call to call: a metric counts "
        "in local variables.",
        r"Hint: the result depends on earlier calls",
    ),
    Misconception(
        "confusion-matrix-transposed", "metrics",
        "Confusion matrix transposed",
        "Rows are the true class and columns the predicted one (scikit-learn's convention), "
        "whatever the order of the arguments.",
        r"Hint: your matrix is the transpose of the right one",
    ),
    Misconception(
        "standardize-with-test-statistics", "metrics",
        "Standardization statistics from train and test together",
        "Data leakage: the mean and std come from the training set alone and are applied "
        "unchanged to every other set.",
        r"standardize\(train, other.*Hint: the mean and std come from train and the other sets "
        r"together",
    ),
    Misconception(
        "standardize-each-set-on-its-own", "metrics",
        "Each set standardized with its own statistics",
        "The model only ever saw the training set's scale: the other sets are standardized with "
        "train's mean and std, not their own.",
        r"Hint: each set was standardized with its own mean and std",
    ),
    # --- datasets ----------------------------------------------------------------------------
    Misconception(
        "epoch-misses-samples", "datasets",
        "An epoch that misses or repeats samples",
        "One epoch visits each sample exactly once: cut one permutation into batches and keep "
        "the last, partial batch (no sampling with replacement).",
        r"Hint: one epoch visits each sample once",
    ),
    # --- gradient_check ----------------------------------------------------------------------
    Misconception(
        "forward-difference", "gradient_check",
        "Forward instead of central difference",
        "(f(x + eps) - f(x)) / eps has an O(eps) error; the central difference "
        "(f(x + eps) - f(x - eps)) / (2 eps) has O(eps^2).",
        r"Hint: that is the forward difference",
    ),
    Misconception(
        "central-difference-over-eps", "gradient_check",
        "Central difference divided by eps, not 2 eps",
        "f(x + eps) and f(x - eps) are 2 eps apart: dividing by eps doubles the derivative.",
        r"Hint: twice the derivative: the two values are 2 eps apart",
    ),
    Misconception(
        "relative-error-without-the-floor", "gradient_check",
        "Relative error without a floor: 0 / 0 = NaN",
        "|a - b| / (|a| + |b|) is 0 / 0 where both are 0: divide by max(|a| + |b|, 1e-12), which "
        "also makes tiny entries count in absolute terms.",
        r"returned nan, expected .*Hint: divide by max\(\|a\| \+ \|b\|, 1e-12\)",
    ),
    # --- mlp ---------------------------------------------------------------------------------
    Misconception(
        "relu-derivative-of-the-wrong-layer", "mlp",
        "Backprop with the ReLU derivative of the wrong layer",
        "delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1}): each layer's error uses the derivative "
        "at its own pre-activation.",
        r"Hint: the last layer is right but this one is not",
    ),
    Misconception(
        "mlp-gradients-summed-not-averaged", "mlp",
        "Backprop gradients summed over the batch",
        "The loss is the batch mean: delta_L = (softmax - onehot) / N, divided once, or every "
        "gradient is N times too large.",
        r"Hint: dW is \S+ \(the batch size\) times too large: the loss is the batch mean",
    ),
    Misconception(
        "relu-on-the-logits", "mlp",
        "ReLU on the output layer",
        "The last layer gives logits, which softmax needs with their sign: a ReLU there zeroes "
        "every negative score.",
        r"Hint: .*relu on the logits would zero every negative score",
    ),
    Misconception(
        "weight-decay-on-the-biases", "mlp",
        "Weight decay on the biases",
        "Weight decay (L2) shrinks the weights only: biases set offsets, not the complexity of "
        "the function.",
        r"Hint: weight decay was applied to the biases too",
    ),
    Misconception(
        "dropout-backward-without-the-scale", "mlp",
        "Dropout's backward pass without the 1/(1 - p) scale",
        "The backward pass multiplies by the forward pass's mask, 1/(1 - p) scale included: "
        "the mask is a constant factor of the layer.",
        r"Hint: \(1 - p\) times the gradient",
    ),
)  # fmt: skip


def recognize(exercise: ExerciseResult) -> list[Misconception]:
    """The misconceptions the messages of ``exercise``'s failed tests point at, in the order of
    :data:`MISCONCEPTIONS`."""
    messages = {test.message for test in failed_tests(exercise)}
    return [
        m
        for m in MISCONCEPTIONS
        if m.exercise == exercise.name and any(m.seen_in(message) for message in messages)
    ]
