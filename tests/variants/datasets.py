import torch

from variants import Variant

# A reader that is right except where a variant says otherwise: {decode}, {data} and {shape}
# are replaced per variant.
_READER = """
def load_idx(path):
    raw = Path(path).read_bytes()
    {decode}
    if len(raw) >= 3 and (raw[:2] != b"\\x00\\x00" or raw[2] not in IDX_TYPES):
        raise ValueError("bad magic number")
    if len(raw) < 4 or len(raw) < 4 + 4 * raw[3]:
        raise ValueError("truncated header")
    ndim = raw[3]
    shape = struct.unpack(f">{{ndim}}I", raw[4:4 + 4 * ndim])
    dtype = np.dtype(IDX_TYPES[raw[2]]).newbyteorder(">")
    count = math.prod(shape)
    {data}
    return {shape}
"""
_GZIP = """if raw[:2] == b"\\x1f\\x8b":
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise ValueError("truncated gzip stream") from None"""
_CHECKED_DATA = """if len(raw) < 4 + 4 * ndim + count * dtype.itemsize:
        raise ValueError("truncated data")
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=4 + 4 * ndim)"""
_NATIVE = 'data.reshape(shape).astype(dtype.newbyteorder("="))'


def reader(decode: str = _GZIP, data: str = _CHECKED_DATA, shape: str = _NATIVE) -> str:
    return _READER.format(decode=decode, data=data, shape=shape)


