"""Crash trials: SIGKILL `audiobook render` at seeded random moments, resume, compare.

Each trial starts the CLI render of a small generated book (3 chapters, 15 chunks at
--max-chars 60) into a fresh output folder with its own cache folder, kills it with SIGKILL at a
random moment (after a random number of "Batch" lines plus a random delay, after a random delay
from the start, or the moment an output file is being written), sometimes kills the first resume
too, then resumes to completion. A trial passes when:

- the final run exits 0 and every chapter file is sample-identical to a clean reference render;
- after every kill, every chunk under its real name in the cache decodes fully at the voice's
  sample rate (no truncated chunk was ever accepted) and every chapter file under its real name in
  the output decodes fully;
- at the end no temp file is left: `.tmp-*` in the cache, `*.partial` / `.*.tmp` in the output.

    python bench/crash_trials.py --trials 20 --seed 1
    python bench/crash_trials.py --trials 20 --seed 1 --modes batch   # kills during rendering only

Prints one line per trial and exits 1 when any trial failed. tests/reliability/test_crash_trials.py
runs 4 of these trials in the normal suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 22050  # the bundled en_US-joe-medium voice
MODES = ("batch", "delay", "output")

BOOK = """# The Keeper's Log

## Chapter 1: Arrival

The boat reached the island at noon. Ada carried two bags up the cliff path.

The keeper's house had a blue door and a cracked window facing west.

## Chapter 2: The Lamp

At dusk she climbed the tower stairs, all ninety-one of them.

The lamp turned slowly and threw its beam across the dark water.

## Chapter 3: Weather

A storm came in from the north on the third night. Rain hammered the glass.

By morning the sea was flat and silver, and a gull sat on the rail.
"""
BOOK_CHUNKS = 15  # at --max-chars 60


def make_book(folder: Path) -> Path:
    path = Path(folder) / "keeper.md"
    path.write_text(BOOK, encoding="utf-8")
    return path


def render_cmd(book: Path, out: Path, cache: Path, outputs: str = "m4b,srt") -> list[str]:
    return [sys.executable, "-m", "backend.cli", "render", str(book), "-o", str(out), "--cache-dir", str(cache),
            "--device", "cpu", "--max-chars", "60", "--outputs", outputs]


def chapter_audio(folder: Path) -> list[np.ndarray]:
    return [sf.read(p, dtype="int16")[0] for p in sorted(Path(folder).glob("*.flac"))]


def decodes_fully(path: Path, sample_rate: int | None = SAMPLE_RATE) -> bool:
    try:
        info = sf.info(str(path))
        audio, _ = sf.read(str(path), dtype="int16", always_2d=True)
    except (OSError, RuntimeError):
        return False
    return info.frames > 0 and audio.shape[0] == info.frames and (sample_rate is None or info.samplerate == sample_rate)


def bad_cache_chunks(cache: Path) -> list[str]:
    """Chunk files under a real name that do not decode fully at the voice's rate."""
    return [str(p) for p in sorted(Path(cache).rglob("*.flac")) if not p.name.startswith(".") and not decodes_fully(p)]


def bad_output_files(out: Path) -> list[str]:
    """Chapter files under a real name that do not decode fully (mastered files are 44.1 kHz)."""
    return [str(p) for p in sorted(Path(out).glob("*.flac")) if not decodes_fully(p, sample_rate=None)]


def cache_temps(cache: Path) -> list[str]:
    return [str(p) for p in sorted(Path(cache).rglob(".tmp-*"))]


def output_temps(out: Path) -> list[str]:
    if not Path(out).is_dir():
        return []
    found = set(Path(out).glob("*.partial")) | set(Path(out).glob(".*.tmp")) | set(Path(out).glob(".*.partial"))
    return [str(p) for p in sorted(found)]


@dataclass
class Kill:
    mode: str  # batch | delay | output
    batches: int = 0  # batch: kill after this many "Batch" lines ...
    delay: float = 0.0  # ... plus this many seconds (delay: seconds from the start)

    def describe(self) -> str:
        if self.mode == "batch":
            return f"after batch {self.batches} +{self.delay * 1000:.0f}ms"
        if self.mode == "delay":
            return f"at {self.delay:.2f}s"
        return "while an output file is written"


def pick_kill(rng: random.Random, modes=MODES, chunks: int = BOOK_CHUNKS, longest: float = 6.0) -> Kill:
    mode = rng.choice(list(modes))
    if mode == "batch":
        # Batch k's line comes after chunk k is cached; k < chunks keeps the kill inside the render.
        return Kill("batch", rng.randint(0, chunks - 1), rng.uniform(0.0, 0.12))
    if mode == "delay":
        return Kill("delay", delay=rng.uniform(0.3, longest))
    return Kill("output")


@dataclass
class RunResult:
    killed: bool  # False: it finished (or failed) before the kill point came
    returncode: int
    stderr: str
    seconds: float


