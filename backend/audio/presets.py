"""Mastering presets (the published specs they aim at) and the checks of the quality report.

Audiobook (ACX, the default; Findaway/Spotify and Google Play follow it closely): per file RMS
-23…-18 dB, peak ≤ -3 dB (true peak, measured on what is delivered), noise floor ≤ -60 dB RMS,
room tone 0.5–1 s at the head and 1–5 s at the tail, 44.1 kHz, MP3 ≥ 192 kbps CBR, ≤ 120 min.
Podcast / Apple: -16 LUFS ±1, true peak ≤ -1 dBTP. EBU R128: -23 LUFS ±0.5, true peak ≤ -1 dBTP.
Off: no mastering; the report shows the figures without checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backend.audio.levels import DIGITAL_SILENCE_DB


@dataclass(frozen=True)
class Rule:
    low: float | None = None
    high: float | None = None

    def passes(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self, unit: str) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}{unit}"
        return f"≤ {self.high:g}{unit}" if self.high is not None else f"≥ {self.low:g}{unit}"


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    loudness: str | None = None  # what the target is in: "rms" (dB RMS of the whole file) or "lufs"
    target: float | None = None
    true_peak_max: float | None = None  # dBTP the spec allows
    ceiling_db: float | None = None  # where the limiter sits: under the spec, for encoding's overshoot
    rules: dict[str, Rule] = field(default_factory=dict)  # Measurement field -> allowed range
    sample_rate: int | None = None  # the rate the spec asks for (mastering always writes 44.1 kHz)
    min_mp3_kbps: int | None = None  # delivery MP3: at least this bit rate, constant
    verify_mp3: str | None = None  # when MP3s are made, mastering checks the true peak of one at this rate
    max_minutes: float | None = None

    @property
    def masters(self) -> bool:
        return self.loudness is not None


MASTERED_RATE = 44100
ACX = Preset("acx", "Audiobook (ACX)", "rms", -20.0, -3.0, -3.5,
             {"rms_db": Rule(-23.0, -18.0), "sample_peak_db": Rule(high=-3.0), "true_peak_db": Rule(high=-3.0),
              "noise_floor_db": Rule(DIGITAL_SILENCE_DB, -60.0), "head_s": Rule(0.5, 1.0), "tail_s": Rule(1.0, 5.0)},
             sample_rate=44100, min_mp3_kbps=192, verify_mp3="192k", max_minutes=120.0)
# The limiter sits lower for Podcast: a 64 kbps AAC (M4B) overshot -1.5 by 0.5 dB.
PODCAST = Preset("podcast", "Podcast / Apple", "lufs", -16.0, -1.0, -2.0,
                 {"integrated_lufs": Rule(-17.0, -15.0), "true_peak_db": Rule(high=-1.0)}, verify_mp3="128k")
EBU = Preset("ebu", "EBU R128", "lufs", -23.0, -1.0, -1.5,
             {"integrated_lufs": Rule(-23.5, -22.5), "true_peak_db": Rule(high=-1.0)})
OFF = Preset("off", "Off")
PRESETS: dict[str, Preset] = {p.key: p for p in (ACX, PODCAST, EBU, OFF)}
PRESET_KEYS = tuple(PRESETS)


def get_preset(key: str) -> Preset:
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"unknown mastering preset {key!r}: choose one of {', '.join(PRESET_KEYS)}") from None


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: the preset has no rule for it
    rule: str = ""  # what the spec asks, for ✗ explanations and tooltips


UNITS = {"rms_db": " dB", "sample_peak_db": " dBFS", "true_peak_db": " dBTP", "noise_floor_db": " dB",
         "integrated_lufs": " LUFS", "head_s": " s", "tail_s": " s"}


def check_measurement(m, preset: Preset) -> dict[str, Check]:
    """✓/✗ per report column for one Measurement; columns without a rule are absent."""
    checks: dict[str, Check] = {}
    whole_book = m.chapters > 1  # an M4B of the whole book is no upload: length and bit rate do not apply
    phone_copy = m.codec == "opus"  # small listening copies: their level is checked, not their format
    for name, rule in preset.rules.items():
        value = getattr(m, name)
        text = rule.describe(UNITS.get(name, ""))
        if name == "noise_floor_db":
            if value < DIGITAL_SILENCE_DB:
                checks[name] = Check(False, f"≤ {rule.high:g} dB of room tone, not digital silence")
                continue
            text = f"≤ {rule.high:g} dB"
        checks[name] = Check(not math.isnan(value) and rule.passes(value), text)
    if preset.max_minutes is not None and not whole_book:
        checks["duration"] = Check(m.duration <= preset.max_minutes * 60, f"≤ {preset.max_minutes:g} min per file")
    if preset.sample_rate is not None and not phone_copy:
        checks["sample_rate"] = Check(m.sample_rate == preset.sample_rate, f"{preset.sample_rate} Hz")
    if preset.min_mp3_kbps is not None and not whole_book and not phone_copy:
        rule = f"lossless, or MP3 ≥ {preset.min_mp3_kbps} kbps CBR"
        if m.lossless:
            checks["bit_rate"] = Check(True, rule)
        else:
            checks["bit_rate"] = Check(m.codec == "mp3" and (m.bit_rate_kbps or 0) >= preset.min_mp3_kbps - 0.5
                                       and m.bit_rate_mode == "CBR", rule)
    return checks


def failures(m, preset: Preset) -> list[str]:
    """One phrase per failed check of a Measurement, e.g. 'true peak -2.8 dBTP (allowed ≤ -3 dBTP)'."""
    names = {"rms_db": "RMS", "sample_peak_db": "peak", "true_peak_db": "true peak", "noise_floor_db": "noise floor",
             "integrated_lufs": "loudness", "head_s": "head room tone", "tail_s": "tail room tone",
             "duration": "length", "sample_rate": "sample rate", "bit_rate": "bit rate"}
    out = []
    for name, check in check_measurement(m, preset).items():
        if check.ok is False:
            out.append(f"{names[name]} {format_value(m, name)} (wanted {check.rule})")
    return out


def format_value(m, name: str) -> str:
    """A column's figure as the report prints it."""
    if name == "duration":
        seconds = round(m.duration)
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if name == "sample_rate":
        return f"{m.sample_rate} Hz"
    if name == "bit_rate":
        if m.lossless:
            return "lossless"
        kbps = f"{m.bit_rate_kbps:g} kbps" if m.bit_rate_kbps else "? kbps"
        return f"{kbps} {m.bit_rate_mode}" if m.bit_rate_mode else kbps
    if name == "channels":
        return m.channel_mode
    value = getattr(m, name)
    if name in ("head_s", "tail_s"):
        return f"{value:.2f} s"
    if math.isinf(value):
        return "-inf"
    return f"{value:.1f}"
