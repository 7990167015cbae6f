"""GPU listing and start-up lines without a GPU: the real NVML code path runs against a fake
pynvml module; only torch's CUDA state is patched where the text needs a usable CUDA."""

from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import pytest

from backend.gpu import gpu_info
from backend.gpu.gpu_info import GpuInfo, describe_startup, list_gpus, recommendation_line

GIB = 1024**3


@pytest.mark.parametrize(
    ("gib", "line"),
    [
        (8, "NOTE: For 8GB VRAM, recommended batch size is 2 (current: 3)"),
        (12, "NOTE: For 12GB VRAM, recommended batch size is 3 (current: 3)"),
        (16, "NOTE: For 16GB VRAM, recommended batch size is 5 (current: 3)"),
        (24, "NOTE: For 24GB VRAM, recommended batch size is 10 (current: 3)"),
        (23.6, "NOTE: For 24GB VRAM, recommended batch size is 10 (current: 3)"),  # as a 24 GB card reports
        (4, "NOTE: For 4GB VRAM, recommended batch size is 1 (current: 3)"),
    ],
)
def test_recommendation_line(gib, line):
    assert recommendation_line(int(gib * GIB), 3) == line


def test_recommendation_line_auto_batch():
    assert recommendation_line(12 * GIB, "auto").endswith("(current: auto)")


def test_list_gpus_on_this_machine():
    import torch

    gpus = list_gpus()
    if not torch.cuda.is_available():
        assert gpus == []
        return
    assert len(gpus) == torch.cuda.device_count()
    for gpu in gpus:  # NVML's figures, or torch's where NVML is missing
        props = torch.cuda.get_device_properties(gpu.index)
        assert gpu.name and gpu.total > 0 and abs(gpu.total - props.total_memory) < 0.05 * props.total_memory
        assert gpu.free is not None and 0 < gpu.free <= gpu.total


def test_describe_startup_cpu():
    lines = describe_startup("cpu", 1)
    assert "CPU" in lines[0] and "device 'cpu'" in lines[0]


def test_describe_startup_cuda_on_this_machine():
    import torch

    lines = describe_startup("cuda", 1)
    if torch.cuda.is_available():
        assert lines[0].startswith(f"GPU: {torch.cuda.get_device_name(0)} (cuda, ")
        assert any(line.startswith("VRAM: ") for line in lines) and any(line.startswith("NOTE: For ") for line in lines)
        return
    assert lines[0].startswith("No GPU: rendering on the CPU")
    if torch.version.cuda is None:
        assert "CPU-only build" in lines[1] and "--index-url" in lines[1]


def fake_pynvml(gpus, driver=b"550.54.14", fail_init=False):
    """A stand-in pynvml with the calls list_gpus makes; names as bytes like older pynvml."""
    module = types.ModuleType("pynvml")

    def init():
        if fail_init:
            raise RuntimeError("NVML Shared Library Not Found")

    module.nvmlInit = init
    module.nvmlShutdown = lambda: None
    module.nvmlSystemGetDriverVersion = lambda: driver
    module.nvmlDeviceGetCount = lambda: len(gpus)
    module.nvmlDeviceGetHandleByIndex = lambda i: gpus[i]
    module.nvmlDeviceGetName = lambda h: h["name"]
    module.nvmlDeviceGetMemoryInfo = lambda h: SimpleNamespace(total=h["total"], free=h["free"], used=h["total"] - h["free"])
    return module


TWO = [
    {"name": b"NVIDIA GeForce RTX 3060", "total": int(11.9 * GIB), "free": 10 * GIB},
    {"name": "NVIDIA GeForce RTX 4090", "total": int(23.6 * GIB), "free": 20 * GIB},
]


@pytest.fixture
def nvml(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("CUDA_DEVICE_ORDER", raising=False)
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(TWO))


@pytest.fixture
def cuda_usable(monkeypatch):
    """Only torch's verdict is faked; GPU facts still come from list_gpus (NVML)."""
    monkeypatch.setattr(gpu_info, "_torch_cuda_state", lambda: (True, "12.8", "2.13.0+cu128"))


def test_list_gpus_from_nvml(nvml):
    gpus = list_gpus()
    assert gpus == [
        GpuInfo(0, "NVIDIA GeForce RTX 3060", int(11.9 * GIB), 10 * GIB, "550.54.14", "nvml"),
        GpuInfo(1, "NVIDIA GeForce RTX 4090", int(23.6 * GIB), 20 * GIB, "550.54.14", "nvml"),
    ]


def test_nvml_error_falls_back(monkeypatch):
    import torch

    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(TWO, fail_init=True))
    gpus = list_gpus()
    if torch.cuda.is_available():  # torch's own listing
        assert len(gpus) == torch.cuda.device_count() and {g.source for g in gpus} == {"torch"}
    else:
        assert gpus == []


