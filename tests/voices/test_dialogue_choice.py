"""A book's dialogue voice: the saved choice, the CLI's words for it, and the checks before a
render (backend/voices/dialogue.py), with the real bundled voice and a real multi-speaker voice."""

import json
import shutil

import pytest

from backend.settings import RenderSettings
from backend.tts.voice import default_voice_path, load_voice
from backend.voices.dialogue import (
    DialogueChoice,
    dialogue_file,
    find_voice_path,
    parse_choice,
    read_choice,
    resolve_dialogue,
    save_choice,
)
from tests.tts.piper_voices import SMALL, export_voice


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


def test_the_choice_is_saved_per_book_and_off_removes_it(tmp_path):
    assert read_choice(tmp_path) == (None, None)
    save_choice(tmp_path, DialogueChoice("/voices/x.onnx", "bob"))
    assert read_choice(tmp_path) == (DialogueChoice("/voices/x.onnx", "bob"), None)
    save_choice(tmp_path, None)
    assert not dialogue_file(tmp_path).exists() and read_choice(tmp_path) == (None, None)


def test_a_damaged_choice_says_so_and_reads_everything_in_one_voice(tmp_path):
    dialogue_file(tmp_path).write_text("{not json", encoding="utf-8")
    choice, warning = read_choice(tmp_path)
    assert choice is None and "cannot be used" in warning and "narration voice" in warning
    dialogue_file(tmp_path).write_text(json.dumps({"voice": 3}), encoding="utf-8")
    assert read_choice(tmp_path)[0] is None


def test_the_command_line_words():
    assert parse_choice("off", None) is None and parse_choice(" None ", "bob") is None
    assert parse_choice("amy.onnx", None) == DialogueChoice("amy.onnx", None)
    assert parse_choice(None, " bob ") == DialogueChoice(None, "bob")
    with pytest.raises(ValueError, match="needs a voice"):
        parse_choice("  ", None)


def test_voices_are_found_by_path_or_by_name(multi):
    assert find_voice_path(str(multi), []) == str(multi)
    assert find_voice_path("en_US-joe-medium", []) is None  # the bundled voice
    assert find_voice_path(multi.stem, [str(multi)]) == str(multi)
    with pytest.raises(ValueError, match="no voice 'amy'.*en_US-joe-medium"):
        find_voice_path("amy", [str(multi)])


def test_another_speaker_of_the_narration_voice(multi):
    settings = RenderSettings(voice=str(multi), speaker="alice")
    narration = load_voice(multi)
    dialogue = resolve_dialogue(DialogueChoice(None, "carol"), narration, settings)
    assert dialogue.voice is narration and dialogue.settings.speaker == "carol"
    assert dialogue.settings.voice == str(multi) and settings.speaker == "alice"
    with pytest.raises(ValueError, match="reads like the narration voice"):
        resolve_dialogue(DialogueChoice(None, "0"), narration, settings)  # alice is speaker 0
    with pytest.raises(ValueError, match="Dialogue voice: .*no speaker 'dave'"):
        resolve_dialogue(DialogueChoice(None, "dave"), narration, settings)


def test_another_voice_and_a_voice_of_another_rate_are_refused_clearly(multi, tmp_path):
    joe = load_voice(None)
    settings = RenderSettings(voices=[str(multi)])
    dialogue = resolve_dialogue(DialogueChoice(multi.stem, "bob"), joe, settings)
    assert dialogue.voice.file_hash == load_voice(multi).file_hash and dialogue.settings.speaker == "bob"
    with pytest.raises(ValueError, match="reads like the narration voice"):
        resolve_dialogue(DialogueChoice("en_US-joe-medium"), joe, settings)
    # The same model said to speak at 16 kHz (Piper's low voices): refused before anything renders.
    low = tmp_path / "en_US-low-x_low.onnx"
    shutil.copy(default_voice_path(), low)
    config = json.loads(default_voice_path().with_suffix(".onnx.json").read_text(encoding="utf-8"))
    config["audio"]["sample_rate"] = 16000
    low.with_suffix(".onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="16000 Hz.*22050 Hz.*same rate"):
        resolve_dialogue(DialogueChoice(str(low)), joe, settings)