VARIANTS = [
    # --- load_idx: planted mistakes ---------------------------------------------------------
    Variant(
        "idx-left-big-endian",  # right values, but torch.from_numpy rejects the array
        reader(shape="data.reshape(shape)"),
        expect="fail",
        message=r"returned dtype '>i2', in big-endian byte order.*torch.from_numpy rejects"
        r".*Hint: convert after reading",
        select="load_idx",
    ),
    Variant(
        "idx-read-as-little-endian",
        reader(data=_CHECKED_DATA.replace("dtype=dtype,", "dtype=dtype.newbyteorder('<'),")),
        expect="fail",
        message=r"load_idx\('data\d+-idx(\.gz)?'\): values differ \(an IDX file of int16"
        r".*Hint: .*is big-endian: read it with a '>' dtype",
        select="load_idx",
    ),
    Variant(
        "idx-ignores-the-header-shape",  # a flat array
        reader(shape='data.astype(dtype.newbyteorder("="))'),
        expect="fail",
        message=r"returned shape \(15,\), expected \(5, 3\).*Hint: the shape is in the header",
        select="load_idx",
    ),
    Variant(
        "idx-header-read-as-little-endian",  # 28 becomes 469762048: a complete file looks cut
        reader().replace('struct.unpack(f">{ndim}I"', 'struct.unpack(f"<{ndim}I"'),
        expect="fail",
        message=r"raised ValueError\('truncated data'\) for a valid IDX file that torchvision "
        r"reads as shape .*Hint: this file is complete: the sizes in the header are big-endian",
        select="torchvision",
    ),
    Variant(
        "idx-header-offset-off-by-one",  # the data read from one byte too early
        reader(data=_CHECKED_DATA.replace("offset=4 + 4 * ndim", "offset=3 + 4 * ndim")),
        expect="fail",
        message=r"values differ \(an IDX file of uint8 data, shape \(7,\).*Hint: the data "
        r"starts right after the 4 \+ 4 \* ndim header bytes",
        select="load_idx",
    ),
    Variant(
        "idx-without-gzip",
        reader(decode="pass"),
        expect="fail",
        message=r"raised ValueError\('bad magic number'\) for a gzip-compressed IDX file.*Hint: "
        r"MNIST ships gzip-compressed",
        select="load_idx",
    ),
    Variant(
        "idx-truncated-accepted-by-reshape-minus-one",  # the classic MNIST loader one-liner
        reader(
            data="data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim)",
            shape='data.reshape(-1, *shape[1:]).astype(dtype.newbyteorder("="))',
        ),
        expect="fail",
        message=r"missing the last row .*returned an array of shape \(4, 3, 4\) and dtype int16 "
        r"instead of raising ValueError.*Hint: a short file must not pass silently",
        select="truncated and last",
    ),
    Variant(
        "idx-truncated-left-to-numpy",  # numpy's own error says nothing about a short file
        reader(data="data = np.frombuffer(raw, dtype=dtype, count=count, offset=4 + 4 * ndim)"),
        expect="fail",
        message=r"raised ValueError\('buffer is smaller than requested size'\), whose message "
        r"does not mention 'truncated'",
        select="truncated",
    ),
    Variant(
        "idx-interrupted-gzip-raises-eof",
        reader(decode='if raw[:2] == b"\\x1f\\x8b":\n        raw = gzip.decompress(raw)'),
        expect="fail",
        message=r"interrupted gzip download.*raised EOFError.*Hint: a cut gzip stream",
        select="truncated",
    ),
    Variant(
        "idx-unknown-type-code-is-a-key-error",
        reader().replace(" or raw[2] not in IDX_TYPES", ""),
        expect="fail",
        message=r"unknown type code: raised KeyError\(.*expected ValueError.*Hint: check the "
        r"magic number before using it",
        select="magic",
    ),
    # --- one_hot: planted mistakes ----------------------------------------------------------
    Variant(
        "one-hot-int64",
        """
def one_hot(labels, num_classes):
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("labels out of range")
    out = torch.zeros(labels.shape[0], num_classes, dtype=torch.long, device=labels.device)
    return out.scatter_(1, labels.unsqueeze(1), 1)
""",
        expect="fail",
        message=r"one_hot\(labels, 10\): returned dtype torch.int64, expected torch.float32.*"
        r"Hint: the encoding is float32",
        select="one_hot",
    ),
    Variant(
        # Creates the encoding on the CPU: only a GPU shows it (a meta test cannot, since a
        # correct one_hot must read the labels' values), so on a CPU-only machine it passes.
        "one-hot-on-the-cpu",
        """
def one_hot(labels, num_classes):
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("labels out of range")
    out = torch.zeros(labels.shape[0], num_classes)
    out[torch.arange(labels.shape[0]), labels.cpu()] = 1.0
    return out
""",
        expect="fail" if torch.cuda.is_available() else "pass",
        message=r"one_hot\(labels, 10\): returned a tensor on cpu, expected cuda",
        select="one_hot",
    ),
    Variant(
        "one-hot-no-range-check-scatter",  # out-of-range labels crash inside scatter_
        """
def one_hot(labels, num_classes):
    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)
    return out.scatter_(1, labels.unsqueeze(1), 1.0)
""",
        expect="fail",
        message=r"one_hot\(torch.tensor\(\[0, 3, -1, 2\]\), 10\): raised RuntimeError.*Hint: "
        r"check the labels before encoding",
        select="one_hot",
    ),
    Variant(
        "one-hot-no-range-check-eye",  # -1 silently becomes the last class
        """
def one_hot(labels, num_classes):
    return torch.eye(num_classes, device=labels.device)[labels]
""",
        expect="fail",
        message=r"one_hot\(torch.tensor\(\[0, 3, -1, 2\]\), 10\): returned .* instead of raising "
        r"ValueError.*Hint: a negative label silently counts from the end",
        select="one_hot",
    ),
    Variant(
        "one-hot-classes-from-the-labels",  # labels.max() + 1 columns, not num_classes
        """
def one_hot(labels, num_classes):
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("labels out of range")
    width = int(labels.max()) + 1 if labels.numel() else num_classes
    return (labels.unsqueeze(1) == torch.arange(width, device=labels.device)).float()
""",
        expect="fail",
        message=r"one_hot\(labels, 13\): returned shape \(60, 5\), expected \(60, 13\)",
        select="one_hot",
    ),
    Variant(
        "one-hot-calls-torch",
        """
def one_hot(labels, num_classes):
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("labels out of range")
    return F.one_hot(labels, num_classes).float()

import torch.nn.functional as F
""",
        expect="fail",
        message=r"torch\.nn\.functional\.one_hot is not allowed in this exercise",
        select="one_hot",
    ),
    # --- minibatches: planted mistakes ------------------------------------------------------
    Variant(
        "minibatches-drop-the-last-partial-batch",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return iter([order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)])
""",
        expect="fail",
        message=r"minibatches\(10, 4, shuffle=False\): the batches do not hold every index in "
        r"0 .. 9 exactly once \(missing \[8, 9\].*keep the last, partial batch",
        select="minibatches",
    ),
    Variant(
        "minibatches-ignore-the-generator",  # torch.randperm(n): the global RNG
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = torch.randperm(n) if shuffle else torch.arange(n)
    return iter(order.split(batch_size) if n else ())
""",
        expect="fail",
        message=r"called twice: gave different batches.*Hint: draw the order with the generator",
        select="minibatches",
    ),
    Variant(
        "minibatches-sample-with-replacement",  # torch.randint: repeats and misses samples
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = torch.randint(n, (n,), generator=generator) if shuffle else torch.arange(n)
    return iter(order.split(batch_size) if n else ())
""",
        expect="fail",
        message=r"do not hold every index in 0 .. 999 exactly once.*repeated.*Hint: one epoch "
        r"visits each sample once",
        select="minibatches",
    ),
    Variant(
        "minibatches-empty-epoch-yields-an-empty-batch",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return iter(order.split(batch_size))
""",
        expect="fail",
        message=r"minibatches\(0, 4, shuffle=True\): yielded "
        r"\[tensor\(\[\], dtype=torch.int64\)\], expected no batches",
        select="minibatches",
    ),
    Variant(
        "minibatches-no-batch-size-check",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]
