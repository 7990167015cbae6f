"""Dialogue voices: a book's quoted speech read in another voice, or by another speaker (or blend)
of the narration voice (backend/text/dialogue.py finds the quotes).

The choice is per book, saved beside its cached render (`dialogue.json` in the book's job
folder) by the window and by `audiobook render BOOK --dialogue-voice …`; later renders of the
book use it until it is changed or turned off. A dialogue chunk's cache key names its voice file
and speaker like any chunk's, so a resume and a re-render stay exact, and turning dialogue off
re-renders only the chunks that change. Light on purpose (no torch): the window reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from backend.atomic_file import save_text

FILE_NAME = "dialogue.json"
OFF_WORDS = ("off", "none", "no")


@dataclass(frozen=True)
class DialogueChoice:
    voice: str | None = None  # a voice's .onnx path, or the name of an installed one; None: the narration voice
    speaker: str | None = None  # of that voice: a name, id, saved blend or mix; None: its first speaker

    def describe(self) -> str:
        from backend.voices.blends import is_blend

        who = Path(self.voice).stem if self.voice and self.voice.endswith(".onnx") else self.voice
        kind = "blend" if is_blend(self.speaker) else "speaker"
        return f"{who or 'the narration voice'}{f', {kind} {self.speaker}' if self.speaker is not None else ''}"


@dataclass(frozen=True)
class DialogueVoice:
    """What the book's dialogue chunks render with: a voice and the render's settings, with that
    voice and speaker (its own defaults for speed and noise, like any voice)."""

    voice: object  # backend.tts.voice.Voice
    settings: object  # backend.settings.RenderSettings


def dialogue_file(job_dir: Path) -> Path:
    return Path(job_dir) / FILE_NAME


def read_choice(job_dir: Path) -> tuple[DialogueChoice | None, str | None]:
    """The book's saved choice (None: off) and a warning when the file could not be used."""
    path = dialogue_file(job_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), (str, type(None))) for k in ("voice", "speaker")):
            raise ValueError("it is not a voice and a speaker")
        return DialogueChoice(raw.get("voice"), raw.get("speaker")), None
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"The book's dialogue voice '{path}' cannot be used ({exc}); dialogue is read in the narration voice."


def save_choice(job_dir: Path, choice: DialogueChoice | None) -> None:
    """Save the book's choice (None: off, the file is removed). OSError says what could not be saved."""
    path = dialogue_file(job_dir)
    if choice is None:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OSError(f"Cannot turn the dialogue voice off in '{path}': {exc.strerror or exc}") from exc
        return
    save_text(path, json.dumps({"voice": choice.voice, "speaker": choice.speaker}, indent=2) + "\n",
              "the book's dialogue voice")


def parse_choice(voice: str | None, speaker: str | None) -> DialogueChoice | None:
    """The CLI's --dialogue-voice and --dialogue-speaker as a choice; 'off' turns it off (None)."""
    voice = voice.strip() if voice is not None else None
    if voice is not None and voice.lower() in OFF_WORDS:
        return None
    if voice == "":
        raise ValueError("--dialogue-voice needs a voice (a .onnx file or an installed voice's name), or 'off'")
    speaker = speaker.strip() if speaker is not None else None
    return DialogueChoice(voice or None, speaker or None)


def find_voice_path(spec: str, installed: list[str]) -> str | None:
    """A voice given by .onnx path or by name (as 'audiobook voices' lists it) -> its path (None:
    the bundled voice). ValueError names the voices there are."""
    from backend.tts.voice import default_voice_path, list_voices

    if Path(spec).expanduser().is_file():
        return str(Path(spec).expanduser())
    voices = list_voices(installed)
    for voice in voices:
        if spec.lower() in (voice.name.lower(), voice.model_path.stem.lower()):
            return None if voice.model_path == default_voice_path() else str(voice.model_path)
    names = ", ".join(v.name for v in voices)
    raise ValueError(f"There is no voice '{spec}': give a .onnx file or the name of an installed voice ({names}).")


def resolve_dialogue(choice: DialogueChoice | None, narration, settings) -> DialogueVoice | None:
    """The book's dialogue voice, loaded and checked (None: dialogue off). ValueError or VoiceError
    say what is wrong: an unknown voice or speaker, or the narration voice and speaker themselves."""
    from backend.tts.voice import load_voice
    from backend.voices.blends import speaker_key

    if choice is None:
        return None
    if choice.voice is None:  # another speaker of the narration voice
        path, voice = settings.voice, narration
    else:
        path = find_voice_path(choice.voice, settings.voices)
        voice = load_voice(path)
    dialogue_settings = replace(settings, voice=path, speaker=choice.speaker)
    try:
        same_speaker = speaker_key(voice, dialogue_settings) == speaker_key(narration, settings)
    except ValueError as exc:
        raise ValueError(f"Dialogue voice: {exc}") from None
    if voice.sample_rate != narration.sample_rate:
        raise ValueError(f"The dialogue voice {voice.name} speaks at {voice.sample_rate} Hz and the narration voice "
                         f"{narration.name} at {narration.sample_rate} Hz: choose a dialogue voice of the same rate "
                         "(Piper's medium and high voices are 22050 Hz, its low and x_low ones 16000 Hz).")
    if same_speaker and voice.file_hash == narration.file_hash:
        raise ValueError(f"The dialogue voice ({choice.describe()}) reads like the narration voice: choose "
                         "another voice or speaker for dialogue, or turn the dialogue voice off.")
    return DialogueVoice(voice, dialogue_settings)


def saved_dialogue(job_dir: Path, narration, settings) -> DialogueVoice | None:
    """The book's saved dialogue voice for planning ahead (the window's Resume count); one that
    cannot be used is left out here: the render itself says why."""
    from backend.tts.errors import VoiceError

    try:
        return resolve_dialogue(read_choice(job_dir)[0], narration, settings)
    except (ValueError, VoiceError):
        return None
