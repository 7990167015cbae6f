"""Speaker blends: a weighted mix of 2 to 4 speakers of a multi-speaker voice (a new voice made
from their embeddings), written "alice:0.7,bob:0.3" (names or ids; weights are normalized).

A blend may be saved under a name (RenderSettings.blends) and then used like a speaker. The
normalized mix, not its name, is part of each chunk's cache key: renaming a blend re-renders
nothing, changing its weights re-renders everything it reads.
"""

from __future__ import annotations

import math

Blend = tuple[tuple[int, float], ...]  # (speaker id, weight), weights summing to 1
MIN_SPEAKERS, MAX_SPEAKERS = 2, 4


def is_blend(spec) -> bool:
    return isinstance(spec, str) and ":" in spec


def parse_blend(voice, spec: str) -> Blend:
    """'alice:0.7, bob:0.3' -> ((0, 0.7), (1, 0.3)) for this voice; ValueError says what is wrong."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    mix: dict[int, float] = {}
    for part in parts:
        who, _, weight = part.rpartition(":")
        try:
            value = float(weight)
        except ValueError:
            raise ValueError(f"Blend part '{part}': the weight after ':' must be a number.") from None
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"Blend part '{part}': the weight must be above 0.")
        who = who.strip()
        sid = voice.speaker_id(int(who) if who.isdigit() and who not in voice.speakers else who)
        if sid in mix:
            raise ValueError(f"Blend '{spec}' names speaker {who!r} twice.")
        mix[sid] = value
    if not MIN_SPEAKERS <= len(mix) <= MAX_SPEAKERS:
        raise ValueError(f"A blend mixes {MIN_SPEAKERS} to {MAX_SPEAKERS} speakers, like 'alice:0.7,bob:0.3'; "
                         f"'{spec}' has {len(mix)}.")
    total = sum(mix.values())
    return tuple((sid, round(w / total, 6)) for sid, w in sorted(mix.items()))


def speaker_for(voice, settings) -> int | Blend:
    """What a render speaks with: a speaker id, or a blend (named in settings.blends, or written out)."""
    spec = settings.speaker
    if isinstance(spec, str) and spec in settings.blends:
        spec = settings.blends[spec]
    if is_blend(spec):
        if voice.num_speakers <= 1:
            raise ValueError(f"Voice '{voice.name}' has a single speaker: there is nothing to blend.")
        return parse_blend(voice, spec)
    return voice.speaker_id(spec)


def speaker_key(voice, settings) -> int | list:
    """The cache key's speaker entry: the id, or the normalized mix."""
    speaker = speaker_for(voice, settings)
    return speaker if isinstance(speaker, int) else [list(pair) for pair in speaker]


def named_blend(voice, name: str, spec: str) -> tuple[str, str]:
    """A blend to save: (its name, trimmed; the mix written with speaker names and normalized
    weights, 'alice:0.7,bob:0.3'). ValueError says what is wrong with the name or the mix."""
    name = (name or "").strip()
    if not name or ":" in name or "," in name:
        raise ValueError("A blend's name must not be empty or contain ':' or ','.")
    if name in voice.speakers:
        raise ValueError(f"'{name}' is already a speaker of voice '{voice.name}': give the blend another name.")
    names = {sid: n for n, sid in voice.speakers.items()}
    return name, ",".join(f"{names.get(sid, sid)}:{w:g}" for sid, w in parse_blend(voice, spec))
