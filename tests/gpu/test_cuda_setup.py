"""CUDA set-up without a GPU: the allocator env in a subprocess (it must run before torch is
imported), the cap tiers as a pure function, and the CPU path of configure_torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.gpu.cuda_setup import ALLOC_VARS, cap_fraction_for, configure_allocator_env, configure_torch

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024**3
PRIMARY, LEGACY = ALLOC_VARS
DEFAULT = "expandable_segments:True"

# Configure, then import torch: the values must be in place before the import and unchanged after.
CHILD = """
import json, os, sys
from backend.gpu.cuda_setup import ALLOC_VARS, configure_allocator_env, torch_already_imported
if sys.argv[1] == "torch-first":
    import torch
before_import = torch_already_imported()
lines = configure_allocator_env(platform="linux")
before = {k: os.environ.get(k) for k in ALLOC_VARS}
import torch
after = {k: os.environ.get(k) for k in ALLOC_VARS}
print(json.dumps({"lines": lines, "before": before, "after": after, "torch_first": before_import}))
"""


def run_child(env_vars: dict[str, str], mode: str = "normal") -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ALLOC_VARS}
    env.update(env_vars)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["before"] == result["after"]  # importing torch changes nothing
    return result


def test_subprocess_linux_default_sets_both_before_import():
    result = run_child({})
    assert result["before"] == {PRIMARY: DEFAULT, LEGACY: DEFAULT}
    assert result["torch_first"] is False
    assert result["lines"] == [f"Allocator: {DEFAULT} (set for {PRIMARY} and {LEGACY})"]


def test_subprocess_user_legacy_value_kept_and_copied():
    result = run_child({LEGACY: "garbage_collection_threshold:0.8"})
    assert result["before"] == {PRIMARY: "garbage_collection_threshold:0.8", LEGACY: "garbage_collection_threshold:0.8"}
    assert "using your PYTORCH_CUDA_ALLOC_CONF=garbage_collection_threshold:0.8 for both variables" in result["lines"][0]


def test_subprocess_warns_when_torch_imported_first():
    result = run_child({}, mode="torch-first")
    assert result["torch_first"] is True
    assert result["lines"][0].startswith("WARNING: torch was imported before")
    assert result["before"] == {PRIMARY: DEFAULT, LEGACY: DEFAULT}


def test_linux_default_plain_dict():
    env: dict[str, str] = {}
    lines = configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: DEFAULT, LEGACY: DEFAULT}
    assert any("expandable_segments:True (set for PYTORCH_ALLOC_CONF and PYTORCH_CUDA_ALLOC_CONF)" in line for line in lines)
    assert "max_split_size_mb" not in env[PRIMARY]


def test_user_primary_kept_and_copied():
    env = {PRIMARY: "expandable_segments:False"}
    lines = configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: "expandable_segments:False", LEGACY: "expandable_segments:False"}
    assert any("using your PYTORCH_ALLOC_CONF=expandable_segments:False for both variables" in line for line in lines)


def test_user_legacy_kept_and_copied():
    env = {LEGACY: "max_split_size_mb:512"}
    configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: "max_split_size_mb:512", LEGACY: "max_split_size_mb:512"}


def test_both_set_differently_left_alone_with_warning():
    env = {PRIMARY: "expandable_segments:True", LEGACY: "max_split_size_mb:128"}
    lines = configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: "expandable_segments:True", LEGACY: "max_split_size_mb:128"}
    warning = next(line for line in lines if line.startswith("WARNING") and "differ" in line)
    assert "differ" in warning and "reads PYTORCH_ALLOC_CONF first" in warning


def test_both_set_equal_is_quiet():
    env = {PRIMARY: DEFAULT, LEGACY: DEFAULT}
    lines = configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: DEFAULT, LEGACY: DEFAULT}
    assert not any(line.startswith("WARNING") and "differ" in line for line in lines)


def test_empty_value_is_not_a_user_choice():
    env = {PRIMARY: ""}
    configure_allocator_env(env, platform="linux")
    assert env == {PRIMARY: DEFAULT, LEGACY: DEFAULT}


def test_max_split_with_expandable_gets_a_note():
    env = {PRIMARY: "expandable_segments:True,max_split_size_mb:256"}
    lines = configure_allocator_env(env, platform="linux")
    assert any("max_split_size_mb does almost nothing" in line for line in lines)


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_set_nothing(platform):
    env: dict[str, str] = {}
    lines = configure_allocator_env(env, platform=platform)
    assert env == {}
    assert any("Linux only" in line for line in lines)


def test_windows_user_value_still_copied_and_flagged():
    env = {LEGACY: "expandable_segments:True"}
    lines = configure_allocator_env(env, platform="win32")
    assert env[PRIMARY] == "expandable_segments:True"
    assert any("ignored on win32" in line for line in lines)


@pytest.mark.parametrize(
    ("gib", "fraction", "tier"),
    [
        (8, 0.85, "tier under 12 GB"),
        (11.9, 0.90, "tier 12 GB+"),  # a 12 GB card reporting a bit less
        (12, 0.90, "tier 12 GB+"),
        (16, 0.90, "tier 12 GB+"),
        (23.6, 0.95, "tier 24 GB+"),  # a 24 GB card as reported
        (24, 0.95, "tier 24 GB+"),
        (48, 0.95, "tier 24 GB+"),
    ],
)
def test_cap_tiers(gib, fraction, tier):
    assert cap_fraction_for(int(gib * GIB), None) == (fraction, tier)


def test_cap_override_and_invalid_override():
    assert cap_fraction_for(12 * GIB, 80) == (0.8, "your setting")
    assert cap_fraction_for(None, 70) == (0.7, "your setting")
    fraction, why = cap_fraction_for(12 * GIB, 150)
    assert fraction == 0.90 and "ignored invalid setting 150%" in why
    assert cap_fraction_for(None, None)[0] == 0.85


def test_configure_torch_cpu():
    assert configure_torch("cpu", None, None) == (None, ["CPU mode: no CUDA settings applied"])
    assert configure_torch("cpu", 80, 24 * GIB, bucketed_lengths=True) == (None, ["CPU mode: no CUDA settings applied"])


def test_allow_tf32_keeps_both_apis_readable():
    """In a subprocess (global flags): no warning, and the legacy readers torch.compile uses still work."""
    code = (
        "import warnings, torch\n"
        "warnings.simplefilter('error')\n"
        "from backend.gpu.cuda_setup import allow_tf32\n"
        "print(allow_tf32(torch))\n"
        "print(torch.get_float32_matmul_precision(), torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line, readback = out.stdout.strip().splitlines()[-2:]
    assert line.startswith("TF32: allowed")
    assert readback == "high True True"


def test_configure_torch_when_cuda_was_asked_for(monkeypatch):
    import torch

    if torch.cuda.is_available():
        try:
            assert configure_torch("cuda:0", 90, None)[0] == 0.9
        finally:
            torch.cuda.set_per_process_memory_fraction(1.0, 0)
        return
    fraction, lines = configure_torch("cuda:0", None, None)
    assert fraction is None and lines == ["CUDA not available (device 'cuda:0' requested): no CUDA settings applied"]


def test_allow_tf32_on_a_torch_that_deprecates_the_flags():
    """A future torch that warns on the legacy flags: the fp32_precision API is used instead."""
    import types
    import warnings

    from backend.gpu.cuda_setup import allow_tf32

    class Deprecated:
        def __init__(self):
            self.__dict__["fp32_precision"] = "ieee"

        def __setattr__(self, name, value):
            if name == "allow_tf32":
                warnings.warn("allow_tf32 is deprecated, use fp32_precision", FutureWarning, stacklevel=2)
            self.__dict__[name] = value

    matmul, conv, rnn, cudnn = Deprecated(), Deprecated(), Deprecated(), Deprecated()
    cudnn.__dict__.update(conv=conv, rnn=rnn)
    fake_torch = types.SimpleNamespace(backends=types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=matmul), cudnn=cudnn))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing leaks out to the user
        assert allow_tf32(fake_torch) == "TF32: allowed for matmul and cuDNN (fp32_precision API)"
    assert matmul.fp32_precision == conv.fp32_precision == rnn.fp32_precision == "tf32"
