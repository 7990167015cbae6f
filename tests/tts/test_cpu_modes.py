"""The CPU mode is measured on this machine (real trials of the real voice), remembered per
machine, and chosen by the rule: the fastest float32 mode, or bfloat16 where it is clearly faster
and sounds the same. Stream counts change samples by float rounding only, which is why they are
not part of a chunk's cache key (the precision is)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from backend.render.cpu_mode_step import measured_calibration
from backend.tts.cpu_calibration import bf16_possible, calibrate, candidate_modes, snr_db
from backend.tts.cpu_mode_store import BFLOAT16, FLOAT32, Calibration, CpuMode, load_calibration, machine_fingerprint
from backend.tts.synth import Synthesizer, SynthItem, chunk_seed
from backend.tts.voice import load_voice
from tests.tts.conftest import SENTENCES

TWO_BY_ONE, ONE_BY_TWO = CpuMode(2, 1), CpuMode(1, 2)


@pytest.fixture(scope="module")
def voice():
    return load_voice(None)


def test_every_mode_is_measured_with_real_renders(voice):
    modes = [TWO_BY_ONE, ONE_BY_TWO] + ([CpuMode(2, 1, BFLOAT16)] if bf16_possible() else [])
    log = []
    cal = calibrate(voice, threads=2, budget=60.0, modes=modes, log=log.append)
    assert [m for m, _ in cal.trials] == modes and not cal.skipped
    assert all(0.001 < rtf < 1.0 for _, rtf in cal.trials)  # real renders: faster than real time, not instant
    assert len(log) == len(modes) and "real time" in log[0]
    assert cal.choice() in modes
    assert cal.fingerprint == machine_fingerprint(2)
    if bf16_possible():
        # The float32 and bfloat16 takes of the same chunks: close, not identical.
        assert 25.0 < cal.bf16_snr_db < 80.0


def test_a_spent_budget_skips_the_remaining_modes_rather_than_guessing(voice):
    modes = [TWO_BY_ONE, ONE_BY_TWO, CpuMode(1, 2, BFLOAT16)]
    cal = calibrate(voice, threads=2, budget=0.0, modes=modes)
    assert [m for m, _ in cal.trials] == [TWO_BY_ONE]
    assert cal.skipped == modes[1:]
    assert cal.bf16_snr_db is None and cal.choice() == TWO_BY_ONE


def test_candidates_cover_streams_and_threads():
    assert candidate_modes(2, False) == [TWO_BY_ONE, ONE_BY_TWO]
    assert candidate_modes(1, True) == [CpuMode(1, 1), CpuMode(1, 1, BFLOAT16)]
    sixteen = candidate_modes(16, False)
    assert [(m.streams, m.threads) for m in sixteen] == [(8, 2), (4, 4), (1, 16)]


@pytest.mark.parametrize(("bf16_rtf", "snr", "chosen"), [
    (0.020, 38.0, BFLOAT16),  # a third faster and close: bfloat16
    (0.0295, 38.0, FLOAT32),  # 2% faster: not worth a different take
    (0.020, 22.0, FLOAT32),  # fast but audibly different
    (0.020, None, FLOAT32),  # never compared
])
def test_choice_rule(bf16_rtf, snr, chosen):
    cal = Calibration({}, [(TWO_BY_ONE, 0.030), (ONE_BY_TWO, 0.032), (CpuMode(2, 1, BFLOAT16), bf16_rtf)], bf16_snr_db=snr)
    assert cal.choice().precision == chosen
    assert cal.choice(streams=1) == ONE_BY_TWO  # the user's stream count: the best mode with it
    assert cal.best(FLOAT32) == TWO_BY_ONE


def test_the_measurement_is_remembered_per_machine(voice, tmp_path):
    path = tmp_path / "cpu_mode.json"
    logs = []
    first = measured_calibration(lambda: voice, logs.append, path=path)
    assert any("Measuring" in line for line in logs) and path.exists()
    logs.clear()
    again = measured_calibration(lambda: pytest.fail("no voice is needed to reuse a measurement"), logs.append, path=path)
    assert not logs and again.to_json() == first.to_json()
    # Another PyTorch (or CPU, or core count) measures again.
    data = json.loads(path.read_text())
    data["fingerprint"]["torch"] = "1.0.0"
    path.write_text(json.dumps(data))
    assert load_calibration(path, machine_fingerprint(torch.get_num_threads())) is None
    measured_calibration(lambda: voice, logs.append, path=path)
    assert any("Measuring" in line for line in logs)
    # A damaged file is measured over, not an error.
    path.write_text("{not json")
    logs.clear()
    measured_calibration(lambda: voice, logs.append, path=path)
    assert any("Measuring" in line for line in logs)
    assert load_calibration(path) is not None


def _render(streams: int, precision: str, texts) -> list[np.ndarray]:
    synth = Synthesizer.load(cpu_streams=streams, dtype=precision)
    items = [SynthItem(synth.phoneme_ids(t), chunk_seed(t)) for t in texts]
    if streams == 1:
        out = [synth.synthesize_batch([item])[0] for item in items]
    else:
        out = synth.synthesize_batch(items)
    synth.cpu_streams.close()
    return out


def test_stream_modes_differ_by_float_rounding_only():
    """Why streams are not in the cache key: a book resumed in another stream mode joins chunks
    whose samples differ ~1e-6 (far below the 16-bit step of 3e-5)."""
    texts = SENTENCES[:4]
    a, b = _render(2, FLOAT32, texts), _render(1, FLOAT32, texts)
    for x, y in zip(a, b, strict=True):
        assert len(x) == len(y)
        assert np.abs(x - y).max() < 3e-5
    assert snr_db(a, b) > 80.0


@pytest.mark.skipif(not bf16_possible(), reason="this CPU cannot run bfloat16")
def test_bfloat16_is_a_different_take_close_to_float32():
    """Why the precision is in the cache key: bfloat16 changes samples audibly-small but far
    beyond rounding; on the CPU its decoder runs as GEMMs on rows and fixed-size tiles."""
    texts = SENTENCES[:3]
    a, b = _render(2, FLOAT32, texts), _render(2, BFLOAT16, texts)
    assert [len(x) for x in a] == [len(y) for y in b]  # durations stay float32: the same timing
    assert 30.0 < snr_db(a, b) < 70.0
    assert max(np.abs(x - y).max() for x, y in zip(a, b, strict=True)) > 1e-4
