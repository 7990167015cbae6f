"""The window with several workers: Advanced → Workers round-trips, a render on two CPU worker
processes names each in the Activity Log, and batch reports from two GPUs get a bar each."""

from dataclasses import replace

import pytest

from app.dialogs.advanced_settings import AdvancedSettingsDialog
from app.main_window import MainWindow
from backend.render.events import BatchReport
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready
from tests.app.test_main_window import open_demo


def test_workers_and_cluster_round_trip(qtbot):
    dialog = AdvancedSettingsDialog(RenderSettings(workers=3, cluster="10.0.0.5:6379"))
    qtbot.addWidget(dialog)
    group = dialog.scale_group
    assert not group.workers_auto.isChecked() and group.workers_spin.value() == 3 and group.workers_spin.isEnabled()
    assert group.cluster_edit.text() == "10.0.0.5:6379" and group.cluster_edit.isEnabled()
    assert not group.note.isVisibleTo(dialog)  # Ray is installed here (the .[cluster] extra)
    group.workers_auto.setChecked(True)
    group.cluster_edit.setText("  ")
    assert dialog.settings() == replace(RenderSettings(), workers="auto", cluster=None)
    assert not group.workers_spin.isEnabled()
    dialog.reset_to_defaults()
    assert dialog.settings().workers == "auto" and dialog.settings().cluster is None


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=400, device="cpu", workers=2,
                                    outputs=[]), [], lambda s: None)
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def test_a_render_on_two_worker_processes_names_them_in_the_log(qtbot, window, tmp_path):
    open_demo(qtbot, window, tmp_path)
    with qtbot.waitSignal(window.worker.finished, timeout=180000) as finished:
        window.start()
    summary = finished.args[0]
    assert summary.rendered == summary.chunks
    log = window.log.plain_text()
    assert "Rendering on 2 CPU worker processes, 1 thread each" in log
    assert "] CPU 1 Batch " in log and "] CPU 2 Batch " in log


def test_each_gpu_worker_gets_its_own_bar(qtbot, window):
    """Batch reports as two GPU workers send them (no GPU here: the reports are built by hand)."""
    gb = 10**9

    def report(n, device, used):
        return BatchReport(n, 2, 1.0, 20.0, f"VRAM: {used}.0/24.0GB", f"[12:00:00] {device} Batch {n} (2 chunks)",
                           used * gb, 24 * gb, None, 2, device)

    window._busy_changed(True)
    try:
        window._batch_done(report(1, "GPU 0", 6))
        window._batch_done(report(2, "GPU 1", 18))
        window._batch_done(report(3, "GPU 0", 12))
        bars = dict(window.gauges.bars)
    finally:
        window._busy_changed(False)  # a window that thinks it renders waits for the render before it closes
    assert list(bars) == ["GPU 0", "GPU 1"] and bars["GPU 0"] is window.gauge
    assert window.gauge.text() == "GPU 0 · VRAM 12.0 / 24.0 GB (50%)"
    assert bars["GPU 1"].text() == "GPU 1 · VRAM 18.0 / 24.0 GB (75%)" and bars["GPU 1"].isVisibleTo(window)
    assert [s[0] for s in window.plot.samples()] == [1, 3]  # the graph follows the first GPU
    window.gauges.reset()  # as when the next render starts: one bar again
    assert window.gauges.bars == {} and window.gauge.name() == ""
