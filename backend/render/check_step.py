"""The listening check, after the chunks are rendered and before they are assembled
(settings.check: off, flag, or retry).

Every chunk not checked yet is heard by Whisper (backend/check/transcriber.py) and scored against
its spoken text (backend/check/words.py); the score lives beside the chunk in the cache, so a
resume keeps it and a new take gets a new one. "retry" renders a flagged chunk again with the next
seeds (up to MAX_RETRIES more takes, also for a chunk an earlier "flag" render flagged) and keeps
the take heard best; the kept take is the cached
chunk, so a resumed render assembles exactly what an uninterrupted one did.

On a GPU, Whisper is loaded before the voice's warm-up and what it takes (device-wide, since
CTranslate2 allocates outside PyTorch) is reserved: the Auto batch size, its tuning and the
pressure guard work within the cap less that. The check itself runs after the voice's batches;
out of memory in it splits its batch of windows, and a window that does not fit alone moves the
check to the CPU.
"""

from __future__ import annotations

import csv
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from backend.check.words import MAX_MISSING, MAX_WER, ChunkScore, is_flagged
from backend.render.events import Progress

CHECK_MODES = ("off", "flag", "retry")
MAX_RETRIES = 2
GROUP = 48  # chunks heard between two stop checks and progress reports


def check_problem(settings) -> str | None:
    """Why the check asked for cannot run (checked before anything renders), else None."""
    if settings.check == "off":
        return None
    from backend.check.transcriber import availability

    problem = availability(settings.check_model)
    return f"{problem} (Or render with the speech check off: --check off, Advanced → Check speech.)" if problem else None


def prepare_check(engine) -> None:
    """On a GPU, load Whisper before the voice's warm-up, so the Auto batch size and the cap the
    batches are guarded against leave room for it (CudaSession.reserve). On a CPU nothing: it
    loads when the check starts."""
    settings, device = engine.job.settings, str(engine.synth.device)
    if settings.check == "off" or not device.startswith("cuda") or engine.transcriber is not None:
        return
    from backend.check.transcriber import Transcriber

    free = _free_gpu_memory(device)
    engine.transcriber = Transcriber(settings.check_model, device=device, log=engine._log)
    engine.session.reserve(free - _free_gpu_memory(device), "The speech check's Whisper")


def run_check(engine, plan, cache) -> dict[str, dict]:
    """Check every unique chunk of the plan; returns key -> stored result (score, flagged, seed)."""
    settings = engine.job.settings
    if settings.check == "off":
        return {}
    from backend.check.transcriber import Transcriber

    unique = plan.unique_keys
    results = {key: cache.get_check(key) for key in unique}
    todo = [pc for key, pc in unique.items() if results[key] is None]
    # Flagged takes not retried yet (a resume, or a render that only flagged): retried now.
    retry = settings.check == "retry"
    untried = [pc for key, pc in unique.items() if retry and is_flagged(results[key])
               and results[key].get("takes", 1) <= MAX_RETRIES]
    if todo or untried:
        t0 = time.perf_counter()
        around = _neighbours(unique)
        device = str(engine.synth.device)
        transcriber = engine.transcriber  # loaded before the warm-up on a GPU (prepare_check)
        if transcriber is None:
            free = _free_gpu_memory(device)  # a resume with nothing to render: the allocator cache is given back first
            transcriber = Transcriber(settings.check_model, device=device, log=engine._log)
            if free is not None:
                engine._log(f"Speech check on {device}: Whisper takes {(free - _free_gpu_memory(device)) / 2**20:.0f} "
                            "MB of GPU memory.")
        if todo:
            engine._log(f"Speech check: hearing {len(todo)} chunk{'s' if len(todo) != 1 else ''} with {transcriber.name} "
                        f"(loaded in {time.perf_counter() - t0:.1f}s)…")
            # Chunks heard before are heard again beside a new one (one chunk fixed in Review, a resume).
            results.update(_hear(engine, transcriber, cache, [(pc, cache.get(pc.key), pc.seed) for pc in todo],
                                 around=around, results=dict(results)))
        flagged = untried + [pc for pc in todo if is_flagged(results[pc.key])]
        if retry and flagged:
            _retry(engine, transcriber, cache, flagged, results, around)
        engine._log(f"Speech check done in {time.perf_counter() - t0:.1f}s.")
    _report(engine, unique, results)
    return results


def _free_gpu_memory(device: str) -> int | None:
    """Free bytes on the GPU after emptying PyTorch's allocator cache (CTranslate2 allocates on its
    own, outside it); None on the CPU."""
    if not device.startswith("cuda"):
        return None
    import torch

    torch.cuda.empty_cache()
    return torch.cuda.mem_get_info(torch.device(device))[0]


def _neighbours(unique) -> dict[str, list]:
    """Each chunk's key -> the chunks before and after it in its chapter."""
    order = list(unique.values())
    return {pc.key: [other for other in (order[n - 1] if n else None, order[n + 1] if n + 1 < len(order) else None)
                     if other is not None and other.chunk.chapter_index == pc.chunk.chapter_index]
            for n, pc in enumerate(order)}


