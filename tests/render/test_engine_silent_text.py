"""Issue 13, item 9: paragraphs of punctuation only get no chunk, and the log says how many."""

from __future__ import annotations

from tests.render.test_engine import Recorder, render, settings


def test_punctuation_only_paragraphs_are_left_out_and_logged(tmp_path):
    path = tmp_path / "breaks.txt"
    path.write_text("Chapter 1\n\nThe tide turned.\n\n* * *\n\n……\n\nThe boats came home.\n", encoding="utf-8")
    events = Recorder()
    summary = render(path, tmp_path / "out", settings(tmp_path, outputs=[]), events)
    assert summary.chunks == 3  # the title and the two sentences
    assert any("Left out 2 paragraphs of punctuation only (such as '* * *')" in m for _, m in events.logs)