""",
        expect="fail",
        message=r"minibatches\(10, -2\): gave \[\] instead of raising ValueError",
        select="minibatches",
    ),
    Variant(
        "minibatches-shuffle-the-batch-order-only",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batches = list(torch.arange(n).split(batch_size)) if n else []
    if shuffle:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator)]
    return iter(batches)
""",
        expect="fail",  # caught first because the partial batch is no longer last
        message=r"minibatches\(1000, 64, generator=g\): batch sizes are \[64, .* 40, 64\].*"
        r"Hint: all batches hold batch_size indices except possibly the last",
        select="minibatches",
    ),
    Variant(
        "minibatches-shuffle-within-each-batch-only",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batches = list(torch.arange(n).split(batch_size)) if n else []
    if shuffle:
        batches = [b[torch.randperm(len(b), generator=generator)] for b in batches]
    return iter(batches)
""",
        expect="fail",
        message=r"the batches hold the same consecutive indices as without shuffling.*Hint: "
        r"shuffle the samples",
        select="minibatches",
    ),
    Variant(
        "minibatches-random-rotation",  # a random cyclic shift: not every order equally likely
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = torch.arange(n)
    if shuffle and n:
        order = order.roll(int(torch.randint(n, (), generator=generator)))
    return iter(order.split(batch_size) if n else ())
""",
        expect="fail",
        message=r"the fraction of seeds where samples 0 and 1 share a batch is .*Hint: every "
        r"order of the samples must be equally likely",
        select="minibatches",
    ),
    Variant(
        "minibatches-fresh-generator-when-none",  # the same order every epoch
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    generator = generator or torch.Generator()
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return iter(order.split(batch_size) if n else ())
""",
        expect="fail",
        message=r"minibatches\(50, 8\), two epochs in a row: gave the same batches",
        select="minibatches",
    ),
    Variant(
        "minibatches-batch-sampler-in-a-generator",  # runs only when iterated: still caught
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    sampler = torch.randperm(n, generator=generator).tolist() if shuffle else range(n)
    for batch in torch.utils.data.BatchSampler(sampler, batch_size, drop_last=False):
        yield torch.tensor(batch, dtype=torch.int64)

import torch.utils.data
""",
        expect="fail",
        message=r"torch\.utils\.data\.BatchSampler is not allowed in this exercise",
        select="minibatches",
    ),
    # --- correct alternatives, written differently: all must pass ---------------------------
    Variant(
        "idx-numpy-header-gzip-by-extension",
        """
def load_idx(path):
    path = str(path)
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as file:
                raw = file.read()
        else:
            with open(path, "rb") as file:
                raw = file.read()
    except EOFError:
        raise ValueError(f"{path} is truncated") from None
    magic = np.frombuffer(raw, dtype=np.uint8, count=min(len(raw), 4))
    if len(magic) >= 3 and (magic[0] != 0 or magic[1] != 0 or int(magic[2]) not in IDX_TYPES):
        raise ValueError("not an IDX file: wrong magic number")
    if len(magic) < 4 or len(raw) < 4 + 4 * int(magic[3]):
        raise ValueError("header truncated")
    ndim = int(magic[3])
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_TYPES[int(magic[2])])
    body = raw[4 + 4 * ndim:]
    if len(body) < math.prod(shape) * dtype.itemsize:
        raise ValueError("data truncated")
    big = np.frombuffer(body, dtype=dtype.newbyteorder(">"), count=math.prod(shape))
    return big.byteswap().view(dtype).reshape(shape) if dtype.itemsize > 1 else \\
        big.reshape(shape).copy()
""",
        expect="pass",
        select="load_idx",
    ),
    Variant(
        "idx-struct-everything-returns-read-only",  # read-only is fine: torch only warns
        """
def load_idx(path):
    with open(path, "rb") as file:
        raw = file.read()
    if raw.startswith(b"\\x1f\\x8b"):
        try:
            raw = gzip.decompress(raw)
        except EOFError as error:
            raise ValueError(f"truncated: {error}") from None
    if len(raw) < 4:
        if raw != b"\\x00\\x00"[: len(raw)]:
            raise ValueError("bad magic")
        raise ValueError("truncated before the end of the magic number")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in IDX_TYPES:
        raise ValueError(f"bad magic {raw[:4]!r}")
    if len(raw) < 4 + 4 * ndim:
        raise ValueError("truncated header")
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    native = np.dtype(IDX_TYPES[code])
    size = math.prod(shape) * native.itemsize
    payload = raw[4 + 4 * ndim:4 + 4 * ndim + size]
    if len(payload) < size:
        raise ValueError(f"truncated: {len(payload)} of {size} data bytes")
    out = np.frombuffer(payload, dtype=native.newbyteorder(">")).astype(native).reshape(shape)
    out.flags.writeable = False
    return out
""",
        expect="pass",
        select="load_idx",
    ),
    Variant(
        "one-hot-eye-indexing",
        """
def one_hot(labels, num_classes):
    if ((labels < 0) | (labels >= num_classes)).any():
        raise ValueError(f"labels must be in [0, {num_classes})")
    return torch.eye(num_classes, device=labels.device)[labels]
""",
        expect="pass",
        select="one_hot",
    ),
    Variant(
        "one-hot-compare-with-arange",
        """
def one_hot(labels, num_classes):
    if labels.numel() > 0 and not (0 <= int(labels.min()) and int(labels.max()) < num_classes):
        raise ValueError("label out of range")
    classes = torch.arange(num_classes, device=labels.device)
    return (labels[:, None] == classes[None, :]).to(torch.float32)
""",
        expect="pass",
        select="one_hot",
    ),
    Variant(
        "one-hot-index-put",
        """
def one_hot(labels, num_classes):
    if bool((labels < 0).any()) or bool((labels >= num_classes).any()):
        raise ValueError("out of range")
    out = labels.new_zeros((len(labels), num_classes), dtype=torch.float32)
    out[torch.arange(len(labels), device=labels.device), labels] = 1
    return out
""",
        expect="pass",
        select="one_hot",
    ),
    Variant(
        "minibatches-slicing-generator",
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    return _batches(n, batch_size, shuffle, generator)

def _batches(n, batch_size, shuffle, generator):
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]
""",
        expect="pass",
        select="minibatches",
    ),
    Variant(
        "minibatches-lazy-generator-shuffle-in-place",  # ValueError raised on first next()
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    order = torch.arange(n)
    if shuffle:
        order = order[torch.randperm(n, generator=generator)]
    yield from torch.split(order, batch_size) if n else []
""",
        expect="pass",
        select="minibatches",
    ),
    Variant(
        "minibatches-copy-of-the-generator",  # every epoch the same order
        """
def minibatches(n, batch_size, *, shuffle=True, generator=None):
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if generator is not None:
        generator = torch.Generator().set_state(generator.get_state())
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return iter(order.split(batch_size) if n else ())
""",
        expect="fail",
        message=r"two epochs with the same generator g: gave the same batches.*Hint: draw from "
        r"the generator itself",
        select="minibatches",
    ),
]
