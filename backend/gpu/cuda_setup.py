"""CUDA set-up in two steps: the allocator environment BEFORE `import torch`, then per-process
settings (VRAM cap, cuDNN, TF32) after it. Facts behind the choices: DESIGN.md, "GPU memory".

Nothing here imports torch at module level: configure_allocator_env() must run before torch is
imported (the CLI and the window call it first thing), and it only works if torch is not loaded.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import MutableMapping

# PyTorch >= 2.9 reads PYTORCH_ALLOC_CONF first; PYTORCH_CUDA_ALLOC_CONF is deprecated but some keys
# are still read from it, so both must carry the same string.
ALLOC_VARS = ("PYTORCH_ALLOC_CONF", "PYTORCH_CUDA_ALLOC_CONF")

# Linux only (warns and does nothing elsewhere). No max_split_size_mb: with expandable segments
# it is nearly useless.
LINUX_ALLOC_CONF = "expandable_segments:True"

GIB = 1024**3
# (floor in GB, cap fraction): the cap leaves headroom for the desktop and other processes.
CAP_TIERS = ((24, 0.95), (12, 0.90))
CAP_LOW = 0.85
MARKETED_TOLERANCE = 0.95  # cards sold as 24 GB report ~23.6 GiB


def torch_already_imported() -> bool:
    return "torch" in sys.modules


def configure_allocator_env(environ: MutableMapping[str, str] | None = None, platform: str | None = None) -> list[str]:
    """Set the CUDA caching-allocator variables; returns log lines. Never overrides the user's value."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    primary, legacy = ALLOC_VARS
    lines: list[str] = []
    if torch_already_imported():
        lines.append(
            "WARNING: torch was imported before the allocator was configured: "
            f"{primary}/{legacy} may not take effect any more (set them before importing torch)"
        )

    # An empty value configures nothing, so it does not count as a user choice.
    user = {name: env[name] for name in ALLOC_VARS if env.get(name, "").strip()}
    if len(user) == 2:
        if user[primary] == user[legacy]:
            lines.append(f"Allocator: using your {primary}={user[primary]} (both variables agree)")
        else:
            lines.append(
                f"WARNING: Allocator: your {primary}={user[primary]} and {legacy}={user[legacy]} differ; "
                f"both left as set. PyTorch >= 2.9 reads {primary} first ({legacy} is deprecated): "
                "set both to the same string"
            )
        return lines + _value_notes(user[primary], plat)
    if len(user) == 1:
        ((name, value),) = user.items()
        other = legacy if name == primary else primary
        env[other] = value  # copy so both agree; the user's value wins
        lines.append(f"Allocator: using your {name}={value} for both variables (copied to {other})")
        return lines + _value_notes(value, plat)

    if not plat.startswith("linux"):
        lines.append(f"Allocator: PyTorch defaults (expandable_segments is supported on Linux only, not on {plat})")
        return lines
    for name in ALLOC_VARS:
        env[name] = LINUX_ALLOC_CONF
    lines.append(f"Allocator: {LINUX_ALLOC_CONF} (set for {primary} and {legacy})")
    return lines


def _value_notes(value: str, plat: str) -> list[str]:
    """Hints for a user-set value that will not do what it seems to."""
    notes = []
    if "expandable_segments:true" in value.lower().replace(" ", ""):
        if not plat.startswith("linux"):
            notes.append(f"Allocator note: expandable_segments is ignored on {plat} (Linux only)")
        elif "max_split_size_mb" in value:
            notes.append("Allocator note: max_split_size_mb does almost nothing together with expandable_segments")
    return notes


def cap_fraction_for(total_bytes: int | None, override_percent: int | None) -> tuple[float, str]:
    """The per-process VRAM cap (fraction) and why: the user's percent, else the tier of the card."""
    if override_percent is not None:
        if 1 <= override_percent <= 100:
            return override_percent / 100, "your setting"
        invalid = f"; ignored invalid setting {override_percent}%"
    else:
        invalid = ""
    if not total_bytes:
        return CAP_LOW, f"VRAM size unknown{invalid}"
    gb = total_bytes / GIB
    for floor, fraction in CAP_TIERS:
        if gb >= floor * MARKETED_TOLERANCE:
            return fraction, f"tier {floor} GB+{invalid}"
    return CAP_LOW, f"tier under 12 GB{invalid}"


def configure_torch(
    device: str, vram_limit_percent: int | None, total_bytes: int | None, bucketed_lengths: bool = False
) -> tuple[float | None, list[str]]:
    """Per-process CUDA settings after `import torch`. Returns (cap fraction or None on CPU, log lines)."""
    if not device.startswith("cuda"):
        return None, ["CPU mode: no CUDA settings applied"]
    import torch

    if not torch.cuda.is_available():
        return None, [f"CUDA not available (device {device!r} requested): no CUDA settings applied"]
    index = torch.device(device).index
    if index is None:
        index = torch.cuda.current_device()
    if not total_bytes:
        total_bytes = int(torch.cuda.get_device_properties(index).total_memory)

    fraction, why = cap_fraction_for(total_bytes, vram_limit_percent)
    # A cap on reserved memory (OOM above it), not a grant: it keeps headroom for the desktop.
    torch.cuda.set_per_process_memory_fraction(fraction, index)
    lines = [f"VRAM cap: {round(fraction * 100)}% of {total_bytes / GIB:.1f} GB ({why})"]

    # Benchmark mode re-tunes (time and VRAM) for every new input shape: only worth it when
    # lengths are bucketed to a few padded shapes.
    torch.backends.cudnn.benchmark = bool(bucketed_lengths)
    lines.append(
        "cuDNN benchmark: on (bucketed lengths)"
        if bucketed_lengths
        else "cuDNN benchmark: off (variable lengths would re-tune per shape)"
    )
    torch.use_deterministic_algorithms(False)
    lines.append("Deterministic algorithms: off (faster kernels)")
    lines.append(allow_tf32(torch))
    return fraction, lines


def allow_tf32(torch) -> str:
    """Allow TF32 for matmul and cuDNN; returns the log line.

    The legacy allow_tf32 flags are used on purpose: in torch 2.13 they emit no warning and keep
    both APIs readable. Setting the new fp32_precision API instead makes every later legacy read
    (torch.get_float32_matmul_precision(), which torch.compile/inductor calls, or
    backends.cuda.matmul.allow_tf32) raise "mix of the legacy and new APIs". Should a future torch
    deprecate the legacy flags, switch to the new API (warning-free there)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    deprecated = [w for w in caught if issubclass(w.category, (DeprecationWarning, FutureWarning))]
    if deprecated and hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32"
        torch.backends.cudnn.conv.fp32_precision = "tf32"
        torch.backends.cudnn.rnn.fp32_precision = "tf32"
        return "TF32: allowed for matmul and cuDNN (fp32_precision API)"
    for w in caught:  # anything else is not ours to swallow
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return "TF32: allowed for matmul and cuDNN (allow_tf32 flags)"
