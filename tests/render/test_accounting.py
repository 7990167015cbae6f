"""The end-of-render check catches text that would go missing, and files cut short."""

import dataclasses

import numpy as np
import pytest
import soundfile as sf

from backend.render.accounting import AccountingError, check_accounting
from backend.render.plan import RenderPlan, make_plan
from backend.settings import RenderSettings
from backend.text import load_book
from backend.tts.voice import load_voice
from tests.render.test_engine import BOOK


@pytest.fixture()
def planned(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    book = load_book(path)
    return book, make_plan(book, load_voice(), RenderSettings(max_chars=60))


def test_complete_plan_passes(planned, tmp_path):
    book, plan = planned
    wav = tmp_path / "c.wav"
    sf.write(wav, np.zeros(1000, np.float32), 22050)
    line = check_accounting(book, plan, [wav], [1000], len(plan.chunks))
    assert "characters of 2 chapters" in line


def test_a_dropped_chunk_is_an_error(planned):
    book, plan = planned
    short = RenderPlan(plan.chunks[:-1], plan.chapter_titles)
    with pytest.raises(AccountingError, match="would be missing text"):
        check_accounting(book, short, [], [], len(short.chunks))


def test_a_truncated_chunk_text_is_an_error(planned):
    book, plan = planned
    cut = [dataclasses.replace(pc, chunk=dataclasses.replace(pc.chunk, text=pc.chunk.text[:-3])) if i == 2 else pc
           for i, pc in enumerate(plan.chunks)]
    with pytest.raises(AccountingError, match="Chapter 1"):
        check_accounting(book, RenderPlan(cut, plan.chapter_titles), [], [], len(cut))


def test_assembly_count_and_file_length_mismatch(planned, tmp_path):
    book, plan = planned
    with pytest.raises(AccountingError, match="assembled"):
        check_accounting(book, plan, [], [], len(plan.chunks) - 1)
    wav = tmp_path / "c.wav"
    sf.write(wav, np.zeros(900, np.float32), 22050)
    with pytest.raises(AccountingError, match="holds 900 samples, 1,000 were written"):
        check_accounting(book, plan, [wav], [1000], len(plan.chunks))
