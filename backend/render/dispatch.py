"""The driver's side of a render on several workers: local processes (one per GPU, or CPU shares
with --workers N) or a Ray cluster (backend/cluster/). The engine plans, phonemizes and assembles;
the workers only synthesize. Batches go to whichever worker is free, longest chunks first, each
sized to that worker's own working batch size; a worker that dies hands its batch back to the
others, so only that batch is redone. Every finished chunk is in the cache before it is counted,
so a stop or a crash of the driver resumes like any render.
"""

from __future__ import annotations

import time
from collections import deque

from backend.render.batch_loop import BatchTally, longest_first, store_chunk
from backend.render.events import RenderStopped
from backend.render.workers import ChunkTask, plan_local_workers

_POLL_SECONDS = 0.2


class WorkerFailure(Exception):
    """Every worker stopped: the message says why; the cache keeps what they rendered."""


def choose_pool(settings, log):
    """The pool a render runs on, or None for the engine's own process: a Ray cluster when one is
    set, else local worker processes when --workers or several GPUs ask for them."""
    if settings.cluster:
        from backend.cluster.ray_pool import RayPool

        return RayPool(settings.cluster, settings, log)
    import torch

    from backend.tts.cpu_streams import default_streams

    device = settings.resolved_device()
    gpus = torch.cuda.device_count() if device.startswith("cuda") else 0
    specs = plan_local_workers(settings, device, gpus, default_streams())
    if not specs:
        return None
    from backend.render.worker_process import LocalPool

    return LocalPool(specs)


def warm_up_texts(order: list) -> list[str]:
    """The shortest, a middle and the longest chunk: what a session warms up (and measures Auto) with."""
    if not order:
        return []
    return [order[-1].spoken, order[len(order) // 2].spoken, order[0].spoken]


def render_on_workers(engine, pool, cache, todo: list, total: int, reused: int, started: float) -> list:
    """Render `todo` on the pool's workers; returns the files their sessions wrote (VRAM CSV and graph per GPU)."""
    order = longest_first(todo)
    tally = BatchTally(engine, order, total, reused, started)
    waiting = deque(order)
    sizes: dict[int, int] = {}  # ready workers: their working batch size
    busy: dict[int, tuple] = {}  # worker: (batch number, planned chunks, items)
    lost: dict[int, str] = {}
    number = 0
    began = time.perf_counter()
    engine._log(f"Rendering on {pool.describe()}")
    dialogue_voice = str(engine.dialogue_synth.voice.model_path) if engine.dialogue_synth is not None else None
    pool.start(str(cache.folder) if pool.shares_cache else None, warm_up_texts(order), dialogue_voice)
    try:
        while waiting or busy:
            if engine.cancel.cancelled:
                if not busy:
                    raise RenderStopped()
            else:
                for wid in [w for w in sizes if w not in busy]:
                    if not waiting:
                        break
                    batch = [waiting.popleft() for _ in range(min(sizes[wid], len(waiting)))]
                    number += 1
                    items = [engine.synth_item(pc, durations=[])[0] for pc in batch]
                    pool.submit(wid, [ChunkTask(pc.key, tuple(i.ids), i.seed, i.length_scale, i.speaker, i.part)
                                      for pc, i in zip(batch, items, strict=True)], number)
                    busy[wid] = (number, batch, items)
            for message in pool.poll(_POLL_SECONDS):
                kind, wid = message[0], message[1]
                label = pool.label(wid)
                if kind == "ready":
                    sizes[wid] = message[2]
                elif kind == "log":
                    engine._log(f"{label}: {message[3]}", message[2])
                elif kind == "batch" and wid in busy:
                    _, batch, items = busy.pop(wid)
                    result = message[3]
                    sizes[wid] = max(1, result.batch_size)
                    for level, line in result.lines:
                        engine._log(f"{label}: {line}", level)
                    _store_returned(engine, cache, batch, items, result)
                    tally.check_lengths(batch, result.sizes, [bool(i.ids) for i in items])
                    tally.batch_done(batch, sum(result.sizes), result.took, result.vram, result.used, result.capacity,
                                     result.memory, result.batch_size, device=label, wall=time.perf_counter() - began)
                elif kind == "lost" and wid not in lost:
                    lost[wid] = message[2]
                    sizes.pop(wid, None)
                    handed_back = busy.pop(wid, None)
                    if handed_back:
                        waiting.extendleft(reversed(handed_back[1]))
                    left = len(pool) - len(lost)
                    engine._log(f"{label} stopped: {message[2]}"
                                + (f" Its batch goes to the other worker{'s' if left > 1 else ''}." if handed_back and left
                                   else ""), "warning")
                    if not left:
                        raise WorkerFailure(f"Every worker stopped; the last said: {message[2]} "
                                            "Everything rendered so far is cached: run the render again to resume.")
        return pool.finish(str(engine.job.output_dir), _stem(engine),
                           lambda wid, level, line: engine._log(f"{pool.label(wid)}: {line}", level))
    finally:
        pool.shutdown()


def _store_returned(engine, cache, batch, items, result) -> None:
    """Chunks a worker sent back (no shared cache folder): the driver stores them, with their timings."""
    for item, durations in zip(items, result.durations, strict=True):
        item.durations[:] = durations
    if result.audios is None:
        return  # the worker stored them in the shared cache
    for pc, item, audio in zip(batch, items, result.audios, strict=True):
        store_chunk(cache, pc.key, item, audio, engine.reader(pc)[0].hop_length)


def _stem(engine) -> str:
    from backend.render.plan import safe_filename

    return safe_filename(engine.title or engine.job.book_path.stem)


def driver_device(pool, settings) -> tuple[str, str]:
    """(device, precision) of the engine's own copy of the voice. With workers it only phonemizes
    (and renders a speech-check retake), so it stays on the CPU and leaves the GPUs to the workers;
    a CPU has no float16."""
    if pool is None:
        return settings.resolved_device(), settings.precision
    return "cpu", "float32" if settings.precision == "float16" else settings.precision
