"""Read the parts of an .onnx file a voice needs straight from the protobuf wire format.

`import onnx` costs ~1.4 s on a small CPU (its ml_dtypes extension), more than building the
whole model; a voice needs only the initializers, the nodes (name, op, inputs, attributes)
and the input names. Field numbers are those of onnx.proto (ModelProto, GraphProto, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# TensorProto.DataType -> numpy dtype, for the types a voice's weights can have.
_DTYPES = {1: "<f4", 2: "u1", 3: "i1", 4: "<u2", 5: "<i2", 6: "<i4", 7: "<i8", 9: "?", 10: "<f2", 11: "<f8"}
_FLOAT_DATA, _INT32_DATA, _INT64_DATA, _DOUBLE_DATA = 4, 5, 7, 10
# AttributeProto.AttributeType values we decode; tensors and graphs are skipped.
_ATTR_FLOAT, _ATTR_INT, _ATTR_STRING, _ATTR_FLOATS, _ATTR_INTS, _ATTR_STRINGS = 1, 2, 3, 6, 7, 8


class OnnxFormatError(ValueError):
    """The bytes are not a well-formed ONNX model (or use a feature we do not read)."""


@dataclass
class OnnxNode:
    name: str
    op_type: str
    inputs: list[str]
    attributes: dict[str, object]


@dataclass
class OnnxGraph:
    nodes: list[OnnxNode] = field(default_factory=list)
    input_names: list[str] = field(default_factory=list)
    _initializers: dict[str, memoryview] = field(default_factory=dict)

    def initializer_names(self) -> list[str]:
        return list(self._initializers)

    def tensor(self, name: str) -> np.ndarray:
        """The named initializer as a numpy array (decoded on demand: most are never needed)."""
        return _decode_tensor(self._initializers[name], name)


def read_onnx_graph(path: Path) -> OnnxGraph:
    """Parse the file's main graph; OnnxFormatError for anything that is not a valid ONNX model."""
    data = memoryview(Path(path).read_bytes())
    graph_bytes = None
    has_ir_version = False
    for number, wire, value in _fields(data):
        if number == 1 and wire == 0:
            has_ir_version = True
        elif number == 7 and wire == 2:
            graph_bytes = value
    if graph_bytes is None or not has_ir_version:
        raise OnnxFormatError("no ONNX graph in the file")
    graph = OnnxGraph()
    for number, wire, value in _fields(graph_bytes):
        if wire != 2:
            continue
        if number == 1:
            graph.nodes.append(_node(value))
        elif number == 5:
            graph._initializers[_first_string(value, 8)] = value  # TensorProto.name
        elif number == 11:
            graph.input_names.append(_first_string(value, 1))  # ValueInfoProto.name
    return graph


def _fields(buf: memoryview):
    """Yield (field number, wire type, value) of one message: an int for varints and fixed
    numbers, a memoryview of the payload for length-delimited fields."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise OnnxFormatError("field number 0")
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > end:
                raise OnnxFormatError("truncated field")
            value, pos = buf[pos : pos + size], pos + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > end:
                raise OnnxFormatError("truncated field")
            value, pos = int.from_bytes(buf[pos : pos + width], "little"), pos + width
        else:  # groups (3, 4) are not used by ONNX; 6 and 7 do not exist
            raise OnnxFormatError(f"unexpected wire type {wire}")
        yield number, wire, value


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    end = len(buf)
    while True:
        if pos >= end or shift > 63:
            raise OnnxFormatError("malformed varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _signed(value: int) -> int:
    """int64 fields arrive as 64-bit two's complement varints."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(value: memoryview) -> str:
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        raise OnnxFormatError("a name is not UTF-8") from None


def _first_string(message: memoryview, number: int) -> str:
    for num, wire, value in _fields(message):
        if num == number and wire == 2:
            return _text(value)
    return ""


def _node(message: memoryview) -> OnnxNode:
    node = OnnxNode("", "", [], {})
    for number, wire, value in _fields(message):
        if wire != 2:
            continue
        if number == 1:
            node.inputs.append(_text(value))
        elif number == 3:
            node.name = _text(value)
        elif number == 4:
            node.op_type = _text(value)
        elif number == 5:
            name, attr = _attribute(value)
            node.attributes[name] = attr
    return node


