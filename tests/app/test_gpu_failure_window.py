"""The real window (offscreen) rendering on a "GPU" that dies mid-render: fake_cuda's recorders
stand in for torch.cuda and NVML, the voice and model are real. A clear dialog, the cache kept,
and Start resumes the render."""

from pathlib import Path

import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from backend.settings import RenderSettings
from backend.tts.synth import Synthesizer
from tests.app.conftest import close_window, shown_and_ready
from tests.gpu.fake_cuda import FakeCard, FakeCuda, GiB, OnFakeCuda

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo_book.md"
ILLEGAL = "CUDA error: an illegal memory access was encountered"


@pytest.fixture()
def gpu_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    fake = FakeCuda([FakeCard("NVIDIA GeForce RTX 4060", int(7.6 * GiB))]).install(monkeypatch)
    real_load = Synthesizer.load.__func__
    synths = []

    def load_on_fake_gpu(cls, voice=None, **kwargs):
        synths.append(OnFakeCuda(real_load(cls, voice, dtype=kwargs["dtype"], cpu_streams=1), fake, device="cuda:0"))
        return synths[-1]

    monkeypatch.setattr(Synthesizer, "load", classmethod(load_on_fake_gpu))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cuda:0", batch_size=2),
                     [], lambda settings: None)
    win.synths = synths
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)
    for synth in synths:
        synth.close()


def test_gpu_dying_mid_render_shows_a_dialog_and_start_resumes(qtbot, gpu_window, tmp_path):
    win = gpu_window
    assert win.statusBar().currentMessage().startswith("Ready") and "cuda:0" in win.statusBar().currentMessage()
    win.open_book(str(DEMO))
    qtbot.waitUntil(lambda: win.book is not None, timeout=30000)
    win.output_edit.setText(str(tmp_path / "out"))
    (synth,) = win.synths
    synth.fail_at = (3 + 2 + 1, torch.AcceleratorError(ILLEGAL))  # warm-up, two batches, then the GPU dies
    with qtbot.waitSignal(win.worker.failed, timeout=120000) as failed:
        win.start()
    message = failed.args[0]
    assert message.startswith("The GPU reported a fatal error during rendering (CUDA error: an illegal memory access")
    qtbot.waitUntil(lambda: not win.rendering, timeout=10000)
    box = win.last_message
    assert box.windowTitle() == "Render failed" and box.icon() == QMessageBox.Icon.Critical
    assert box.text() == message and "Traceback" not in win.log.plain_text()  # said once, not twice
    assert win.progress_bar.format() == "Failed"
    box.close()

    synth.fail_at = None
    qtbot.waitUntil(lambda: win.start_button.text().startswith("Resume (4 of "), timeout=30000)
    assert win.statusBar().currentMessage() == "Render failed; finished chunks stay cached"
    with qtbot.waitSignal(win.worker.finished, timeout=120000) as finished:
        win.start()
    summary = finished.args[0]
    assert summary.reused == 4 and summary.reused + summary.rendered == summary.chunks
    assert "VRAM: " in win.log.plain_text() and "Batch size 2" in win.log.plain_text()
