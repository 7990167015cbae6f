"""Pronunciations in a real render: the cache key covers them, so editing an entry re-renders only
the chunks that contain its word, and the log says how many; a damaged lexicon stops the render."""

from __future__ import annotations

import pytest

from backend.lexicon_store import book_lexicon_path, global_lexicon_path, write_lexicon
from backend.render.events import RenderFailed
from backend.text.lexicon import Lexicon, LexiconEntry
from tests.render.test_engine import BOOK, Recorder, render, settings


@pytest.fixture()
def book(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


@pytest.fixture()
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))


def logged(events: Recorder, text: str) -> list[str]:
    return [m for _, m in events.logs if text in m]


def test_editing_an_entry_rerenders_only_its_chunks(tmp_path, book, config):
    st = settings(tmp_path)
    first = render(book, tmp_path / "out", st)
    write_lexicon(book_lexicon_path(book, st), Lexicon([LexiconEntry("Mara", "MAH rah")]))
    events = Recorder()
    second = render(book, tmp_path / "out", st, events)
    # "Mara" is in one chunk of the ferry book: that chunk alone goes back to the voice.
    assert (second.rendered, second.reused) == (1, first.rendered - 1)
    assert logged(events, "Pronunciations: 1 entry; 1 used in 1 chunk.")
    assert logged(events, "Pronunciations changed in 1 chunk since the last render")
    write_lexicon(book_lexicon_path(book, st), Lexicon([LexiconEntry("Mara", "MARE uh")]))
    third = render(book, tmp_path / "out", st)
    assert third.rendered == 1
    # The global lexicon applies too, and the book's entry for the same word wins over it.
    write_lexicon(global_lexicon_path(), Lexicon([LexiconEntry("mara", "MAY ruh"), LexiconEntry("ferry", "FEH ree")]))
    fourth = render(book, tmp_path / "out", st)
    assert fourth.rendered == 1  # only the ferry chunk: Mara's chunk keeps the book's reading


def test_a_damaged_lexicon_stops_the_render_with_its_name(tmp_path, book, config):
    st = settings(tmp_path)
    path = global_lexicon_path()
    path.parent.mkdir(parents=True)
    path.write_text("{oops", encoding="utf-8")
    events = Recorder()
    with pytest.raises(RenderFailed, match="lexicon.json' cannot be used: it is not valid JSON"):
        render(book, tmp_path / "out", st, events)
    assert list(path.parent.glob("lexicon.json.bak-*"))
