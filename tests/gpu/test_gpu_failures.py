"""A CUDA error wherever CUDA is touched (voice loading, set-up, warm-up, a batch, memory reads,
the end of the render) stops the render with one clear message, keeps the cache, and the next
render resumes. The CUDA calls are fake_cuda's recorders; the model and voice are real."""

from __future__ import annotations

import pytest
import torch

from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderFailed
from backend.settings import RenderSettings
from backend.tts.synth import Synthesizer
from tests.gpu.fake_cuda import FakeCard, FakeCuda, GiB, OnFakeCuda
from tests.render.test_engine import Recorder

ILLEGAL = "CUDA error: an illegal memory access was encountered"


def settings(tmp_path, **kw):
    return RenderSettings(device="cuda:0", max_chars=60, cache_dir=str(tmp_path / "cache"), outputs=[], batch_size=2, **kw)


def render(tmp_path, book, synth=None, **kw):
    events = Recorder()
    try:
        summary = AudioEngine(RenderJob(book, tmp_path / "out", settings(tmp_path, **kw)), events, synthesizer=synth).run()
    except RenderFailed as exc:
        return None, events, str(exc)
    return summary, events, None


def fake_card(monkeypatch) -> FakeCuda:
    return FakeCuda([FakeCard("NVIDIA GeForce RTX 3060", int(11.6 * GiB))]).install(monkeypatch)


def on_gpu(cpu_synth, fake):
    return OnFakeCuda(cpu_synth, fake, device="cuda:0")


def assert_clear(message: str, stage: str):
    assert message.startswith("The GPU reported a fatal error") and f"during {stage}" in message
    assert "Everything rendered so far is kept" in message and "Restart the app and press Start to resume" in message
    assert "Traceback" not in message


def test_fatal_error_in_warm_up_is_a_clear_message_and_resume_works(monkeypatch, tmp_path, book, cpu_synth):
    # A first render stops after two batches: four chunks cached.
    fake = fake_card(monkeypatch)
    synth = on_gpu(cpu_synth, fake)
    synth.fail_at = (3 + 3, RuntimeError(ILLEGAL))  # three warm-up forwards, two batches, then the GPU dies
    try:
        _, events, message = render(tmp_path, book, synth)
        assert message is not None and "Restart the app" in message and events.failure == message
        # After the "restart": the GPU fails already in the warm-up.
        synth.forwards.clear()
        synth.fail_at = (1, torch.AcceleratorError(ILLEGAL))
        _, events, message = render(tmp_path, book, synth)
        assert_clear(message, "warm-up")
        assert ("error", message) in events.logs and events.failure == message
        # And once the GPU works again, the render resumes from the cache.
        synth.fail_at = None
        summary, events, message = render(tmp_path, book, synth)
    finally:
        synth.close()
    assert message is None
    assert summary.reused == 4 and summary.reused + summary.rendered == summary.chunks


@pytest.mark.parametrize("stage", ["GPU set-up", "rendering", "assembly"])
def test_fatal_error_outside_a_batch_names_where(monkeypatch, tmp_path, book, cpu_synth, stage):
    fake = fake_card(monkeypatch)

    def dies(*args, **kwargs):
        raise torch.AcceleratorError(f"{ILLEGAL}\nCUDA kernel errors might be asynchronously reported")

    target = {"GPU set-up": "set_per_process_memory_fraction", "rendering": "reset_peak_memory_stats",
              "assembly": "empty_cache"}[stage]
    if stage == "rendering":  # the warm-up resets the peak three times; the first batch then fails
        real, calls = fake.reset_peak_memory_stats, []

        def dies_late(device=None):
            calls.append(device)
            return dies() if len(calls) > 3 else real(device)

        monkeypatch.setattr(torch.cuda, target, dies_late)
    else:
        monkeypatch.setattr(torch.cuda, target, dies)
    synth = on_gpu(cpu_synth, fake)
    try:
        summary, events, message = render(tmp_path, book, synth, **({"cache_clear_interval": 0} if stage == "assembly" else {}))
    finally:
        synth.close()
    assert summary is None
    assert_clear(message, stage)
    assert message.count("\n") == 0  # the first line of the CUDA error only


def test_errors_loading_the_voice_onto_the_gpu(monkeypatch, tmp_path, book):
    def load(cls, *args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 64.00 MiB. GPU 0 has a total "
                                          "capacity of 7.63 GiB of which 12.00 MiB is free.")

    monkeypatch.setattr(Synthesizer, "load", classmethod(load))
    _, events, message = render(tmp_path, book)
    assert message.startswith("The GPU ran out of memory during voice loading (CUDA out of memory.")
    assert "Close other programs that use the GPU" in message and "--device cpu" in message

    def broken(cls, *args, **kwargs):
        raise RuntimeError("CUDA error: no kernel image is available for execution on the device")

    monkeypatch.setattr(Synthesizer, "load", classmethod(broken))
    _, events, message = render(tmp_path, book)
    assert_clear(message, "voice loading")


def test_a_bug_that_is_not_a_gpu_error_is_not_disguised_as_one(monkeypatch, tmp_path, book, cpu_synth):
    fake = fake_card(monkeypatch)
    synth = on_gpu(cpu_synth, fake)
    synth.fail_at = (1, RuntimeError("shape '[2, 96]' is invalid for input of size 190"))
    try:
        with pytest.raises(RuntimeError, match="is invalid for input"):
            render(tmp_path, book, synth)
    finally:
        synth.close()
