"""Plain data, both ways: what crosses between the test process and a sandbox.

Only plain data crosses: None, bool, int, float, complex, str, bytes, lists, tuples, dicts,
tensors and arrays (as dtype, shape and raw bytes; rebuilt as plain tensors, so a tensor
subclass or an object that "equals anything" cannot come back), torch dtypes, devices and
generator states. A message is decoded with an unpickler that refuses every global, and every
size is checked against the bytes. Objects already seen become references, so identity
survives the trip. A file the tests hand over (a ``Path``, or a ``str`` naming an existing
file by its absolute path) crosses by content, into the sandbox's scratch folder under the
same name: the sandbox can read no file of the grader's. Also the names of the pseudo-functions
a request may call.
"""

from __future__ import annotations

import functools
import io
import math
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from grader.core.paths import FUNCTIONS_MODULE

MAX_MESSAGE = 1 << 30  # bytes in one reply
MAX_ITEMS = 1_000_000  # items taken from an iterator a student function returns
MAX_FILE = 64 << 20  # bytes of one file handed over by content (larger ones cross as names)
LOAD = "__load__"  # the pseudo-function that loads a module and lists its functions
TIME = "__time__"  # the pseudo-function that times the exercise's key function (check.timing)
MANY = "__many__"  # the pseudo-function that makes a batch of calls (Implementation.call_many)
CHAIN = "__chain__"  # the pseudo-function that runs a chain of calls (Implementation.chain)
_PRIMITIVES = (type(None), bool, int, float, complex, str, bytes)
_DTYPES = {str(dtype).removeprefix("torch."): dtype for dtype in (
    torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.float16, torch.bfloat16, torch.float32, torch.float64,
)}  # fmt: skip
_NUMPY_KINDS = set("biuf")


class SandboxError(RuntimeError):
    """The sandbox cannot answer: it hung, died, or sent something that is not plain data."""


class Encoder:
    """Object -> nested lists of primitives and bytes. Objects already seen (or in ``table``,
    the arguments of the call) become ``["ref", index]`` so identity survives."""

    def __init__(self, table: list[Any] | None = None, from_tests: bool = False) -> None:
        self.table: list[Any] = list(table or [])
        self.index = {id(obj): i for i, obj in enumerate(self.table)}
        self.from_tests = from_tests  # the test process's side: files (and layouts) cross

    def _register(self, obj: Any) -> None:
        self.index[id(obj)] = len(self.table)
        self.table.append(obj)

    def encode(self, obj: Any) -> list[Any]:
        if self.from_tests and type(obj) is str and os.path.isabs(obj) and _small_file(obj):
            return ["file", "str", os.path.basename(obj), Path(obj).read_bytes()]
        if type(obj) in _PRIMITIVES:
            return ["v", obj]
        if id(obj) in self.index:
            return ["ref", self.index[id(obj)]]
        if isinstance(obj, torch.Tensor):
            self._register(obj)
            node = tensor_node(obj)
            if self.from_tests and not _plain_layout(obj):  # the tests' side: as laid out
                node.append(list(obj.stride()))
            return node
        if isinstance(obj, np.ndarray | np.generic):
            array = np.asarray(obj)
            return ["ndarray", array.dtype.str, list(array.shape), array.tobytes(), obj.ndim == 0]
        if isinstance(obj, torch.dtype):
            return ["dtype", str(obj).removeprefix("torch.")]
        if isinstance(obj, os.PathLike):
            path = os.fspath(obj)
            if self.from_tests and isinstance(path, str) and _small_file(path):
                return ["file", "path", os.path.basename(path), Path(path).read_bytes()]
            return ["path", path]
        if isinstance(obj, torch.device):
            return ["device", str(obj)]
        if isinstance(obj, torch.Generator | list | tuple | dict):
            self._register(obj)
            return self.contents(obj)
        if isinstance(obj, functools.partial) and trusted_function(obj.func):
            return ["partial", self.encode(obj.func), self.encode(obj.args),
                    self.encode(obj.keywords)]  # fmt: skip
        if callable(obj) and trusted_function(obj):
            return ["function", obj.__module__, obj.__qualname__]
        if isinstance(obj, Iterator):
            items: list[Any] = []
            for item in obj:
                if len(items) == MAX_ITEMS:
                    raise TypeError(f"returned an iterator of more than {MAX_ITEMS} items")
                items.append(self.encode(item))
            return ["iter", items]
        raise TypeError(
            f"returned a {type(obj).__name__} object, which cannot be graded: return tensors, "
            "arrays, numbers, strings, lists, tuples or dicts"
        )

    def contents(self, obj: Any) -> list[Any]:
        """A container's or tensor's current contents, even when ``obj`` itself is registered."""
        if isinstance(obj, torch.Tensor):
            return tensor_node(obj)
        if isinstance(obj, torch.Generator):
            return ["generator", str(obj.device), obj.get_state().numpy().tobytes()]
        if isinstance(obj, dict):
            return ["dict", [[self.encode(k), self.encode(v)] for k, v in obj.items()]]
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return [kind, [self.encode(item) for item in obj]]


