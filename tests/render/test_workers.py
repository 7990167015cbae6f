"""Local worker processes (backend/render/workers.py, worker_process.py, dispatch.py): which workers
a render gets, and real renders on two CPU worker processes against one process."""

import os
import signal
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderFailed, RenderStopped
from backend.render.workers import plan_local_workers, worker_environment
from backend.settings import RenderSettings
from tests.render.test_engine import BOOK, Recorder


def test_auto_is_one_process_on_a_cpu_or_one_gpu():
    s = RenderSettings()
    assert plan_local_workers(s, "cpu", 0, 2) == []
    assert plan_local_workers(s, "cuda", 1, 16) == []
    assert plan_local_workers(s, "cuda:1", 4, 16) == []  # one GPU chosen: it alone


def test_auto_gives_one_worker_per_gpu_each_seeing_its_own():
    specs = plan_local_workers(RenderSettings(batch_size="auto"), "cuda", 3, 16)
    assert [s.label for s in specs] == ["GPU 0", "GPU 1", "GPU 2"]
    assert [worker_environment(s) for s in specs] == [{"CUDA_VISIBLE_DEVICES": str(i)} for i in range(3)]
    assert all(s.settings.device == "cuda" and s.settings.batch_size == "auto" for s in specs)


def test_more_workers_than_gpus_or_a_chosen_gpu_is_refused_clearly():
    with pytest.raises(ValueError, match="this machine has 2 GPUs.*at most 2"):
        plan_local_workers(RenderSettings(workers=3), "cuda", 2, 16)
    with pytest.raises(ValueError, match="need the device 'cuda'.*CUDA_VISIBLE_DEVICES"):
        plan_local_workers(RenderSettings(workers=2), "cuda:0", 2, 16)
    with pytest.raises(ValueError, match="workers must be 1 to 64"):
        RenderSettings(workers=0)


def test_cpu_workers_share_the_cores_one_chunk_at_a_time():
    specs = plan_local_workers(RenderSettings(workers=2, cpu_streams=2, batch_size=4), "cpu", 0, 8)
    assert [s.label for s in specs] == ["CPU 1", "CPU 2"] and all(s.threads == 4 for s in specs)
    assert all(s.settings.cpu_streams == 1 and s.settings.batch_size == 1 for s in specs)
    assert worker_environment(specs[0]) == {"OMP_NUM_THREADS": "4"}
    assert plan_local_workers(RenderSettings(workers=1), "cpu", 0, 8) == []


@pytest.fixture()
def book(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


def _settings(tmp_path, name, **kw):
    return RenderSettings(device="cpu", max_chars=60, cache_dir=str(tmp_path / name), precision="float32",
                          cpu_streams=2, outputs=[], master="off", **kw)


def _chapters(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.flac"))]


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """The reference: the same book rendered in one process with two CPU streams."""
    tmp = tmp_path_factory.mktemp("one")
    path = tmp / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    AudioEngine(RenderJob(path, tmp / "out", _settings(tmp, "cache", workers=1)), Recorder()).run()
    return _chapters(tmp / "out")


def _same(a, b):
    assert len(a) == len(b) == 2 and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_two_cpu_workers_give_the_samples_of_one_process(tmp_path, book, one_process):
    events = Recorder()
    summary = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", workers=2)), events).run()
    _same(_chapters(tmp_path / "out"), one_process)
    assert summary.rendered == summary.chunks == len(events.batches)
    assert {b.device for b in events.batches} == {"CPU 1", "CPU 2"}  # both worked, each named in its lines
    assert all(b.line.split("] ")[1].startswith(("CPU 1 Batch", "CPU 2 Batch")) for b in events.batches)
    assert any("Rendering on 2 CPU worker processes, 1 thread each" in m for _, m in events.logs)
    render = [p for p in events.progress_events if p.stage == "render"]
    assert render[-1].done == render[-1].total == summary.chunks and render[-1].eta == 0


def test_a_worker_that_dies_loses_only_its_batch(tmp_path, book, one_process):
    events = Recorder()
    engine = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", workers=2)), events)
    killed = []

    def kill_first_worker(report):
        Recorder.batch_done(events, report)
        if not killed:
            proc = engine.pool._procs[0]
            os.kill(proc.pid, signal.SIGKILL)
            killed.append(proc.pid)

    events.batch_done = kill_first_worker
    summary = engine.run()
    _same(_chapters(tmp_path / "out"), one_process)
    assert summary.rendered == summary.chunks
    assert any(level == "warning" and "CPU 1 stopped: its process ended unexpectedly" in m for level, m in events.logs)
    assert {b.device for b in events.batches[1:]} >= {"CPU 2"}


def test_stop_then_resume_on_workers_equals_one_process(tmp_path, book, one_process):
    events = Recorder()
    job = RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", workers=2))
    engine = AudioEngine(job, events)
    events.cancel, events.cancel_after = engine.cancel, 2
    with pytest.raises(RenderStopped):
        engine.run()
    done = len(events.batches)
    assert 2 <= done < 8
    again = Recorder()
    summary = AudioEngine(job, again).run()
    assert summary.reused == done and summary.rendered == summary.chunks - done
    assert any(m.startswith(f"Resuming: {done} of ") for _, m in again.logs)
    _same(_chapters(tmp_path / "out"), one_process)


def test_when_every_worker_dies_the_render_fails_with_one_message(tmp_path, book):
    events = Recorder()
    engine = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", workers=2)), events)

    def kill_all(report):
        Recorder.batch_done(events, report)
        for proc in engine.pool._procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)

    events.batch_done = kill_all
    with pytest.raises(RenderFailed, match="Every worker stopped.*run the render again to resume"):
        engine.run()
    assert events.failure and "Traceback" not in events.failure
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.flac"))


def test_the_workers_setting_round_trips_through_a_copy():
    s = replace(RenderSettings(), workers=4, cluster="10.0.0.1:6379")
    assert s.to_dict()["workers"] == 4 and s.to_dict()["cluster"] == "10.0.0.1:6379"