def _attribute(message: memoryview) -> tuple[str, object]:
    name, kind = "", 0
    f, i, s, floats, ints, strings = None, None, None, [], [], []
    for number, wire, value in _fields(message):
        if number == 1 and wire == 2:
            name = _text(value)
        elif number == 20 and wire == 0:
            kind = value
        elif number == 2 and wire == 5:
            f = _float_bits(value)
        elif number == 3 and wire == 0:
            i = _signed(value)
        elif number == 4 and wire == 2:
            s = bytes(value)
        elif number == 7:
            floats.extend(_packed_floats(value) if wire == 2 else [_float_bits(value)])
        elif number == 8:
            ints.extend(_packed_varints(value) if wire == 2 else [_signed(value)])
        elif number == 9 and wire == 2:
            strings.append(bytes(value))
    if not kind:  # writers before IR v3 left the type out: take the field that is set
        return name, next((v for v in (f, i, s) if v is not None), ints or floats or strings or None)
    by_kind = {_ATTR_FLOAT: f, _ATTR_INT: i, _ATTR_STRING: s, _ATTR_FLOATS: floats,
               _ATTR_INTS: ints, _ATTR_STRINGS: strings}
    return name, by_kind.get(kind)


def _float_bits(value: int) -> float:
    return float(np.frombuffer(value.to_bytes(4, "little"), "<f4")[0])


def _packed_floats(value: memoryview) -> list[float]:
    if len(value) % 4:
        raise OnnxFormatError("packed floats of odd length")
    return np.frombuffer(value, "<f4").tolist()


def _packed_varints(value: memoryview) -> list[int]:
    out, pos = [], 0
    while pos < len(value):
        v, pos = _varint(value, pos)
        out.append(_signed(v))
    return out


def _decode_tensor(message: memoryview, name: str) -> np.ndarray:
    dims, data_type, raw, typed = [], 0, None, []
    for number, wire, value in _fields(message):
        if number == 1:
            dims.extend(_packed_varints(value) if wire == 2 else [_signed(value)])
        elif number == 2 and wire == 0:
            data_type = value
        elif number == 9 and wire == 2:
            raw = value
        elif number == 14 and wire == 0 and value == 1:
            raise OnnxFormatError(f"tensor '{name}' keeps its data in an external file")
        elif number in (_FLOAT_DATA, _INT32_DATA, _INT64_DATA, _DOUBLE_DATA):
            typed.append((number, wire, value))
    if data_type not in _DTYPES:
        raise OnnxFormatError(f"tensor '{name}' has an unsupported data type ({data_type})")
    dtype = np.dtype(_DTYPES[data_type])
    if raw is not None:
        if len(raw) % dtype.itemsize:
            raise OnnxFormatError(f"tensor '{name}' has a truncated payload")
        flat = np.frombuffer(raw, dtype)
    else:
        flat = _typed_values(typed, data_type, dtype)
    count = int(np.prod(dims)) if dims else 1
    if flat.size != count:
        raise OnnxFormatError(f"tensor '{name}' holds {flat.size} values for shape {dims}")
    return flat.reshape(dims)


def _typed_values(typed: list, data_type: int, dtype: np.dtype) -> np.ndarray:
    """Values stored in the typed repeated fields instead of raw_data."""
    floats, doubles, ints = [], [], []
    for number, wire, value in typed:
        if number == _FLOAT_DATA:
            floats.extend(_packed_floats(value) if wire == 2 else [_float_bits(value)])
        elif number == _DOUBLE_DATA:
            doubles.extend(np.frombuffer(value, "<f8").tolist() if wire == 2 else
                           [float(np.frombuffer(value.to_bytes(8, "little"), "<f8")[0])])
        else:
            ints.extend(_packed_varints(value) if wire == 2 else [_signed(value)])
    if data_type == 1:
        return np.asarray(floats, dtype)
    if data_type == 11:
        return np.asarray(doubles, dtype)
    if data_type == 10:  # float16 travels as its bit patterns in int32_data
        return np.asarray(ints, np.uint16).view(np.float16)
    return np.asarray(ints, dtype)
