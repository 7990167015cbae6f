"""Parallel CPU streams: several chunks rendered side by side, each on its own core(s).

On a CPU, one chunk with all cores scales poorly (measured on 2 cores: 2 threads are only 1.5x
one thread, the convolutions are too small to split well), and padding chunks into one batch
is slower still. Independent chunks on their own threads scale nearly linearly (1.9x on 2
cores). Each stream renders its chunks one at a time with the same thread count, so a chunk's
audio is bit for bit the same alone or in any batch (oneDNN's sums depend on the thread count).

PyTorch's OpenMP thread count is per OS thread, initialised lazily from a process-wide value
(torch.get_num_threads() forces that init; a small op does not). Each worker forces its init,
then sets its own count; set_num_threads also changes the process-wide value, which is put
back once all workers are set, so threads started later (the GUI's worker, a preview) still
get the normal count.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable, Sequence, TypeVar

import torch

T = TypeVar("T")
R = TypeVar("R")
MAX_STREAMS = 8  # beyond this a batch (the work a stop can lose) grows with little gain


def default_streams(threads: int | None = None) -> int:
    """One stream per intra-op thread PyTorch would use (its default: the physical cores)."""
    threads = threads or torch.get_num_threads()
    return max(1, min(MAX_STREAMS, threads))


class CpuStreams:
    def __init__(self, streams: int, threads: int | None = None):
        total = threads or torch.get_num_threads()
        self.streams = max(1, int(streams))
        self.threads_per_stream = max(1, total // self.streams)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _start(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                restore = torch.get_num_threads()
                ready = threading.Barrier(self.streams + 1)

                def init() -> None:
                    torch.get_num_threads()  # the lazy per-thread init happens now, so it cannot undo ours later
                    torch.set_num_threads(self.threads_per_stream)
                    ready.wait()

                pool = ThreadPoolExecutor(self.streams, thread_name_prefix="cpu-stream", initializer=init)
                for _ in range(self.streams):  # one task each wakes every worker thread
                    pool.submit(int)
                ready.wait()
                torch.set_num_threads(restore)
                self._pool = pool
            return self._pool

    def map(self, render_one: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """render_one(item) for every item, spread over the streams; results in input order.

        Longest first, each stream taking the next item when it is free, so streams finish
        together. The first error is raised after the other streams have stopped.
        """
        if self.streams == 1:
            return [render_one(it) for it in items]
        # A single item goes to a stream too: its numbers then come from the same thread count
        # as in a full batch, so a chunk rendered again (resume, repair) is bit-identical.
        pool = self._start()
        order = sorted(range(len(items)), key=lambda i: -_size(items[i]))
        futures = {i: pool.submit(render_one, items[i]) for i in order}
        wait(futures.values())
        return [futures[i].result() for i in range(len(items))]

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def _size(item) -> int:
    ids = getattr(item, "ids", None)
    return len(ids) if ids is not None else 0
