"""The render loop of one process: length-sorted batches through the engine's session, each
chunk into the cache as soon as its batch is done; and the tally every render loop (this one,
the local worker processes', the Ray cluster's) keeps for batch lines, progress and ETA."""

from __future__ import annotations

import time

import numpy as np

from backend.render.chunk_cache import ChunkCache, ChunkTiming
from backend.render.events import BatchReport, Progress, RenderStopped

# Speech runs ~0.06 s per character; a sixth of that means the model dropped words.
_MIN_SECONDS_PER_CHAR = 0.01


def longest_first(todo: list) -> list:
    """Longest first, so each batch holds similar lengths and padding stays small."""
    return sorted(todo, key=lambda pc: -len(pc.chunk.text))


class BatchTally:
    """Counts what is done, reports each batch (its Activity Log line) and the progress with ETA."""

    def __init__(self, engine, order: list, total: int, reused: int, started: float):
        self.engine, self.events, self.started = engine, engine.events, started
        self.sample_rate = engine.synth.sample_rate
        self.chars_left = sum(len(pc.chunk.text) for pc in order)
        self.synth_seconds = self.audio_seconds = self.chars_done = 0.0
        self.done, self.total, self.batches = reused, total, 0
        self.first_done: float | None = None
        self.events.progress(Progress(self.done, total, time.perf_counter() - started, None, None))

    def check_lengths(self, batch: list, sizes: list[int], ids_given: list[bool]) -> None:
        for pc, size, has_ids in zip(batch, sizes, ids_given, strict=True):
            if has_ids and size < _MIN_SECONDS_PER_CHAR * len(pc.chunk.text) * self.sample_rate:
                self.engine._log(f"Chunk {pc.index + 1} came out unusually short ({size / self.sample_rate:.2f}s "
                                 f"for {len(pc.chunk.text)} characters): \"{pc.chunk.text[:60]}…\"", "warning")

    def batch_done(self, batch: list, samples: int, took: float, vram: str, used, capacity, memory, batch_size,
                   device: str | None = None, wall: float | None = None) -> None:
        """One finished batch. `took`: its own seconds; `wall`: the render's seconds so far for the
        rate and ETA when batches run side by side (several workers), else the sum of batch times."""
        self.batches += 1
        batch_audio = samples / self.sample_rate
        self.synth_seconds += took
        self.audio_seconds += batch_audio
        batch_chars = sum(len(pc.chunk.text) for pc in batch)
        self.chars_done, self.chars_left = self.chars_done + batch_chars, self.chars_left - batch_chars
        self.done += len(batch)
        chunks = f"{len(batch)} chunk{'s' if len(batch) != 1 else ''}"
        where = f"{device} " if device else ""
        line = (f"[{time.strftime('%H:%M:%S')}] {where}Batch {self.batches} ({chunks}) done in {took:.2f}s "
                f"({took / len(batch):.2f}s/chunk) | {vram}")
        self.events.batch_done(BatchReport(self.batches, len(batch), took, batch_audio, vram, line, used, capacity,
                                           memory, batch_size, device))
        spent = wall if wall is not None else self.synth_seconds
        eta = self.chars_left * spent / self.chars_done if self.chars_done else None
        rtf = self.audio_seconds / spent if spent else None
        self.events.progress(Progress(self.done, self.total, time.perf_counter() - self.started, eta, rtf))


def store_timing(cache: ChunkCache, key: str, item, samples: int, hop: int) -> None:
    """Keep the phoneme durations the synthesizer reported for `item`, when they time its audio."""
    durations = item.durations or ()
    if item.ids and len(durations) == len(item.ids) and sum(durations) * hop == samples:
        cache.put_timing(key, ChunkTiming(tuple(item.ids), tuple(durations), hop))


def store_chunk(cache: ChunkCache, key: str, item, audio: np.ndarray, hop: int) -> None:
    # A chunk with nothing to say is stored as one silent sample: it is done, not missing.
    cache.put(key, audio if audio.size else np.zeros(1, np.float32))
    store_timing(cache, key, item, audio.size, hop)


def render_in_process(engine, cache: ChunkCache, todo: list, total: int, reused: int, started: float) -> None:
    """Batches through the engine's own session (one device, this process)."""
    order = longest_first(todo)
    tally = BatchTally(engine, order, total, reused, started)
    session, pos, n = engine.session, 0, 0
    while pos < len(order):
        if engine.cancel.cancelled:
            raise RenderStopped()
        session.before_batch(lambda: engine.cancel.cancelled)
        if engine.cancel.cancelled:
            raise RenderStopped()
        n += 1
        batch = order[pos : pos + session.batch_size]  # the session may change the size between batches
        pos += len(batch)
        t0 = time.perf_counter()
        # Each item carries a sink for its phoneme durations (word timings; they change no audio).
        items, readers = [], []
        for pc in batch:
            engine.check_stop()  # phonemizing a big batch takes a moment; nothing of it is cached yet
            item, reader = engine.synth_item(pc, durations=[])
            items.append(item)
            readers.append(reader)
        engine.check_stop()
        audios = session.run(items)
        for pc, item, audio, reader in zip(batch, items, audios, readers, strict=True):
            store_chunk(cache, pc.key, item, audio, reader.hop_length)
        took = time.perf_counter() - t0
        tally.check_lengths(batch, [a.size for a in audios], [bool(i.ids) for i in items])
        samples = sum(a.size for a in audios)
        # Throughput in audio seconds per second: fair between full and short (last) batches.
        vram, used, capacity = session.after_batch(n, len(batch), took, samples / tally.sample_rate / took if took else 0.0)
        tally.batch_done(batch, samples, took, vram, used, capacity, session.last_sample, session.batch_size)
