"""Settings with 'auto' precision and CPU streams made concrete for the device a render runs on.

On a CPU, 'auto' is what the calibration measured on this machine (backend/tts/cpu_calibration.py,
once per machine, ~3 s); an explicit setting overrides its part. On a GPU, 'auto' precision is
float32. The precision is part of every chunk's cache key (a bfloat16 decoder is a different
take of each chunk), so a book already started keeps the precision it was started with: a resume
never re-renders a book because the machine's measured choice changed. The stream count is not
in the key: it changes samples by float rounding only (tests/tts/test_cpu_modes.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from backend.settings import RenderSettings
from backend.tts.cpu_mode_store import (
    FLOAT32,
    Calibration,
    CpuMode,
    calibration_file,
    load_calibration,
    machine_fingerprint,
    save_calibration,
)

Log = Callable[[str], None]
VoiceSource = Callable[[], object]  # gives the Voice to measure with; called only if a measurement is due


def measured_calibration(voice: VoiceSource, log: Log, again: bool = False, path: Path | None = None) -> Calibration:
    """This machine's calibration: remembered, or measured now with the voice (and remembered)."""
    import torch

    from backend.tts.cpu_calibration import calibrate

    path = path or calibration_file()
    calibration = None if again else load_calibration(path, machine_fingerprint(torch.get_num_threads()))
    if calibration is None:
        log("Measuring which CPU mode is fastest on this machine (once, about 3 s)…")
        calibration = calibrate(voice(), log=log)
        try:
            save_calibration(path, calibration)
        except OSError as exc:
            log(f"Could not remember the CPU mode in {path} ({exc.strerror or exc}); it is measured again next time.")
    return calibration


def cpu_mode(settings: RenderSettings, voice: VoiceSource, log: Log, pinned_precision: str | None = None) -> tuple[CpuMode, str]:
    """The mode a CPU render uses, and where it came from ('measured', 'set', 'as started')."""
    import torch

    threads = torch.get_num_threads()
    precision = pinned_precision or (None if settings.precision == "auto" else settings.precision)
    streams = None if settings.cpu_streams == "auto" else int(settings.cpu_streams)
    if precision is not None and streams is not None:
        return CpuMode(streams, max(1, threads // streams), precision), "set" if pinned_precision is None else "as started"
    calibration = measured_calibration(voice, log)
    if precision is None:
        mode = calibration.choice(streams)
    else:
        mode = calibration.best(precision, streams) or calibration.best(FLOAT32, streams)
        mode = replace(mode, precision=precision) if mode is not None else None
    if mode is None:  # the asked-for stream count was not among the trials
        from backend.tts.cpu_streams import default_streams

        count = streams or default_streams(threads)
        mode = CpuMode(count, max(1, threads // count), precision or FLOAT32)
    return mode, "measured" if pinned_precision is None else "as started"


def resolve_settings(settings: RenderSettings, device: str, voice: VoiceSource, log: Log,
                     started_precision: str | None = None) -> tuple[RenderSettings, str | None]:
    """(settings with concrete precision and CPU streams, a log line for a CPU render or None)."""
    pinned = started_precision if settings.precision == "auto" and _runs_on(started_precision, device) else None
    if not device.startswith("cpu"):
        return replace(settings, precision=pinned or ("float32" if settings.precision == "auto" else settings.precision)), None
    if settings.precision == "float16":
        return settings, None  # the synthesizer refuses it with its own message
    mode, source = cpu_mode(settings, voice, log, pinned)
    line = f"CPU mode: {mode.describe()} ({source})"
    if pinned and settings.precision == "auto":
        line += f"; this book was started in {pinned}, so it goes on in it (clear its cache to re-measure)"
    return replace(settings, precision=mode.precision, cpu_streams=mode.streams), line


def planning_settings(settings: RenderSettings, job_dir: Path | None = None) -> RenderSettings:
    """Settings whose chunk keys match what a render would make now, measuring nothing (the
    window's Resume count, tools that plan a rendered book): 'auto' precision is the book's
    started one, else this machine's remembered CPU choice on a CPU, else float32."""
    if settings.precision != "auto":
        return settings
    device = settings.resolved_device()
    started = None
    if job_dir is not None:
        from backend.render.chunk_cache import read_manifest

        started = started_precision(read_manifest(job_dir).data)
    if _runs_on(started, device):
        return replace(settings, precision=started)
    precision = FLOAT32
    if device.startswith("cpu"):
        import torch

        calibration = load_calibration(calibration_file(), machine_fingerprint(torch.get_num_threads()))
        choice = calibration.choice(None if settings.cpu_streams == "auto" else int(settings.cpu_streams)) \
            if calibration else None
        precision = choice.precision if choice else FLOAT32
    return replace(settings, precision=precision)


def started_precision(manifest: dict | None) -> str | None:
    """The precision a book's cached chunks were rendered in (from its manifest), if any."""
    params = (manifest or {}).get("params")
    precision = params.get("precision") if isinstance(params, dict) else None
    return precision if precision in ("float32", "float16", "bfloat16") else None


def _runs_on(precision: str | None, device: str) -> bool:
    return precision is not None and not (precision == "float16" and device.startswith("cpu"))
