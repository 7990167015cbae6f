"""CPU streams: a batch's chunks run side by side, each alone on its own thread, with the same audio."""

import threading

import numpy as np
import pytest
import torch

from backend.tts.cpu_streams import MAX_STREAMS, CpuStreams, default_streams
from backend.tts.synth import Synthesizer, SynthItem, chunk_seed
from tests.tts.conftest import SENTENCES


@pytest.fixture(scope="module")
def two_streams():
    synth = Synthesizer.load(cpu_streams=2)
    yield synth
    synth.cpu_streams.close()


@pytest.fixture(scope="module")
def one_stream():
    return Synthesizer.load(cpu_streams=1)


def test_streams_give_each_chunk_its_solo_audio(two_streams, one_stream):
    texts = [SENTENCES[2], "", SENTENCES[0], SENTENCES[3], SENTENCES[1]]
    items = [SynthItem(one_stream.phoneme_ids(t), chunk_seed(t)) for t in texts]
    together = two_streams.synthesize_batch(items)
    assert two_streams.parallel_chunks == 2 and len(together) == len(items)
    for item, audio in zip(items, together, strict=True):
        alone = one_stream.synthesize_batch([item])[0]
        assert audio.shape == alone.shape and audio.dtype == np.float32
        if alone.size:  # one thread or two only changes the order of float sums
            assert np.abs(audio - alone).max() <= 1e-4
    assert together[1].size == 0


def test_workers_run_one_thread_each_and_the_process_count_is_restored():
    before = torch.get_num_threads()
    streams = CpuStreams(2, threads=2)
    try:
        seen = streams.map(lambda _: (threading.current_thread().name, torch.get_num_threads()), list(range(6)))
    finally:
        streams.close()
    assert {count for _, count in seen} == {1} and all(name.startswith("cpu-stream") for name, _ in seen)
    assert torch.get_num_threads() == before
    later = []  # a thread started afterwards (the GUI's worker, a preview) gets the normal count
    t = threading.Thread(target=lambda: later.append(torch.get_num_threads()))
    t.start()
    t.join()
    assert later == [before]


def test_results_keep_input_order_and_a_failure_surfaces_after_the_rest():
    done = []

    def work(n):
        if n == 3:
            raise ValueError("chunk 3 failed")
        done.append(n)
        return n * n

    streams = CpuStreams(2, threads=2)
    try:
        assert streams.map(lambda n: n * n, [5, 1, 4, 2]) == [25, 1, 16, 4]
        with pytest.raises(ValueError, match="chunk 3 failed"):
            streams.map(work, [1, 2, 3, 4, 5])
        assert sorted(done) == [1, 2, 4, 5]
    finally:
        streams.close()


def test_stream_counts():
    assert default_streams(2) == 2 and default_streams(1) == 1 and default_streams(64) == MAX_STREAMS
    assert CpuStreams(3, threads=8).threads_per_stream == 2 and CpuStreams(4, threads=2).threads_per_stream == 1
    with pytest.raises(ValueError, match="CPU streams must be 'auto' or a whole number"):
        Synthesizer.load(cpu_streams=0)


def test_changing_streams_on_a_warm_synthesizer(one_stream):
    one_stream.set_cpu_streams(2)
    try:
        assert one_stream.parallel_chunks == 2
    finally:
        one_stream.set_cpu_streams(1)
    assert one_stream.parallel_chunks == 1


def test_a_chunk_is_bit_identical_alone_and_in_a_batch(two_streams):
    """What resume and cache repair rely on: rendering a chunk again gives the same samples."""
    items = [SynthItem(two_streams.phoneme_ids(t), chunk_seed(t)) for t in SENTENCES[1:4]]
    batch = two_streams.synthesize_batch(items)
    for item, audio in zip(items, batch, strict=True):
        assert np.array_equal(two_streams.synthesize_batch([item])[0], audio)


def test_a_preview_runs_on_the_calling_thread_with_all_its_threads(two_streams, monkeypatch):
    """synthesize() (the voice preview) is about latency: no stream, every thread; a book's
    chunk still goes to a one-thread stream."""
    seen = []
    forward = two_streams._forward

    def record(items):
        seen.append((threading.current_thread(), torch.get_num_threads()))
        return forward(items)

    monkeypatch.setattr(two_streams, "_forward", record)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        preview = two_streams.synthesize(SENTENCES[1])
        item = SynthItem(two_streams.phoneme_ids(SENTENCES[1]), chunk_seed(SENTENCES[1]))
        chunk = two_streams.synthesize_batch([item])[0]
    finally:
        torch.set_num_threads(before)
    assert seen[0] == (threading.current_thread(), 2)
    assert seen[1][0] is not threading.current_thread() and seen[1][1] == 1
    assert preview.shape == chunk.shape and np.abs(preview - chunk).max() <= 1e-4
