"""The speech check's Whisper on a GPU holds memory outside PyTorch: CudaSession.reserve takes it
off the cap the voice's Auto batch size is fitted and tuned against (simulated device, real voice)."""

import re

from backend.gpu.session import CpuSession, CudaSession
from backend.settings import RenderSettings
from backend.tts.synth import Synthesizer
from tests.gpu.simulated_device import GiB, MiB, SimulatedDevice

TEXTS = ["Short.", "A sentence of a middling length, with a clause.",
         "A long sentence that goes on and on, past the quarry and the point, until the light comes on at dusk."]


def auto_size(reserved: int) -> tuple[int, list[str]]:
    device = SimulatedDevice(total=24 * GiB, cap=int(20 * GiB), weights=300 * MiB, bytes_per_frame=40 * MiB)
    synth = Synthesizer.load(None, cpu_streams=1)
    logs = []

    def run_on_gpu(items):
        device.run([len(it.ids) for it in items])
        return synth.synthesize_batch(items)

    session = CudaSession(synth, RenderSettings(batch_size="auto"), lambda level, m: logs.append(m), device, run_batch=run_on_gpu)
    session.reserve(reserved, "The speech check's Whisper")
    session.start(TEXTS)
    line = next(m for m in logs if m.startswith("Auto batch size: "))
    assert session.tuner.cap == session.memory.cap
    return int(re.match(r"Auto batch size: (\d+)", line)[1]), logs


def test_reserved_memory_shrinks_the_auto_batch_size():
    alone, _ = auto_size(0)
    shared, logs = auto_size(12 * GiB)
    assert any("holds 12288 MB of GPU memory" in m and "sized within 8.00 GB" in m for m in logs)
    assert shared < alone, (shared, alone)


def test_reserve_never_takes_more_than_three_quarters_and_is_nothing_on_the_cpu():
    device = SimulatedDevice(total=8 * GiB, cap=int(8 * GiB))
    session = CudaSession(object(), RenderSettings(batch_size=4), lambda level, m: None, device, run_batch=list)
    session.reserve(100 * GiB, "Whisper")
    assert session.memory.cap == 2 * GiB
    CpuSession(object(), 1, lambda level, m: None).reserve(1 * GiB, "Whisper")  # nothing to reserve on a CPU
