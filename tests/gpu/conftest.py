"""configure_torch sets process-wide torch flags for real (cuDNN benchmark, TF32, deterministic
algorithms): every GPU test gets them back as they were. And the small book and the one-pass
CPU synthesizer the fake-CUDA renders share."""

import pytest
import torch

from tests.render.test_engine import BOOK


@pytest.fixture(scope="session")
def cpu_synth():
    """A real synthesizer rendering a batch as one padded pass, as a GPU does (OnFakeCuda wraps it)."""
    from backend.tts.synth import Synthesizer

    return Synthesizer.load(cpu_streams=1)


@pytest.fixture()
def book(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def restore_torch_flags():
    saved = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
             torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    yield
    torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved[:3]
    torch.use_deterministic_algorithms(saved[3], warn_only=saved[4])
