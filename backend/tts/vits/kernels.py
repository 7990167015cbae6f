"""Which kernels a tensor gets: the CPU-tuned ones or the ones meant for a GPU.

On the CPU the model takes paths tuned for few cores: one chunk's decoder as GEMMs on rows,
channels-last convs, a tiled tail, tanh through sigmoid. On CUDA it runs plain padded-batch
convs. Every such choice asks `cpu_kernels(x)`, so `cuda_kernels_on_cpu()` can make CPU tensors
take the CUDA branches: the GPU code then runs (and is tested) on machines without a GPU.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import torch

_forced = threading.Event()  # process-wide: CPU stream threads see it too


def cpu_kernels(x: torch.Tensor | torch.device) -> bool:
    """True when `x` should get the CPU-tuned kernels."""
    on_cpu = x.type == "cpu" if isinstance(x, torch.device) else x.is_cpu
    return on_cpu and not _forced.is_set()


def cuda_branches_forced() -> bool:
    return _forced.is_set()


@contextmanager
def cuda_kernels_on_cpu() -> Iterator[None]:
    """Run the CUDA branches of the model on CPU tensors while inside (tests, benches)."""
    was = _forced.is_set()
    _forced.set()
    try:
        yield
    finally:
        if not was:
            _forced.clear()