def run_and_kill(cmd: list[str], kill: Kill | None, out: Path, timeout: float = 120.0) -> RunResult:
    """Run `cmd`; SIGKILL it at `kill` (None: let it finish)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    batches = [0]

    def reader() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "] Batch " in line and " done in " in line:
                batches[0] += 1

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    killed, batch_seen_at = False, None
    old_temps = set(output_temps(out))  # left by an earlier kill: wait for one this run writes
    try:
        while proc.poll() is None:
            now = time.monotonic() - started
            if now > timeout:
                proc.kill()
                raise TimeoutError(f"render ran past {timeout:.0f}s: {' '.join(cmd)}")
            fire = False
            if kill is None:
                pass
            elif kill.mode == "delay":
                fire = now >= kill.delay
            elif kill.mode == "batch":
                if batch_seen_at is None and batches[0] >= kill.batches and (
                        kill.batches > 0 or any("Batch size" in line for line in lines)):
                    batch_seen_at = now
                fire = batch_seen_at is not None and now >= batch_seen_at + kill.delay
            elif kill.mode == "output":
                fire = bool(set(output_temps(out)) - old_temps)
            if fire:
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    thread.join(timeout=10)
    return RunResult(killed and proc.returncode == -signal.SIGKILL, proc.returncode, "".join(lines),
                     time.monotonic() - started)


@dataclass
class TrialResult:
    seed: int
    kills: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def run_trial(book: Path, reference: list[np.ndarray], work: Path, seed: int, modes=MODES,
              kill_resume_chance: float = 0.5, longest: float = 6.0) -> TrialResult:
    """One seeded trial in `work` (a fresh output folder, one cache folder for all its runs)."""
    rng = random.Random(seed)
    result, started = TrialResult(seed), time.monotonic()
    out, cache = work / "out", work / "cache"
    cmd = render_cmd(book, out, cache)
    runs_to_kill = 2 if rng.random() < kill_resume_chance else 1
    for n in range(1, runs_to_kill + 1):
        # A resume renders only what is missing, and its batch lines count from 1 again.
        todo = BOOK_CHUNKS - len([p for p in cache.rglob("*.flac") if not p.name.startswith(".")])
        kill = pick_kill(rng, modes, chunks=max(todo, 1), longest=longest)
        run = run_and_kill(cmd, kill, out)
        if run.killed:
            result.kills.append(f"run {n} killed {kill.describe()} ({run.seconds:.2f}s)")
        else:
            result.kills.append(f"run {n} ended (exit {run.returncode}) before {kill.describe()}")
            if run.returncode != 0:
                result.problems.append(f"run {n} exited {run.returncode}: {run.stderr[-2000:]}")
        # Atomic writes: whatever is under a real name must be whole, before any resume "repairs" it.
        bad = bad_cache_chunks(cache) + bad_output_files(out)
        if bad:
            result.problems.append(f"after run {n}: partial files under real names: {bad}")
    final = run_and_kill(cmd, None, out)
    if final.returncode != 0:
        result.problems.append(f"final run exited {final.returncode}: {final.stderr[-2000:]}")
    if "Traceback" in final.stderr:
        result.problems.append("final run printed a traceback")
    audio = chapter_audio(out)
    if len(audio) != len(reference) or not all(np.array_equal(a, b) for a, b in zip(audio, reference)):
        result.problems.append(f"chapter audio differs from the reference ({len(audio)} vs {len(reference)} files)")
    temps = cache_temps(cache) + output_temps(out)
    if temps:
        result.problems.append(f"temp files left: {[Path(t).name for t in temps]}")
    bad = bad_cache_chunks(cache)
    if bad:
        result.problems.append(f"undecodable cache chunks: {bad}")
    chunks = len(list(cache.rglob("*.flac")))
    if chunks != BOOK_CHUNKS:
        result.problems.append(f"{chunks} chunks in the cache, expected {BOOK_CHUNKS}")
    result.seconds = time.monotonic() - started
    return result


def reference_render(book: Path, work: Path) -> tuple[list[np.ndarray], float]:
    started = time.monotonic()
    run = run_and_kill(render_cmd(book, work / "out", work / "cache"), None, work / "out")
    if run.returncode != 0:
        raise RuntimeError(f"the reference render failed: {run.stderr[-2000:]}")
    return chapter_audio(work / "out"), time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1, help="trial i uses seed SEED*1000+i")
    parser.add_argument("--modes", default=",".join(MODES), help=f"kill modes to draw from: {','.join(MODES)}")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes: pick from {','.join(MODES)}")
    work = Path(tempfile.mkdtemp(prefix="crash-trials-"))
    os.environ["AUDIOBOOK_CONFIG_DIR"] = str(work / "user-config")  # keep the user's settings out of it
    try:
        book = make_book(work)
        reference, seconds = reference_render(book, work / "reference")
        print(f"reference: {len(reference)} chapters, {BOOK_CHUNKS} chunks, clean render {seconds:.1f}s")
        failed = 0
        for i in range(args.trials):
            seed = args.seed * 1000 + i
            trial = run_trial(book, reference, work / f"trial-{i:03d}", seed, modes, longest=seconds)
            failed += not trial.ok
            status = "ok" if trial.ok else "FAIL: " + " | ".join(p.splitlines()[0] for p in trial.problems)
            print(f"trial {i:3d} seed {seed}: {'; '.join(trial.kills)} -> {status} ({trial.seconds:.1f}s)", flush=True)
        print(f"{args.trials - failed}/{args.trials} trials passed")
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
