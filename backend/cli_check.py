"""`audiobook check FILE…`: measure any audio files (ours or from elsewhere) the way every render's
audio report does, and check them against a preset's spec.

    audiobook check chapter01.mp3 chapter02.mp3 [--preset acx|podcast|ebu|off] [--csv report.csv]

Exit codes: 0 measured (even when a check fails: that is a warning, and the output says so),
1 a file could not be read (one line naming it and why; the others are still measured).
"""

from __future__ import annotations

import sys
from pathlib import Path


def _cmd_check(args) -> int:
    from backend.audio.presets import get_preset
    from backend.audio.report import build_report

    try:
        preset = get_preset(args.preset.strip().lower())
    except ValueError as exc:
        print(f"Error: --preset {args.preset!r}: {exc}", file=sys.stderr)
        return 1
    report = build_report([Path(f) for f in args.files], preset)
    if report.measurements:
        print(report.table())
        if args.csv:
            print(f"Wrote {report.write_csv(Path(args.csv))}", file=sys.stderr)
        if not report.passed:
            print(f"Some checks failed against {preset.label} (see ✗ above); the files were only read, not changed.",
                  file=sys.stderr)
    for _, message in report.unreadable:
        print(f"Error: {message}", file=sys.stderr)
    return 1 if report.unreadable else 0


def add_check_parser(sub) -> None:
    check = sub.add_parser("check", help="measure audio files (loudness, peaks, noise floor, room tone…) against a spec")
    check.add_argument("files", nargs="+", metavar="FILE", help="audio files in any format ffmpeg reads")
    check.add_argument("--preset", default="acx",
                       help="the spec to check against: acx (default), podcast, ebu, or off (figures only)")
    check.add_argument("--csv", default=None, metavar="FILE", help="also write the report as CSV")
    check.set_defaults(func=_cmd_check)
