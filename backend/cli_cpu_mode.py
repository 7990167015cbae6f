"""`audiobook cpu-mode`: which CPU mode renders use on this machine, and what each mode measured.

    audiobook cpu-mode            show it (measuring first, ~3 s, if this machine has no measurement)
    audiobook cpu-mode --again    measure again (after a BIOS, driver or power-plan change, say)
    audiobook cpu-mode --forget   forget it: the next CPU render measures again
"""

from __future__ import annotations

import sys

from backend.tts.cpu_mode_store import BF16_MIN_SNR_DB, Calibration


def describe_calibration(calibration: Calibration) -> list[str]:
    """The calibration as lines for a person: machine, every mode tried, the choice."""
    fp = calibration.fingerprint
    lines = [f"CPU: {fp.get('cpu')}, {fp.get('threads')} threads for PyTorch {fp.get('torch')}",
             f"Measured in {calibration.seconds:.1f} s:"]
    width = max((len(m.describe()) for m, _ in calibration.trials + [(s, 0) for s in calibration.skipped]), default=0)
    for mode, rtf in calibration.trials:
        lines.append(f"  {mode.describe():<{width}}  {1 / rtf:5.1f}x real time")
    for mode in calibration.skipped:
        lines.append(f"  {mode.describe():<{width}}  not measured (the 3 s budget ran out)")
    if calibration.bf16_snr_db is not None:
        verdict = "sounds the same" if calibration.bf16_allowed else "too different: not used"
        lines.append(f"bfloat16 against float32: SNR {calibration.bf16_snr_db:.1f} dB "
                     f"(allowed from {BF16_MIN_SNR_DB:.0f} dB: {verdict})")
    choice = calibration.choice()
    lines.append(f"Renders use: {choice.describe() if choice else 'the defaults'} (measured); "
                 "--cpu-streams and --precision override it.")
    return lines


def _cmd_cpu_mode(args) -> int:
    from backend.render.cpu_mode_step import measured_calibration
    from backend.tts.cpu_mode_store import calibration_file, forget_calibration
    from backend.tts.voice import load_voice

    if args.forget:
        gone = forget_calibration()
        print("Forgotten: the next CPU render measures again." if gone else "Nothing to forget: no mode was measured yet.")
        return 0
    calibration = measured_calibration(lambda: load_voice(args.voice), lambda line: print(line, file=sys.stderr),
                                       again=args.again)
    print("\n".join(describe_calibration(calibration)))
    print(f"(kept in {calibration_file()})", file=sys.stderr)
    return 0


def add_cpu_mode_parser(sub) -> None:
    cmd = sub.add_parser("cpu-mode", help="show (or measure again) the fastest CPU mode of this machine")
    group = cmd.add_mutually_exclusive_group()
    group.add_argument("--again", action="store_true", help="measure again now")
    group.add_argument("--forget", action="store_true", help="forget the measurement (the next render measures)")
    cmd.add_argument("--voice", default=None, help="measure with this Piper voice .onnx (default: the bundled one)")
    cmd.set_defaults(func=_cmd_cpu_mode)
