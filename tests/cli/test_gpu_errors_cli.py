"""The command line when the GPU fails or the program hits a bug: one "Error:" line, exit 1, no
traceback on the terminal, and the render resumes afterwards. In-process, with fake_cuda's
recorders in place of torch.cuda (the model and voice are real)."""

from __future__ import annotations

import pytest
import torch

from backend import cli
from backend.tts.synth import Synthesizer
from tests.gpu.fake_cuda import FakeCard, FakeCuda, GiB, OnFakeCuda
from tests.render.test_engine import BOOK

ILLEGAL = "CUDA error: an illegal memory access was encountered"


@pytest.fixture(autouse=True)
def allocator_env(monkeypatch):
    # main() configures the allocator variables in os.environ: give them back afterwards.
    for name in ("PYTORCH_ALLOC_CONF", "PYTORCH_CUDA_ALLOC_CONF"):
        monkeypatch.setenv(name, "")


def test_render_with_a_gpu_dying_in_warm_up(monkeypatch, tmp_path, capsys):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    fake = FakeCuda([FakeCard("NVIDIA GeForce RTX 3060", int(11.6 * GiB))]).install(monkeypatch)
    real_load = Synthesizer.load.__func__
    synths, failure = [], [torch.AcceleratorError(ILLEGAL)]

    def load_on_fake_gpu(cls, voice=None, **kwargs):
        assert kwargs["device"] == "cuda:0"
        synth = OnFakeCuda(real_load(cls, voice, dtype=kwargs["dtype"], cpu_streams=1), fake, device="cuda:0")
        if failure:
            synth.fail_at = (1, failure.pop())  # the first warm-up forward
        synths.append(synth)
        return synth

    monkeypatch.setattr(Synthesizer, "load", classmethod(load_on_fake_gpu))
    args = ["render", str(book), "-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
            "--device", "cuda:0", "--max-chars", "60", "--outputs", ""]
    try:
        assert cli.main(args) == cli.EXIT_ERROR
        err = capsys.readouterr().err
        assert "Error: The GPU reported a fatal error during warm-up (CUDA error: an illegal memory access" in err
        assert "Restart the app and press Start to resume" in err and "Traceback" not in err
        assert cli.main(args) == cli.EXIT_OK  # "after a restart"
        assert "Done: 2 chapters" in capsys.readouterr().err
    finally:
        for synth in synths:
            synth.close()


def test_say_with_a_gpu_error_and_an_unexpected_bug(monkeypatch, tmp_path, capsys):
    import backend.tts.speak as speak

    def gpu_dies(*args, **kwargs):
        raise torch.AcceleratorError(ILLEGAL)

    monkeypatch.setattr(speak, "speak_chunks_to_wav", gpu_dies)
    assert cli.main(["say", "Hello there.", "-o", str(tmp_path / "x.wav")]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the log lines (the voice, the CPU mode)
    assert last.startswith("Error: The GPU reported a fatal error (CUDA error: an illegal memory access") and "Traceback" not in err

    def bug(*args, **kwargs):
        return {}["missing"]

    monkeypatch.setattr(speak, "speak_chunks_to_wav", bug)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert cli.main(["say", "Hello there.", "-o", str(tmp_path / "x.wav")]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "Error: an unexpected problem stopped the program (KeyError: 'missing')" in err and "Traceback" not in err
    saved = next((tmp_path / "state").rglob("last-error.txt"))
    assert str(saved) in err and "Traceback" in saved.read_text() and "{}[\"missing\"]" in saved.read_text()
