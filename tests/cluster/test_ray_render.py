"""Rendering on a real local Ray instance (ray.init(num_cpus=2)): the same samples as a local
render, an actor killed mid-render, a driver killed and run again."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from tests.render.test_engine import BOOK, Recorder

ROOT = Path(__file__).resolve().parents[2]
LONGER = BOOK + "\n\n" + BOOK.replace("Chapter 1", "Chapter 3").replace("Chapter 2", "Chapter 4").replace("Mara", "Ines")


def _settings(tmp_path, name, **kw):
    return RenderSettings(device="cpu", max_chars=60, cache_dir=str(tmp_path / name), precision="float32",
                          cpu_streams=2, outputs=[], master="off", **kw)


def _chapters(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.flac"))]


def _book(tmp_path, text=BOOK):
    path = tmp_path / "ferry.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _local(tmp_path, book):
    AudioEngine(RenderJob(book, tmp_path / "local", _settings(tmp_path, "local cache", workers=1)), Recorder()).run()
    return _chapters(tmp_path / "local")


def _same(a, b):
    assert len(a) == len(b) >= 2 and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_a_render_on_ray_gives_the_samples_of_a_local_render(tmp_path, local_ray):
    book = _book(tmp_path)
    events = Recorder()
    summary = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", cluster="auto")), events).run()
    _same(_chapters(tmp_path / "out"), _local(tmp_path, book))
    assert summary.rendered == summary.chunks == len(events.batches)
    logs = [m for _, m in events.logs]
    assert "Ray cluster: 1 node(s), 2 CPUs, 0 GPUs" in logs and "Rendering on the Ray cluster: 2 CPU actors" in logs
    node = local_ray.util.get_node_ip_address()
    assert {b.device for b in events.batches} == {f"{node} CPU 1", f"{node} CPU 2"}  # batch lines name node and worker
    assert all(re.search(rf"\] {re.escape(node)} CPU \d Batch \d+ \(1 chunk\)", b.line) for b in events.batches)


def test_an_actor_killed_mid_render_costs_only_its_batch(tmp_path, local_ray):
    book = _book(tmp_path, LONGER)
    events = Recorder()
    engine = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", cluster="auto")), events)
    killed = []

    def kill_an_actor(report):
        Recorder.batch_done(events, report)
        if len(events.batches) == 2:
            local_ray.kill(engine.pool.actors[0], no_restart=False)  # Ray restarts it and retries its batch
            killed.append(True)

    events.batch_done = kill_an_actor
    summary = engine.run()
    assert killed and summary.reused == 0 and summary.rendered == len(events.batches)  # every chunk once, none lost
    _same(_chapters(tmp_path / "out"), _local(tmp_path, book))


def _cli(book, out, cache, address):
    return [sys.executable, "-m", "backend.cli", "render", str(book), "-o", str(out), "--cache-dir", str(cache),
            "--device", "cpu", "--precision", "float32", "--max-chars", "60", "--outputs", "", "--master", "off",
            "--cluster", address]


def test_a_killed_driver_resumes_from_the_cache(tmp_path, local_ray):
    book = _book(tmp_path, LONGER)
    address = local_ray.get_runtime_context().gcs_address
    proc = subprocess.Popen(_cli(book, tmp_path / "out", tmp_path / "cache", address), cwd=ROOT,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if re.search(r" Batch 3 \(", line):
            proc.send_signal(signal.SIGKILL)
            break
    proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    again = subprocess.run(_cli(book, tmp_path / "out", tmp_path / "cache", address), cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    resumed = re.search(r"Resuming: (\d+) of (\d+) chunks", again.stderr)
    assert resumed and 3 <= int(resumed[1]) < int(resumed[2]), again.stderr
    _same(_chapters(tmp_path / "out"), _local(tmp_path, book))


def test_without_ray_the_flag_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # as where the extra is not installed
            "from backend.cluster.ray_pool import connect\n"
            "try:\n    connect('auto')\nexcept ValueError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == ('Rendering on a Ray cluster needs Ray: pip install ".[cluster]" '
                                  "(in the app's environment, on every node).")


def test_an_actor_gone_for_good_hands_its_batch_to_the_others(tmp_path, local_ray):
    book = _book(tmp_path, LONGER)
    events = Recorder()
    engine = AudioEngine(RenderJob(book, tmp_path / "out", _settings(tmp_path, "cache", cluster="auto")), events)

    def kill_for_good(report):
        Recorder.batch_done(events, report)
        if len(events.batches) == 1:
            local_ray.kill(engine.pool.actors[0], no_restart=True)

    events.batch_done = kill_for_good
    summary = engine.run()
    assert summary.reused == 0 and summary.rendered == len(events.batches)
    warnings = [m for level, m in events.logs if level == "warning"]
    assert any(re.search(r"CPU 1 stopped: the actor stopped \((ActorDiedError|RayActorError)", m) for m in warnings), warnings
    _same(_chapters(tmp_path / "out"), _local(tmp_path, book))