def test_cuda_visible_devices_renumbers(nvml, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    gpus = list_gpus()
    assert [(g.index, g.name) for g in gpus] == [(0, "NVIDIA GeForce RTX 4090")]


def test_describe_startup_second_gpu(nvml, cuda_usable):
    lines = describe_startup("cuda:1", "auto")
    text = "\n".join(lines)
    assert lines[0] == "GPU: NVIDIA GeForce RTX 4090 (cuda:1, 2 GPU(s) found)"
    assert "VRAM: 23.6 GB total, 20.0 GB free (device-wide, NVML)" in text
    assert "Driver: 550.54.14" in text
    assert "NOTE: For 24GB VRAM, recommended batch size is 10 (current: auto)" in lines
    assert "  cuda:0  NVIDIA GeForce RTX 3060  11.9 GB" in lines
    assert "  cuda:1  NVIDIA GeForce RTX 4090  23.6 GB  <- used (device setting cuda:1)" in lines
    assert "CUDA_DEVICE_ORDER=PCI_BUS_ID" in text  # different models: numbering may differ
    assert "NVML not available" not in text


def test_describe_startup_plain_cuda_uses_first(nvml, cuda_usable):
    lines = describe_startup("cuda", 3)
    assert lines[0].startswith("GPU: NVIDIA GeForce RTX 3060")
    assert "NOTE: For 12GB VRAM, recommended batch size is 3 (current: 3)" in lines


def test_describe_startup_missing_index(nvml, cuda_usable):
    lines = describe_startup("cuda:5", 3)
    assert lines[0] == "GPU cuda:5 not found: 2 GPU(s) visible"


def test_describe_startup_torch_source_notes_missing_nvml(monkeypatch, cuda_usable):
    torch_gpu = [GpuInfo(0, "Fake GPU", 8 * GIB, 6 * GIB, None, "torch")]
    monkeypatch.setattr(gpu_info, "list_gpus", lambda probe=None: torch_gpu)
    lines = describe_startup("cuda:0", 2)
    assert "VRAM: 8.0 GB total, 6.0 GB free (from torch)" in lines
    assert lines[-1].startswith("NVML not available")
    assert not any(line.startswith("Driver") for line in lines)


def test_auto_without_a_gpu_explains_why():
    from backend.gpu.gpu_info import describe_startup

    lines = describe_startup("cpu", 1, requested="auto")
    assert lines[0] == "No GPU: rendering on the CPU (device 'auto' found no usable CUDA GPU)"
    assert len(lines) >= 2  # and why: a CPU-only PyTorch build, or no driver


def test_cuda_build_that_cannot_reach_the_gpu_says_why(monkeypatch):
    """A CUDA build of PyTorch with is_available() False: an old driver or hidden GPUs, or no driver."""
    from tests.gpu.fake_cuda import FakeCard, FakeCuda

    monkeypatch.setattr(gpu_info, "_torch_cuda_state", lambda: (False, "12.8", "2.13.0+cu128"))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setitem(sys.modules, "pynvml", FakeCuda([FakeCard("NVIDIA GeForce GTX 1080", 8 * GIB)]).pynvml())
    lines = describe_startup("cuda", 1)
    assert lines[0] == "No GPU: rendering on the CPU (CUDA was requested but is not available)"
    assert lines[1].startswith("PyTorch is built for CUDA 12.8 and NVML sees 1 GPU(s) (driver 560.35.03)")
    assert "driver may be too old" in lines[1]
    monkeypatch.setitem(sys.modules, "pynvml", FakeCuda([], nvml=False).pynvml())
    assert describe_startup("cuda", 1)[1] == "PyTorch is built for CUDA 12.8 but no NVIDIA driver/GPU was found"


def test_listing_falls_back_to_torch_for_uuid_devices_and_nvml_errors(monkeypatch):
    from tests.gpu.fake_cuda import FakeCard, FakeCuda

    fake = FakeCuda([FakeCard("NVIDIA L4", int(22.5 * GIB)), FakeCard("NVIDIA L4", int(22.5 * GIB))]).install(monkeypatch)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-5b6f0e1c-0000-1111-2222-333344445555")  # UUIDs: NVML's order unknown
    gpus = list_gpus(probe=[1])
    assert [(g.index, g.source, g.free is None) for g in gpus] == [(0, "torch", True), (1, "torch", False)]
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")

    def lost(handle):
        raise sys.modules["pynvml"].NVMLError("GPU is lost")

    monkeypatch.setattr(sys.modules["pynvml"], "nvmlDeviceGetMemoryInfo", lost)
    assert {g.source for g in list_gpus()} == {"torch"}

    def broken():
        raise RuntimeError("CUDA error: initialization error")

    monkeypatch.setattr("torch.cuda.device_count", broken)
    assert list_gpus() == []  # never raises
    assert fake.cards[0].fraction is None
