"""Out-of-memory recovery for batched rendering: split the batch, retry, lower the working size.

DESIGN.md facts this builds on: torch.cuda.OutOfMemoryError is a RuntimeError; the exception's
traceback pins the frames and their tensors, so recovery happens *outside* the except block;
the allocator already freed its cache and retried before raising, so empty_cache() after an OOM
buys nothing; sticky CUDA errors leave the context unusable and need a restart.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Log = Callable[[str, str], None]  # (level, message)

# Message forms of an OOM that do not arrive as torch.cuda.OutOfMemoryError (cuBLAS workspace,
# driver-level allocations, older torch). "out of memory" covers "CUDA out of memory" too.
_OOM_MARKERS = (
    "cublas_status_alloc_failed",
    "cuda driver error: out of memory",
    "cuda out of memory",
    "out of memory",
)

# After these the CUDA context is corrupt: every later call fails, so retrying is pointless.
_STICKY_MARKERS = (
    "illegal memory access",
    "unspecified launch failure",
    "device-side assert triggered",
    "misaligned address",
    "illegal instruction",
    "uncorrectable ecc error",
    "the launch timed out and was terminated",
)


def is_oom(exc: BaseException) -> bool:
    """True for a GPU out-of-memory error in any of the forms torch raises."""
    torch = sys.modules.get("torch")  # not imported yet -> it cannot have raised its own OOM
    if torch is not None and isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    if not isinstance(exc, RuntimeError):
        return False
    message = str(exc).lower()
    return any(marker in message for marker in _OOM_MARKERS)


def is_sticky_cuda_error(exc: BaseException) -> bool:
    """True for errors after which the CUDA context is unusable until the process restarts."""
    if not isinstance(exc, RuntimeError):  # torch.AcceleratorError is a RuntimeError too
        return False
    message = str(exc).lower()
    return any(marker in message for marker in _STICKY_MARKERS)


# Any other error that comes from the CUDA runtime, cuDNN or cuBLAS. Outside a batch nothing can
# be retried, and after most of these the context is suspect: the render stops and asks for a restart.
_CUDA_MARKERS = ("cuda error", "cudnn_status", "cudnn error", "cublas_status", "cuda driver error", "cufft_", "nvrtc")


def is_cuda_error(exc: BaseException) -> bool:
    """True for an error raised by CUDA (torch.AcceleratorError or the runtime's message forms)."""
    if not isinstance(exc, RuntimeError):
        return False
    torch = sys.modules.get("torch")
    accelerator_error = getattr(torch, "AcceleratorError", None) if torch is not None else None
    if accelerator_error is not None and isinstance(exc, accelerator_error):
        return True
    message = str(exc).lower()
    return is_sticky_cuda_error(exc) or any(marker in message for marker in _CUDA_MARKERS)


_RESUME = "Everything rendered so far is kept."


class GpuFailure(RuntimeError):
    """A GPU error the render cannot recover from by itself: stop cleanly, keep the cache, say
    what to do. `stage` says where it happened (warm-up, voice loading...)."""

    headline = "The GPU failed"
    advice = "Press Start to resume."

    def __init__(self, detail: str, stage: str | None = None):
        self.detail = detail
        self.stage = stage
        during = f" during {stage}" if stage else ""
        super().__init__(f"{self.headline}{during} ({detail}). {_RESUME} {self.advice}")


class StickyCudaError(GpuFailure):
    """A fatal GPU error: the CUDA context is unusable until the process restarts."""

    headline = "The GPU reported a fatal error"
    advice = "Restart the app and press Start to resume."


class GpuMemoryError(GpuFailure):
    """Out of GPU memory where the work cannot be split (voice loading, GPU set-up)."""

    headline = "The GPU ran out of memory"
    advice = ("Close other programs that use the GPU, or choose the CPU (Advanced Settings > Device, or --device cpu), "
              "and press Start to resume.")


def as_gpu_failure(exc: BaseException, stage: str | None = None) -> RuntimeError | None:
    """The clear error to show for a GPU error raised outside the batch loop, or None when `exc`
    did not come from the GPU."""
    if isinstance(exc, GpuFailure):
        if exc.stage is None and stage is not None:
            return type(exc)(exc.detail, stage)  # raised in a batch: say where
        return exc
    if is_oom(exc):
        return GpuMemoryError(_first_line(exc), stage)
    if is_cuda_error(exc):
        return StickyCudaError(_first_line(exc), stage)
    return None


@dataclass
class BatchState:
    batch_size: int  # the working size: lowered on OOM, changed by the tuner
    max_batch_size: int
    oom_recoveries: int = 0  # OOMs caught and recovered from (a split or a CPU fallback)
    cpu_fallbacks: int = 0
    sizes_used: list[int] = field(default_factory=list)  # size of every batch that ran on the GPU


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _attempt(items: list[T], run: Callable[[list[T]], list[R]]) -> tuple[list[R] | None, bool]:
    """Run once. Returns (outputs, False) or (None, True) on OOM, holding no reference to the
    exception: once this returns, its traceback and the tensors it pinned are gone."""
    oom = False
    try:
        outputs = run(items)
    except Exception as exc:
        if is_sticky_cuda_error(exc):
            raise StickyCudaError(_first_line(exc)) from exc
        if not is_oom(exc):
            raise
        oom = True  # only a flag leaves the block; `exc` is deleted when it ends
    if oom:
        return None, True
    if len(outputs) != len(items):
        raise ValueError(f"batch of {len(items)} chunks returned {len(outputs)} results")
    return outputs, False


def _pieces(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def run_with_oom_recovery(
    items: list[T],
    run: Callable[[list[T]], list[R]],
    run_on_cpu: Callable[[list[T]], list[R]],
    state: BatchState,
    log: Log,
    on_oom: Callable[[], None] | None = None,
) -> list[R]:
    """Render `items` with `run`; on OOM split in halves and retry, in input order.

    Every item comes back exactly once. A single chunk that still does not fit is rendered by
    `run_on_cpu`. `on_oom` runs after each OOM, outside the except block (the engine's gc hook).
    """
    if not items:
        return []
    outputs, oom = _attempt(items, run)
    if not oom:
        state.sizes_used.append(len(items))
        return outputs  # type: ignore[return-value]

    # Outside the except block now: the failed attempt's partial tensors have been released.
    if on_oom is not None:
        on_oom()
    state.oom_recoveries += 1

    if len(items) == 1:
        log("warning", "Chunk did not fit in VRAM even alone; rendered on the CPU")
        state.cpu_fallbacks += 1
        result = run_on_cpu(items)
        if len(result) != 1:
            raise ValueError(f"CPU render of 1 chunk returned {len(result)} results")
        return result

    half = (len(items) + 1) // 2
    lowered = state.batch_size > half
    state.batch_size = max(1, min(state.batch_size, half))
    message = f"Out of GPU memory with {len(items)} chunks: retrying as {half} + {len(items) - half}"
    if lowered:
        message += f"; batch size lowered to {state.batch_size}"
    log("warning", message)

    results: list[R] = []
    for part in (items[:half], items[half:]):
        # An earlier part may have lowered the size further: don't retry a size known to fail.
        for piece in _pieces(part, max(1, state.batch_size)):
            results.extend(run_with_oom_recovery(piece, run, run_on_cpu, state, log, on_oom))
    return results
