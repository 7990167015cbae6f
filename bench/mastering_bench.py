"""Mastering speed and memory on the CPU, against a plain ffmpeg decode of the same files.

    .venv/bin/python bench/mastering_bench.py                 # a 1-hour chapter, then a 10 × 1 h chapter set
    .venv/bin/python bench/mastering_bench.py --hours 0.25 --chapters 4   # quicker

Prints, for the ACX preset (the default) on generated speech-like audio at 22.05 kHz (what the voice
makes; bursts with pauses, RMS near -24 dB, peaks -1 dB):
  - × real time of mastering one chapter (measure, gain search, the limiter pass with its
    measurements), with and without the MP3 true-peak check, and "mastering costs N× a decode";
  - peak RSS of the process mastering the 10-hour set, and of its largest ffmpeg child: flat,
    i.e. the same as for one chapter, since nothing holds a whole file;
  - the figures mastering landed on.
The joins/pauses part (worst join step and pause error on the demo book) is measured by the
assembly bench's function plugged in at JOINS_SECTION below.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RATE = 22050


def generate(path: Path, seconds: float, seed: int = 1) -> Path:
    """Speech-like audio written block by block (never the whole file in memory)."""
    rng = np.random.default_rng(seed)
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        written = 0
        while written < seconds * RATE:
            n = round(RATE * rng.uniform(0.8, 2.5))
            burst = np.convolve(rng.laplace(size=n), np.ones(5) / 5, "same")
            burst *= np.abs(np.sin(np.linspace(0, np.pi * rng.uniform(4, 10), n))) ** 6 * rng.uniform(0.5, 1.0)
            burst *= 0.89 / 14.0  # peaks near -1 dBFS for this shape
            pause = np.zeros(round(RATE * rng.choice([0.3, 0.8])))
            block = np.clip(np.concatenate([burst, pause]), -0.89, 0.89).astype(np.float32)
            out.write(block)
            written += len(block)
    return path


def decode_seconds(path: Path) -> float:
    from backend.audio.ffmpeg_tool import ffmpeg_exe

    t0 = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "null", "-"], check=True)
    return time.perf_counter() - t0


def worker(files: list[str], verify_mp3: bool) -> None:
    """Master `files` in this process; print JSON with timings and peak RSS (self and children)."""
    from backend.audio.mastering import master_file
    from backend.audio.presets import ACX

    results = []
    for n, name in enumerate(files, 1):
        t0 = time.perf_counter()
        r = master_file(Path(name), ACX, seed=n, verify_mp3=verify_mp3)
        m = r.measurement
        results.append({"seconds": time.perf_counter() - t0, "audio": r.duration, "passes": r.passes,
                        "rms": m.rms_db, "lufs": m.integrated_lufs, "true_peak": m.true_peak_db,
                        "noise_floor": m.noise_floor_db, "head": m.head_s, "tail": m.tail_s,
                        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    print(json.dumps({"results": results,
                      "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def master_in_child(files: list[Path], verify_mp3: bool = False) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *(["--mp3"] if verify_mp3 else []), *map(str, files)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def joins_section() -> list[str]:
    """JOINS_SECTION: the worst join step and pause error on the demo book (bench/joins_bench.py:
    a real render with the voice on the CPU, assembled as the render does, before mastering)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from joins_bench import joins_lines

    return ["", "Joins and pauses (bench/joins_bench.py):", *joins_lines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=1.0, help="length of one chapter (default 1)")
    parser.add_argument("--chapters", type=int, default=10, help="chapters in the set (default 10)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mp3", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.files, args.mp3)
        return
    with tempfile.TemporaryDirectory(prefix="mastering-bench-") as work:
        work = Path(work)
        t0 = time.perf_counter()
        source = generate(work / "source.flac", args.hours * 3600)
        audio = sf.info(source).duration
        print(f"Generated {audio / 3600:.2f} h of speech-like audio at 22.05 kHz in {time.perf_counter() - t0:.1f} s")
        decode = decode_seconds(source)
        print(f"Reference, ffmpeg decode of it: {decode:.2f} s ({audio / decode:.0f}× real time)")

        one = shutil.copyfile(source, work / "one.flac")
        single = master_in_child([one])
        r = single["results"][0]
        print(f"Mastering one chapter (ACX): {r['seconds']:.1f} s = {audio / r['seconds']:.0f}× real time "
              f"(goal ≥ 200×); mastering costs {r['seconds'] / decode:.1f}× a decode")
        print(f"  landed on RMS {r['rms']:.2f} dB, {r['lufs']:.1f} LUFS, true peak {r['true_peak']:.1f} dBTP, "
              f"noise floor {r['noise_floor']:.1f} dB, room tone {r['head']:.2f} s / {r['tail']:.2f} s, "
              f"{r['passes']} pass(es)")
        print(f"  peak RSS: Python {single['rss_self_mb']:.0f} MB, largest ffmpeg {single['rss_children_mb']:.0f} MB")
        mp3 = master_in_child([shutil.copyfile(source, work / "mp3.flac")], verify_mp3=True)["results"][0]
        print(f"With the 192 kbps MP3 true-peak check (when MP3s are made): {mp3['seconds']:.1f} s = "
              f"{audio / mp3['seconds']:.0f}× real time, MP3-checked true peak ≤ {mp3['true_peak']:.1f} dBTP")

        chapters = [shutil.copyfile(source, work / f"ch{n:02d}.flac") for n in range(1, args.chapters + 1)]
        (work / "one.flac").unlink()
        (work / "mp3.flac").unlink()
        whole = master_in_child(chapters)
        total_audio = sum(x["audio"] for x in whole["results"])
        total = sum(x["seconds"] for x in whole["results"])
        rss = [x["rss_mb"] for x in whole["results"]]
        print(f"A {args.chapters}-chapter set ({total_audio / 3600:.1f} h): {total:.0f} s = {total_audio / total:.0f}× "
              f"real time; peak RSS after chapter 1: {rss[0]:.0f} MB, after chapter {args.chapters}: {rss[-1]:.0f} MB "
              f"(largest ffmpeg {whole['rss_children_mb']:.0f} MB): flat")
    for line in joins_section():
        print(line)


if __name__ == "__main__":
    main()
