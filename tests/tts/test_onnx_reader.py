"""Our protobuf reader against the onnx package, on the bundled voice and on hand-made graphs."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from backend.tts.errors import VoiceError
from backend.tts.onnx_proto import OnnxFormatError, read_onnx_graph
from backend.tts.onnx_weights import read_voice_weights
from backend.tts.voice import default_voice_path


def test_bundled_voice_reads_exactly_as_the_onnx_package_reads_it():
    path = default_voice_path()
    ours = read_onnx_graph(path)
    ref = onnx.load(str(path)).graph
    assert ours.input_names == [i.name for i in ref.input]
    assert ours.initializer_names() == [i.name for i in ref.initializer]
    for init in ref.initializer:
        expected = numpy_helper.to_array(init)
        got = ours.tensor(init.name)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got, expected), init.name
    assert len(ours.nodes) == len(ref.node)
    for node, ref_node in zip(ours.nodes, ref.node):
        assert (node.name, node.op_type, node.inputs) == (ref_node.name, ref_node.op_type, list(ref_node.input))
        for attr in ref_node.attribute:
            if attr.type in (onnx.AttributeProto.TENSOR, onnx.AttributeProto.GRAPH):
                continue
            assert node.attributes[attr.name] == helper.get_attribute_value(attr), (node.name, attr.name)


def _save(tmp_path, initializers, nodes=(), name="g.onnx"):
    graph = helper.make_graph(
        list(nodes), "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], initializer=list(initializers),
    )
    path = tmp_path / name
    onnx.save(helper.make_model(graph), str(path))
    return path


def test_values_in_typed_fields_and_negative_ints(tmp_path):
    floats = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    tensors = [
        helper.make_tensor("f", TensorProto.FLOAT, [2, 3], floats.ravel().tolist()),  # float_data, not raw
        helper.make_tensor("i", TensorProto.INT64, [3], [-1, 0, 2**40]),
        helper.make_tensor("h", TensorProto.FLOAT16, [2], [1.5, -2.0]),  # bit patterns in int32_data
        helper.make_tensor("d", TensorProto.DOUBLE, [1], [0.125]),
        numpy_helper.from_array(np.array(7, np.int32), "scalar"),
    ]
    node = helper.make_node("Conv", ["x", "f"], ["y"], name="/a/b/Conv", pads=[-3, 4], group=-2, alpha=0.5,
                            mode="same")
    graph = read_onnx_graph(_save(tmp_path, tensors, [node]))
    assert np.array_equal(graph.tensor("f"), floats)
    assert graph.tensor("i").tolist() == [-1, 0, 2**40]
    assert graph.tensor("h").tolist() == [1.5, -2.0]
    assert graph.tensor("d").tolist() == [0.125]
    assert graph.tensor("scalar").shape == () and int(graph.tensor("scalar")) == 7
    for tensor in tensors:
        assert np.array_equal(graph.tensor(tensor.name), numpy_helper.to_array(tensor))
    assert graph.nodes[0].attributes == {"pads": [-3, 4], "group": -2, "alpha": 0.5, "mode": b"same"}


def test_malformed_files_raise_a_format_error(tmp_path):
    good = _save(tmp_path, [numpy_helper.from_array(np.ones(100, np.float32), "w")]).read_bytes()
    cases = {"truncated": good[: len(good) - 30], "empty": b"", "text": b"this is a text file, not a model\n",
             "bad varint": b"\x08" + b"\xff" * 11}
    for label, data in cases.items():
        path = tmp_path / f"{label}.onnx"
        path.write_bytes(data)
        with pytest.raises(OnnxFormatError):
            read_onnx_graph(path)


def test_external_data_and_unknown_types_are_refused_clearly(tmp_path):
    ext = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    ext.ClearField("float_data")
    ext.data_location = TensorProto.EXTERNAL
    graph = read_onnx_graph(_save(tmp_path, [ext, helper.make_tensor("s", TensorProto.STRING, [1], [b"a"])]))
    with pytest.raises(OnnxFormatError, match="external file"):
        graph.tensor("w")
    with pytest.raises(OnnxFormatError, match="unsupported data type"):
        graph.tensor("s")


def test_a_truncated_voice_file_gives_the_voice_error(tmp_path):
    data = default_voice_path().read_bytes()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VoiceError, match="cut.onnx.*not a valid ONNX model"):
        read_voice_weights(path)
