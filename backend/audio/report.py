"""The quality report: every output file's figures, each checked against the chosen preset (✓/✗),
as `<title> audio report.csv`, a text table (CLI, Activity Log) and rows for the window's table.
A failed check is a warning for the user, never an error."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from backend.audio.presets import Preset, check_measurement, failures, format_value
from backend.audio.quality import Measurement, QualityError, measure_files

# (key, column title, unit shown in the CSV header)
COLUMNS = [("duration", "Duration", "h:mm:ss"), ("integrated_lufs", "Loudness", "LUFS"), ("rms_db", "RMS", "dB"),
           ("sample_peak_db", "Peak", "dBFS"), ("true_peak_db", "True peak", "dBTP"),
           ("noise_floor_db", "Noise floor", "dB"), ("head_s", "Head", "s"), ("tail_s", "Tail", "s"),
           ("sample_rate", "Rate", "Hz"), ("bit_rate", "Bit rate", "kbps"), ("channels", "Channels", "")]
AUDIO_SUFFIXES = {".flac", ".wav", ".mp3", ".m4b", ".m4a", ".aac", ".opus", ".ogg"}
MARKS = {True: "✓", False: "✗", None: ""}


@dataclass(frozen=True)
class Cell:
    text: str  # the figure
    ok: bool | None  # ✓ / ✗ / no rule
    rule: str  # what the preset asks ("" without a rule)

    @property
    def marked(self) -> str:
        return f"{self.text} {MARKS[self.ok]}".rstrip()


@dataclass
class QualityReport:
    preset: Preset
    measurements: list[Measurement] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file name, why it could not be measured)
    root: Path | None = None  # names are shown relative to it ("distribution/01 - ….mp3")

    def name(self, m: Measurement) -> str:
        if self.root is not None:
            try:
                return m.path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return m.path.name

    def cells(self, m: Measurement) -> dict[str, Cell]:
        checks = check_measurement(m, self.preset)
        cells = {}
        for key, _, _ in COLUMNS:
            check = checks.get(key)
            cells[key] = Cell(format_value(m, key), None if check is None else check.ok, check.rule if check else "")
        return cells

    @property
    def mixed_channels(self) -> bool:
        """ACX wants every file of a book mono, or every file stereo."""
        return self.preset.key == "acx" and len({m.channels for m in self.measurements}) > 1

    def warnings(self) -> list[str]:
        """One line per file that fails a check, plus the unreadable ones; empty when all pass."""
        lines = [f"{self.name(m)}: {'; '.join(problems)}" for m in self.measurements
                 if (problems := failures(m, self.preset))]
        if self.mixed_channels:
            lines.append("The files mix mono and stereo; ACX wants all of a book's files the same.")
        return lines + [message for _, message in self.unreadable]

    @property
    def passed(self) -> bool:
        return not self.warnings()

    def headline(self) -> str:
        """The report in one line, for logs and the window."""
        if self.preset.key == "off":
            return f"Audio report (mastering off): {self.verdict()}"
        return f"Audio check against {self.preset.label}: {self.verdict()}"

    def verdict(self) -> str:
        label = self.preset.label
        if self.preset.key == "off":
            return f"figures only, no checks ({len(self.measurements)} files)."
        bad = sum(1 for m in self.measurements if failures(m, self.preset)) + len(self.unreadable)
        total = len(self.measurements) + len(self.unreadable)
        if not bad and not self.mixed_channels:
            return f"All {total} files meet {label}." if total != 1 else f"The file meets {label}."
        if not bad:
            return f"The files mix mono and stereo, which {label} does not allow."
        return f"{bad} of {total} files do not meet {label} (a warning: the files are kept)."

    # -- output ------------------------------------------------------------------------------
    def table(self) -> str:
        """A fixed-width text table with ✓/✗, then the verdict and one line per problem."""
        header = ["File"] + [title for _, title, _ in COLUMNS]
        rows = [[self.name(m)] + [cell.marked for cell in self.cells(m).values()] for m in self.measurements]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        widths[0] = min(widths[0], 48)
        lines = ["  ".join(_fit(text, widths[i], i == 0) for i, text in enumerate(row)) for row in [header, *rows]]
        lines += ["", self.headline()]
        lines += [f"  ✗ {line}" for line in self.warnings()]
        return "\n".join(lines)

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        head = ["file"]
        for key, title, unit in COLUMNS:
            head += [f"{title} ({unit})" if unit else title, f"{title} check"]
        writer.writerow(head + ["preset", "problems"])
        for m in self.measurements:
            row = [self.name(m)]
            for cell in self.cells(m).values():
                row += [cell.text, MARKS[cell.ok]]
            writer.writerow(row + [self.preset.label, "; ".join(failures(m, self.preset))])
        for name, message in self.unreadable:
            writer.writerow([name] + [""] * (2 * len(COLUMNS)) + [self.preset.label, message])
        return out.getvalue()

    def write_csv(self, path: Path) -> Path:
        from backend.atomic_file import replacing

        with replacing(Path(path)) as temp:
            temp.write_text(self.csv_text(), encoding="utf-8-sig")  # the BOM lets spreadsheets read ✓/✗
        return Path(path)


def _fit(text: str, width: int, left: bool) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.ljust(width) if left else text.rjust(width)


def build_report(paths, preset: Preset, known: dict[Path, Measurement] | None = None,
                 root: Path | None = None) -> QualityReport:
    """Measure `paths` (reusing `known` measurements, e.g. from mastering) into a report; file names
    are shown relative to `root` when given."""
    known = {Path(p).resolve(): m for p, m in (known or {}).items()}
    paths = [Path(p) for p in paths]
    todo = [p for p in paths if p.resolve() not in known]
    measured = dict(zip(todo, measure_files(todo)))
    report = QualityReport(preset, root=Path(root) if root is not None else None)
    for path in paths:
        result = known.get(path.resolve()) or measured[path]
        if isinstance(result, QualityError):
            report.unreadable.append((path.name, str(result)))
        else:
            report.measurements.append(result)
    return report


def audio_outputs(paths) -> list[Path]:
    return [Path(p) for p in paths if Path(p).suffix.lower() in AUDIO_SUFFIXES]
