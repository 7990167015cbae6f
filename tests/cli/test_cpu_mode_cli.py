"""`audiobook cpu-mode`: shows this machine's measured CPU mode, measures again, forgets."""

from __future__ import annotations

import sys

from backend import cli
from backend.tts.cpu_mode_store import calibration_file, load_calibration


def test_show_forget_and_measure_again(capsys, monkeypatch):
    # The launcher sends a lone 'cpu-mode' to the CLI, not to the window (as a book to open).
    from app import launcher

    monkeypatch.setattr(sys, "argv", ["audiobook", "cpu-mode"])
    assert launcher.main() == 0
    out = capsys.readouterr().out
    assert out.startswith("CPU: ") and "x real time" in out
    assert "Renders use: 2 streams × 1 thread (measured)" in out or "Renders use: 1 stream × 1 thread (measured)" in out

    assert cli.main(["cpu-mode", "--forget"]) == 0
    assert "Forgotten" in capsys.readouterr().out and not calibration_file().exists()
    assert cli.main(["cpu-mode", "--forget"]) == 0
    assert "Nothing to forget" in capsys.readouterr().out

    assert cli.main(["cpu-mode", "--again"]) == 0  # a real measurement, about 3 s
    captured = capsys.readouterr()
    assert "Measuring which CPU mode" in captured.err and "kept in" in captured.err
    measured = load_calibration(calibration_file())
    assert measured is not None and measured.trials
    for mode, _ in measured.trials:
        assert mode.describe() in captured.out
    assert f"Renders use: {measured.choice().describe()} (measured)" in captured.out
