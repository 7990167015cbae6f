"""Read a Piper voice's .onnx file into PyTorch-named weights plus conv attributes.

The exporter keeps most initializer names, but three things need undoing:
- the text embedding is stored as `sid`;
- weight-normed flow convs lost their names (`onnx::Conv_…`): we name them after the node
  that consumes them (node names follow the PyTorch module paths);
- the duration predictor's ElementwiseAffine `logs` was folded into exp(-logs) (or, by newer
  exporters, into -logs feeding an Exp node).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backend.tts.errors import VoiceError
from backend.tts.onnx_proto import OnnxFormatError, OnnxGraph, read_onnx_graph

# Tensors every Piper VITS graph has; their absence means "not a Piper voice".
_REQUIRED = ("enc_p.proj.weight", "dec.conv_pre.weight", "dp.proj.weight", "flow.flows.0.pre.weight")
_FOLDED_EXP = "/dp/flows.0/Exp_output_0"
_FOLDED_EXP_NODE = "/dp/flows.0/Exp"


@dataclass
class OnnxVoiceWeights:
    tensors: dict[str, np.ndarray]
    # module path ("dec.ups.0") -> {"dilations": [..], "pads": [..], "strides": [..], ...}
    conv_attrs: dict[str, dict] = field(default_factory=dict)
    input_names: tuple[str, ...] = ()


def _module_path(node_name: str) -> str:
    """'/flow/flows.6/enc/in_layers.0/Conv' -> 'flow.flows.6.enc.in_layers.0'."""
    parts = [p for p in node_name.split("/") if p]
    return ".".join(parts[:-1])


def read_voice_weights(path: Path) -> OnnxVoiceWeights:
    try:
        graph = read_onnx_graph(path)
    except (OnnxFormatError, OSError) as exc:
        raise VoiceError(f"Cannot load voice '{path.name}': it is not a valid ONNX model ({exc}).") from None
    names = set(graph.initializer_names())
    if not names or not all(name in names for name in _REQUIRED):
        missing = [n for n in _REQUIRED if n not in names]
        raise VoiceError(
            f"Cannot load voice '{path.name}': it is an ONNX model but not a Piper VITS voice "
            f"(missing {', '.join(missing)})."
        )
    try:
        tensors, conv_attrs = _voice_tensors(graph, names)
    except OnnxFormatError as exc:
        raise VoiceError(f"Cannot load voice '{path.name}': it is not a valid ONNX model ({exc}).") from None
    if "enc_p.emb.weight" not in tensors:
        raise VoiceError(f"Cannot load voice '{path.name}': no text embedding ('sid') in the graph.")
    if "dp.flows.0.logs" not in tensors:
        raise VoiceError(f"Cannot load voice '{path.name}': duration predictor scale ({_FOLDED_EXP}) not found.")
    if not all(math.isfinite(float(np.abs(t).max(initial=0.0))) for t in tensors.values()):
        raise VoiceError(f"Cannot load voice '{path.name}': the weights contain NaN or infinite values.")
    return OnnxVoiceWeights(tensors, conv_attrs, tuple(graph.input_names))


def _voice_tensors(graph: OnnxGraph, names: set[str]) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    tensors: dict[str, np.ndarray] = {}
    conv_attrs: dict[str, dict] = {}
    for node in graph.nodes:
        if node.name == _FOLDED_EXP_NODE and node.inputs and node.inputs[0] in names:
            tensors["dp.flows.0.logs"] = -graph.tensor(node.inputs[0])  # Exp(-logs): -logs was folded
        if node.op_type not in ("Conv", "ConvTranspose"):
            continue
        module = _module_path(node.name)
        conv_attrs[module] = dict(node.attributes)
        weight = node.inputs[1] if len(node.inputs) > 1 else ""
        if weight.startswith("onnx::") and weight in names:
            tensors[f"{module}.weight"] = graph.tensor(weight)

    for name in graph.initializer_names():
        if name == "sid":
            tensors["enc_p.emb.weight"] = graph.tensor(name)
        elif name == _FOLDED_EXP:
            # The graph holds exp(-logs); recover logs so the module keeps its textbook form.
            tensors["dp.flows.0.logs"] = -np.log(graph.tensor(name))
        elif re.match(r"^(enc_p|dp|flow|dec|emb_g)\.", name):  # emb_g: speaker embedding (multi-speaker)
            tensors[name] = graph.tensor(name)
    return tensors, conv_attrs