def _hear(engine, transcriber, cache, takes, store: bool = True, around=None, results=None) -> dict[str, dict]:
    """Score takes [(planned chunk, audio, seed)]; stored in the cache unless store is False.
    With `around` (_neighbours), each take is heard between its chunk's neighbours whose takes
    passed (their cached audio, their scores in `results`): Whisper tiny doubts a short chunk heard
    alone, and a good new take could stay flagged. A window that is flagged is still heard again
    chunk by chunk."""
    found: dict[str, dict] = {}
    started = time.perf_counter()
    for first in range(0, len(takes), GROUP):
        engine.check_stop()
        group = takes[first : first + GROUP]
        texts, audios, at = [], [], []
        for pc, audio, _ in group:
            before, after = [], []
            for other in (around or {}).get(pc.key, []):
                passed = results is not None and results.get(other.key) and not is_flagged(results[other.key])
                other_audio = cache.get(other.key) if passed else None
                if other_audio is not None:
                    (before if other.index < pc.index else after).append((other.spoken, other_audio))
            for text, sound in [*before, (pc.spoken, audio), *after]:
                texts.append(text)
                audios.append(sound)
            at.append(len(texts) - 1 - len(after))
        heard = transcriber.score(texts, audios, cache.sample_rate)
        scores = [heard[n] for n in at]
        for (pc, _, seed), score in zip(group, scores, strict=True):
            result = {**score.to_json(), "flagged": score.flagged, "seed": seed}
            found[pc.key] = result
            if store:
                cache.put_check(pc.key, result)
        done = min(first + GROUP, len(takes))
        engine.events.progress(Progress(done, len(takes), time.perf_counter() - started, None, None, "check"))
    return found


def _retry(engine, transcriber, cache, flagged, results, around) -> None:
    """New takes of flagged chunks with the next seeds; the best heard take stays in the cache."""
    from backend.render.batch_loop import store_timing

    engine._log(f"Speech check: {len(flagged)} chunk{'s' if len(flagged) != 1 else ''} flagged; rendering "
                f"{'them' if len(flagged) != 1 else 'it'} again with other seeds (up to {MAX_RETRIES} more takes).")
    for attempt in range(1, MAX_RETRIES + 1):
        if not flagged:
            break
        engine.check_stop()
        takes, items = [], []
        for pc in flagged:
            item, reader = engine.synth_item(pc, durations=[])
            item = replace(item, seed=pc.seed + attempt)
            items.append((item, reader))
        audios = engine.session.run([item for item, _ in items])
        for pc, audio in zip(flagged, audios, strict=True):
            takes.append((pc, audio if audio.size else np.zeros(1, np.float32), pc.seed + attempt))
        heard = _hear(engine, transcriber, cache, takes, store=False, around=around, results=results)
        still = []
        for (pc, audio, seed), (item, reader) in zip(takes, items, strict=True):
            new = {**heard[pc.key], "takes": attempt + 1}
            if new["wer"] < results[pc.key]["wer"]:  # a better take replaces the cached one
                cache.put(pc.key, audio)
                store_timing(cache, pc.key, item, audio.size, reader.hop_length)
                results[pc.key] = new
            else:
                results[pc.key] = {**results[pc.key], "takes": attempt + 1}
            cache.put_check(pc.key, results[pc.key])  # how many takes were heard: a resume does not try again
            if is_flagged(results[pc.key]):
                still.append(pc)
        engine._log(f"Speech check, take {attempt + 1}: {len(flagged) - len(still)} of {len(flagged)} now pass.")
        flagged = still


def _report(engine, unique, results) -> None:
    flagged = [(pc, results[key]) for key, pc in unique.items() if is_flagged(results.get(key))]
    checked = sum(1 for r in results.values() if r)
    if not flagged:
        engine._log(f"Speech check: all {checked} chunks heard as written.")
        return
    examples = "; ".join(f"chunk {pc.index + 1} \"{_short(pc.chunk.text)}\" heard \"{_short(r['heard'])}\""
                         for pc, r in flagged[:3])
    engine._log(f"Speech check: {len(flagged)} of {checked} chunks flagged (word error rate above {MAX_WER:.0%} or "
                f"{MAX_MISSING}+ words missing): {examples}{' …' if len(flagged) > 3 else ''}. Listen to them; the "
                "check report lists every one.", "warning")


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_check_csv(path: Path, plan, results: dict[str, dict], places: dict[int, tuple[int, float]]) -> Path:
    """`<title> check.csv`: one row per chunk with where it is heard (chapter file, seconds)."""
    from backend.atomic_file import replacing

    with replacing(path) as temp, open(temp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["chunk", "chapter", "time", "text", "heard", "wer", "flagged", "missing", "added", "seed"])
        for pc in plan.chunks:
            result = results.get(pc.key)
            if result is None:
                continue
            chapter, at = places.get(pc.index, (None, None))
            score = ChunkScore.from_json(result)
            writer.writerow([pc.index + 1, chapter or "", "" if at is None else _clock(at), pc.chunk.text,
                             result["heard"], f"{score.wer:.3f}" if score else "", "yes" if is_flagged(result) else "no",
                             " ".join(result["missing"]), " ".join(result["added"]), result["seed"]])
    return path


def _clock(seconds: float) -> str:
    return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{seconds % 60:04.1f}"
