"""Local worker processes: one per GPU of this machine (each sees only its own GPU), or CPU
workers sharing the cores (--workers N). Each is a fresh `python -m backend.render.worker_process`
with its own environment (CUDA_VISIBLE_DEVICES, thread count, set before torch is imported),
talking pickled frames over its stdin/stdout: no fork (CUDA cannot be forked) and no re-import of
the host's main module (multiprocessing's spawn would re-run a script). Workers write their
chunks straight into the shared chunk cache; a worker whose driver is gone (stdin closed) exits.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

from backend.render.workers import WorkerSpec, worker_environment

_FINISH_SECONDS = 60
_HEADER = struct.Struct("<Q")


def write_frame(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream):
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


def describe_failure(exc: BaseException, stage: str) -> str:
    from backend.gpu.oom import as_gpu_failure

    if isinstance(exc, RuntimeError) and (failure := as_gpu_failure(exc, stage)) is not None:
        return str(failure)
    text = str(exc) or type(exc).__name__
    return text if text.endswith(".") else f"{text} (during {stage})."


def worker_main() -> None:
    """A worker process: the voice warm behind its own session, batches in, results out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's: it stops after the batches in flight
    inbox, outbox = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library's print must not corrupt the frames
    wid, spec, warm_texts = read_frame(inbox)

    def send(message) -> None:
        write_frame(outbox, message)

    stage = "voice loading"
    try:
        from backend.render.workers import BatchWorker

        worker = BatchWorker(spec)
        stage = "warm-up"
        size, lines = worker.warm_up(warm_texts)
        for level, line in lines:
            send(("log", wid, level, line))
        send(("ready", wid, size))
        while (message := read_frame(inbox)) is not None:  # None: the driver is gone; its next run resumes
            if message[0] == "render":
                stage = "rendering"
                send(("batch", wid, message[2], worker.render(message[1], message[2])))
            elif message[0] == "finish":
                stage = "the end of the render"
                paths, lines = worker.finish(message[1], message[2])
                for level, line in lines:
                    send(("log", wid, level, line))
                send(("finished", wid, paths))
                return
    except Exception as exc:  # one clear line to the driver, which hands the batch to another worker
        send(("lost", wid, describe_failure(exc, stage)))


class LocalPool:
    shares_cache = True  # same disk: workers write the chunk cache themselves

    def __init__(self, specs: list[WorkerSpec]):
        self.specs = specs
        self._procs: list[subprocess.Popen] = []
        self._inbox: queue.Queue = queue.Queue()
        self._gone: set[int] = set()
        self._write_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.specs)

    def label(self, wid: int) -> str:
        return self.specs[wid].label

    def describe(self) -> str:
        first = self.specs[0]
        if first.gpu is not None:
            return f"{len(self)} GPU worker processes ({', '.join(s.label for s in self.specs)})"
        threads = first.threads or 1
        return f"{len(self)} CPU worker processes, {threads} thread{'s' if threads > 1 else ''} each"

    def start(self, cache_folder: str | None, warm_texts: list[str], dialogue_voice: str | None = None) -> None:
        root = str(Path(__file__).resolve().parents[2])  # the project, importable in the worker as here
        for wid, spec in enumerate(self.specs):
            spec = self.specs[wid] = replace(spec, cache_folder=cache_folder, dialogue_voice=dialogue_voice)
            env = {**os.environ, **worker_environment(spec)}
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
            proc = subprocess.Popen([sys.executable, "-m", "backend.render.worker_process"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, env=env)
            self._procs.append(proc)
            write_frame(proc.stdin, (wid, spec, warm_texts))
            threading.Thread(target=self._read, args=(wid, proc), daemon=True, name=f"worker {wid} reader").start()

    def _read(self, wid: int, proc: subprocess.Popen) -> None:
        while (message := read_frame(proc.stdout)) is not None:
            self._inbox.put(message)
        code = proc.wait()
        self._inbox.put(("ended", wid, code))

    def _send(self, wid: int, message) -> None:
        try:
            with self._write_lock:
                write_frame(self._procs[wid].stdin, message)
        except (BrokenPipeError, OSError):
            pass  # the worker is gone: its reader reports it

    def submit(self, wid: int, tasks: list, number: int) -> None:
        self._send(wid, ("render", tasks, number))

    def poll(self, timeout: float) -> list[tuple]:
        """What the workers said since the last poll; a worker that ended without a word reads as lost."""
        messages = []
        try:
            messages.append(self._inbox.get(timeout=timeout))
            while True:
                messages.append(self._inbox.get_nowait())
        except queue.Empty:
            pass
        out = []
        for message in messages:
            kind, wid = message[0], message[1]
            if kind == "ended":
                if wid not in self._gone:
                    self._gone.add(wid)
                    out.append(("lost", wid, f"its process ended unexpectedly (exit code {message[2]})."))
                continue
            if kind in ("lost", "finished"):
                self._gone.add(wid)
            out.append(message)
        return out

    def finish(self, output_dir: str, stem: str, log) -> list[Path]:
        """Each live worker closes its session (VRAM summary; per-GPU CSV and graph); the files written."""
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        waiting = {wid for wid in range(len(self)) if wid not in self._gone}
        for wid in waiting:
            self._send(wid, ("finish", output_dir, stem))
        paths: list[Path] = []
        try:
            while waiting:
                message = self._inbox.get(timeout=_FINISH_SECONDS)
                if message[0] == "finished":
                    paths += [Path(p) for p in message[2]]
                if message[0] in ("finished", "lost", "ended"):
                    waiting.discard(message[1])
                elif message[0] == "log":
                    log(message[1], message[2], message[3])
        except queue.Empty:
            pass  # a worker that does not answer loses only its VRAM graph
        return paths

    def shutdown(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass


if __name__ == "__main__":
    worker_main()
