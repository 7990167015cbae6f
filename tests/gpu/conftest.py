"""configure_torch sets process-wide torch flags for real (cuDNN benchmark, TF32, deterministic
algorithms): every GPU test gets them back as they were."""

import pytest
import torch


@pytest.fixture(autouse=True)
def restore_torch_flags():
    saved = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
             torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    yield
    torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved[:3]
    torch.use_deterministic_algorithms(saved[3], warn_only=saved[4])
