"""The mastering and quality-report steps of a render (called from outputs.write_outputs; the work
is done in backend/audio). Mastering runs on each chapter file right after it is assembled, before
the M4B, MP3s and subtitles are made from it; the report measures every audio output at the end.
Neither touches the chunk cache: changing the preset re-assembles, it never re-renders."""

from __future__ import annotations

from pathlib import Path

from backend.audio.mastering import MasteringResult, master_file
from backend.audio.presets import get_preset
from backend.audio.quality import Measurement
from backend.audio.report import QualityReport, audio_outputs, build_report

MP3_OUTPUTS = ("mp3", "distribution")  # outputs delivered as MP3: mastering checks an MP3's true peak


class ChapterMastering:
    def __init__(self, engine) -> None:
        settings = engine.job.settings
        self.engine = engine
        self.preset = get_preset(settings.master)
        self.head, self.tail = settings.room_tone_head, settings.room_tone_tail
        self.verify_mp3 = any(o in settings.outputs for o in MP3_OUTPUTS)
        self.measurements: dict[Path, Measurement] = {}  # of the mastered chapter files, for the report
        self._extra_seed = 10_000

    @property
    def active(self) -> bool:
        return self.preset.masters

    def chapter(self, path: Path, number: int) -> MasteringResult | None:
        """Master chapter file `number` (1-based) in place; None when mastering is off. The room
        tone's noise is seeded by the number, so a re-run writes the same bytes."""
        if not self.active:
            return None
        result = master_file(path, self.preset, head=self.head, tail=self.tail, seed=number,
                             verify_mp3=self.verify_mp3)
        self.measurements[Path(path)] = result.measurement
        self.engine._log(f"Mastered {Path(path).stem}: {result.summary(self.preset)}")
        return result

    def finish(self, path: Path) -> None:
        """Master another file the render makes from the cache (the distribution credits)."""
        if self.active:
            self._extra_seed += 1
            master_file(path, self.preset, head=self.head, tail=self.tail, seed=self._extra_seed,
                        verify_mp3=self.verify_mp3)


def write_quality_report(engine, stem: str, outputs: list[Path], mastering: ChapterMastering) -> Path:
    """Measure every audio output, write `<stem> audio report.csv`, log the verdict and one warning
    per failing file; the report is kept on the engine for the summary (window, CLI)."""
    files = audio_outputs(outputs)
    engine._log(f"Checking {len(files)} audio file{'s' if len(files) != 1 else ''} against {mastering.preset.label}…")
    report: QualityReport = build_report(files, mastering.preset, mastering.measurements, root=engine.job.output_dir)
    path = report.write_csv(engine.job.output_dir / f"{stem} audio report.csv")
    engine.quality_report = report
    engine._log(report.headline())
    for line in report.warnings():
        engine._log(f"Audio check: {line}", "warning")
    return path