def _plain_layout(tensor: torch.Tensor) -> bool:
    return tensor.is_contiguous() or tensor.device.type == "meta" or tensor.layout != torch.strided


def tensor_node(tensor: torch.Tensor) -> list[Any]:
    """A tensor's dtype, shape, device and bytes (no bytes for meta tensors)."""
    plain = torch.Tensor.detach(tensor)
    data = None
    if plain.device.type != "meta":
        data = plain.cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes()
    dtype = str(plain.dtype).removeprefix("torch.")
    return ["tensor", dtype, list(plain.shape), plain.device.type, data]


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused global {module}.{name}: only plain data crosses")


def loads(data: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(data)).load()


def _small_file(path: str) -> bool:
    try:
        return os.path.isfile(path) and os.path.getsize(path) <= MAX_FILE
    except OSError:
        return False


class Decoder:
    """Nested lists -> objects, validating every node: the input may come from a hostile process.
    ``files``: where files handed over by content are written (the sandbox's scratch folder);
    None (the test process's side) refuses them."""

    def __init__(self, table: list[Any] | None = None, files: Path | None = None) -> None:
        self.table: list[Any] = list(table or [])
        self.nodes: dict[int, list[Any]] = {}  # table index -> the node a tensor was built from
        self.files = files

    def decode(self, node: Any) -> Any:
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise SandboxError(f"malformed reply node {node!r:.80}")
        tag, rest = node[0], node[1:]
        if tag == "v" and len(rest) == 1 and type(rest[0]) in _PRIMITIVES:
            return rest[0]
        if tag == "file" and self.files is not None and len(rest) == 3:
            return self._file(*rest)
        if (
            tag == "ref"
            and len(rest) == 1
            and type(rest[0]) is int
            and 0 <= rest[0] < len(self.table)
        ):
            return self.table[rest[0]]
        if tag == "tensor" and len(rest) == 5 and self.files is not None:  # laid out as given
            tensor = _laid_out(build_tensor(rest[:4]), rest[4])
            self.nodes[len(self.table)] = node[:5]  # its contents, as the sandbox encodes them
            self.table.append(tensor)
            return tensor
        if tag == "tensor":
            tensor = build_tensor(rest)
            self.nodes[len(self.table)] = node
            self.table.append(tensor)
            return tensor
        if tag == "ndarray":
            return _build_array(rest)
        if tag == "dtype" and rest and rest[0] in _DTYPES:
            return _DTYPES[rest[0]]
        if tag == "device" and rest and type(rest[0]) is str:
            return torch.device(rest[0])
        if tag == "path" and rest and type(rest[0]) is str:
            return Path(rest[0])
        if tag == "generator" and len(rest) == 2 and type(rest[1]) is bytes:
            generator = torch.Generator(device=rest[0])
            generator.set_state(torch.frombuffer(bytearray(rest[1]), dtype=torch.uint8))
            self.nodes[len(self.table)] = node
            self.table.append(generator)
            return generator
        if tag in ("list", "tuple", "iter") and len(rest) == 1 and isinstance(rest[0], list):
            if tag == "iter":
                return iter([self.decode(item) for item in rest[0]])
            placeholder: list[Any] = []
            position = len(self.table)
            self.table.append(placeholder)
            placeholder.extend(self.decode(item) for item in rest[0])
            if tag == "tuple":
                self.table[position] = result = tuple(placeholder)
                return result
            return placeholder
        if tag == "function" and len(rest) == 2:
            return named_function(*rest)
        if tag == "partial" and len(rest) == 3:
            function, args, keywords = (self.decode(item) for item in rest)
            if not (callable(function) and isinstance(args, tuple) and isinstance(keywords, dict)):
                raise SandboxError("malformed partial")
            return functools.partial(function, *args, **keywords)
        if tag == "dict" and len(rest) == 1 and isinstance(rest[0], list):
            mapping: dict[Any, Any] = {}
            self.table.append(mapping)
            mapping.update(self.dict_items(rest[0]))
            return mapping
        raise SandboxError(f"malformed reply node of kind {tag!r}")

    def _file(self, kind: Any, name: Any, content: Any) -> Any:
        """A file handed over: written to a folder of its own in the scratch folder."""
        if kind not in ("str", "path") or type(name) is not str or type(content) is not bytes:
            raise SandboxError("malformed file")
        assert self.files is not None
        name = os.path.basename(name) or "file"
        folder = self.files / str(len(list(self.files.iterdir())) if self.files.is_dir() else 0)
        folder.mkdir(parents=True)
        path = folder / name
        path.write_bytes(content)
        return str(path) if kind == "str" else path

    def dict_items(self, pairs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise SandboxError("malformed dict entry")
            yield self.decode(pair[0]), self.decode(pair[1])


def trusted_function(obj: Any) -> bool:
    """A module-level function of the trusted functions module (tests/gradient_functions.py):
    the only code that crosses, and only by its name."""
    module = sys.modules.get(FUNCTIONS_MODULE)
    name = getattr(obj, "__qualname__", None)
    return (
        module is not None
        and getattr(obj, "__module__", None) == FUNCTIONS_MODULE
        and isinstance(name, str)
        and getattr(module, name, None) is obj
    )


def named_function(module_name: Any, name: Any) -> Any:
    """The trusted function ``module_name.name``, from the module already imported (never an
    import here: the sandbox has imported it before it started)."""
    module = sys.modules.get(FUNCTIONS_MODULE)
    function = getattr(module, name, None) if type(name) is str else None
    if module_name != FUNCTIONS_MODULE or not trusted_function(function):
        raise SandboxError(f"refused function {module_name!r:.40}.{name!r:.40}: not a trusted one")
    return function


def build_tensor(fields: list[Any]) -> torch.Tensor:
    dtype_name, shape, device, data = fields
    if dtype_name not in _DTYPES or not all(type(n) is int and n >= 0 for n in shape):
        raise SandboxError(f"malformed tensor: dtype {dtype_name!r}, shape {shape!r:.80}")
    dtype = _DTYPES[dtype_name]
    if device == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    numel = math.prod(shape)
    if type(data) is not bytes or len(data) != numel * dtype.itemsize:
        raise SandboxError(
            f"malformed tensor data: {numel} {dtype_name} values, {len(data or b'')} bytes"
        )
    flat = (
        torch.frombuffer(bytearray(data), dtype=torch.uint8)
        if data
        else torch.empty(0, dtype=torch.uint8)
    )
    tensor = flat.view(dtype).reshape(shape) if numel else torch.empty(shape, dtype=dtype)
    return tensor.to(device) if device != "cpu" else tensor


def _laid_out(tensor: torch.Tensor, strides: Any) -> torch.Tensor:
    """``tensor``'s values in a tensor of the strides the test passed (a transposed, stepped or
    expanded view), so that code which depends on the layout (``x.clone().reshape(-1)`` writes
    into a copy when x is not contiguous) behaves in the sandbox as it does in the test."""
    shape = tuple(tensor.shape)
    if not (isinstance(strides, list) and len(strides) == len(shape)
            and all(type(n) is int and 0 <= n < 1 << 40 for n in strides)):  # fmt: skip
        raise SandboxError("malformed strides")
    if tensor.numel() == 0:
        return torch.empty_strided(shape, strides, dtype=tensor.dtype, device=tensor.device)
    storage = 1 + sum((size - 1) * stride for size, stride in zip(shape, strides, strict=True))
    if storage > 64 * tensor.numel() + 4096:
        raise SandboxError("strides far wider than the data")
    flat = torch.zeros(storage, dtype=tensor.dtype, device=tensor.device)
    offsets = torch.zeros(shape, dtype=torch.int64, device=tensor.device)
    for dim, stride in enumerate(strides):  # each element's place in the storage
        steps = torch.arange(shape[dim], device=tensor.device) * stride
        offsets += steps.view([-1 if d == dim else 1 for d in range(len(shape))])
    flat[offsets.reshape(-1)] = tensor.reshape(-1)  # repeated places get equal values
    return flat.as_strided(shape, strides)


def _build_array(fields: list[Any]) -> Any:
    dtype_str, shape, data, scalar = fields
    dtype = np.dtype(dtype_str) if type(dtype_str) is str and len(dtype_str) <= 4 else None
    if dtype is None or dtype.kind not in _NUMPY_KINDS or type(data) is not bytes:
        raise SandboxError(f"malformed array: dtype {dtype_str!r:.20}")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise SandboxError("malformed array shape")
    if len(data) != math.prod(shape) * dtype.itemsize:
        raise SandboxError("malformed array data")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    return array[()] if scalar else array
