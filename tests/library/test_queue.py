"""The render queue (backend/library/): real books, the real engine and voice, the real CLI."""

import subprocess
import sys

import pytest

from backend.library.queue import QueueError, QueueLock, add_books, load_queue, move_entry, queue_file, remove_entry
from backend.library.runner import run_queue
from backend.render.events import CancelToken
from backend.settings import RenderSettings
from tests.cli.test_cli import run_cli
from tests.render.test_engine import BOOK, Recorder


@pytest.fixture(autouse=True)
def queue_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_QUEUE_DIR", str(tmp_path / "queue"))
    return tmp_path / "queue"


def books(tmp_path):
    good = tmp_path / "ferry.txt"
    good.write_text(BOOK, encoding="utf-8")
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    other = tmp_path / "pier.txt"
    other.write_text("The Pier\n\nThe ferry was late again.\n", encoding="utf-8")
    return good, bad, other


def settings(tmp_path, **kw):
    kw.setdefault("max_chars", 60)
    return RenderSettings(device="cpu", cache_dir=str(tmp_path / "cache"), outputs=[], master="off", **kw)


def test_a_bad_book_fails_alone_and_the_queue_goes_on(tmp_path):
    good, bad, other = books(tmp_path)
    add_books([good, bad, other], settings(tmp_path))
    events = Recorder()
    assert run_queue(events, CancelToken()) == (2, 1, False)
    entries = load_queue()
    assert [e.status for e in entries] == ["done", "failed", "done"]
    assert "binary" in entries[1].message and entries[0].done == entries[0].total > 0
    assert list((tmp_path / "ferry audiobook").glob("*.flac")) and list((tmp_path / "pier audiobook").glob("*.flac"))
    assert any(m.startswith("Queue: broken.txt (book 2 of 3)") for _, m in events.logs)
    assert run_queue(Recorder(), CancelToken()) == (0, 0, False)  # nothing waits any more


def test_a_stopped_queue_resumes_the_book_it_was_on(tmp_path):
    good, _, other = books(tmp_path)
    add_books([good, other], settings(tmp_path, cpu_streams=1))
    cancel = CancelToken()
    assert run_queue(Recorder(cancel_after_batches=2, cancel=cancel), cancel) == (0, 0, True)
    assert [e.status for e in load_queue()] == ["stopped", "waiting"]
    events = Recorder()
    assert run_queue(events, CancelToken()) == (2, 0, False)
    assert any(m.startswith("Resuming: 2 of ") for _, m in events.logs)


def test_each_book_keeps_the_settings_it_was_added_with(tmp_path):
    good, _, other = books(tmp_path)
    add_books([good], settings(tmp_path, max_chars=60, seed=3))
    add_books([other], settings(tmp_path, max_chars=300))
    first, second = load_queue()
    assert (first.render_settings().max_chars, first.render_settings().seed) == (60, 3)
    assert second.render_settings().max_chars == 300
    move_entry(2, 1)
    assert [e.name for e in load_queue()] == ["pier.txt", "ferry.txt"]
    assert remove_entry(1).name == "pier.txt" and [e.name for e in load_queue()] == ["ferry.txt"]
    with pytest.raises(QueueError, match="no book 5"):
        remove_entry(5)
    with pytest.raises(QueueError, match="is not a file"):
        add_books([tmp_path / "missing.txt"], settings(tmp_path))


def test_two_processes_cannot_run_it_and_a_dead_ones_lock_is_taken_over(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import os, sys, time; from backend.library.queue import QueueLock; "
                               "l = QueueLock(); l.acquire(); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(QueueError, match=f"already running \\(process {holder.pid}"):
            run_queue(Recorder(), CancelToken())
    finally:
        holder.kill()
        holder.wait()
    with QueueLock() as lock:  # its process is gone: the stale lock is taken over
        assert lock.held


def test_a_damaged_queue_file_is_not_overwritten(tmp_path):
    queue_file().parent.mkdir(parents=True)
    queue_file().write_text("{not json", encoding="utf-8")
    with pytest.raises(QueueError, match="cannot be read"):
        add_books([books(tmp_path)[0]], settings(tmp_path))
    assert queue_file().read_text(encoding="utf-8") == "{not json"


def test_the_cli_queue(tmp_path):
    good, bad, _ = books(tmp_path)
    common = ["--device", "cpu", "--max-chars", "60", "--cache-dir", tmp_path / "cache", "--master", "off", "--outputs", ""]
    added = run_cli("queue", "add", good, bad, *common)
    assert added.returncode == 0, added.stderr
    assert "2 books in the queue" in added.stdout
    assert run_cli("queue", "add", good, "--chapters", "1").returncode == 1
    listed = run_cli("queue", "list").stdout
    assert "1. ferry.txt  [waiting]" in listed and "2. broken.txt  [waiting]" in listed
    ran = run_cli("queue", "run")
    assert ran.returncode == 1 and "Queue: 1 done, 1 failed." in ran.stderr and "Traceback" not in ran.stderr
    listed = run_cli("queue", "list").stdout
    assert "[done: " in listed and "[failed: " in listed
    assert run_cli("queue", "remove", "2").returncode == 0 and "broken" not in run_cli("queue", "list").stdout
