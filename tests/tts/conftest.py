import numpy as np
import pytest

from backend.tts.synth import Synthesizer
from backend.tts.voice import default_voice_path

SENTENCES = [
    "Hello.",
    "Mara turned the envelope over twice.",
    "The letter arrived on a Tuesday in late October, folded twice and sealed with green wax.",
    "Inside, everything was covered in a fine layer of dust, except for one thing: on the kitchen table, "
    "in the center of a square of clean wood, lay a fountain pen with its cap beside it.",
    "The entries began in March, and ended in September, the month the light was automated; they were mostly "
    "ordinary, wind speed and direction, fog for four hours, a replaced mantle, a jar of plum jam brought with "
    "the post, but woven through the ordinary entries was a second story, told a line or two at a time, about "
    "a woman on the mainland, and a promise, and a letter never finished.",
]


@pytest.fixture(scope="session")
def synth_quiet():
    """Our engine with all noise off: deterministic, comparable with onnxruntime."""
    return Synthesizer.load(noise_scale=0.0, noise_w=0.0)


@pytest.fixture(scope="session")
def synth():
    """Our engine with the voice's default noise."""
    return Synthesizer.load()


@pytest.fixture(scope="session")
def ort_session():
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    path = default_voice_path()
    if path.parent.name == "voice-fp16":  # the GPU kit's stand-in (bench/gpu_kit.py): float16 weights, float32 graph
        pytest.skip("the GPU kit's voice stores float16 weights, which onnxruntime cannot run; CI runs this")
    return onnxruntime.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def ort_audio(session, ids, noise_scale=0.0, length_scale=1.0, noise_w=0.0) -> np.ndarray:
    out = session.run(
        None,
        {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([noise_scale, length_scale, noise_w], dtype=np.float32),
        },
    )[0]
    return out.reshape(-1)
