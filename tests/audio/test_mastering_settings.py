"""The mastering settings: names shared with the presets, validation with clear messages."""

import pytest

from backend.audio.presets import PRESET_KEYS
from backend.settings import MASTER_PRESETS, RenderSettings
from backend.settings_store import load_settings


def test_setting_values_are_the_presets():
    assert MASTER_PRESETS == PRESET_KEYS
    defaults = RenderSettings()
    assert (defaults.master, defaults.room_tone_head, defaults.room_tone_tail) == ("acx", 0.75, 2.5)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("master", "loud", "master must be one of acx, podcast, ebu, off"),
    ("room_tone_head", -0.1, "room_tone_head must be 0 to 10 seconds"),
    ("room_tone_tail", 11, "room_tone_tail must be 0 to 10 seconds"),
    ("room_tone_tail", True, "room_tone_tail must be 0 to 10 seconds"),
])
def test_bad_values_are_refused(field, value, message):
    with pytest.raises(ValueError, match=message):
        RenderSettings(**{field: value})


def test_a_bad_saved_value_falls_back_to_its_default(tmp_path):
    path = tmp_path / "user_settings.json"
    path.write_text('{"master": "podcast", "room_tone_tail": "long"}', encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.master == "podcast" and loaded.settings.room_tone_tail == 2.5
    assert any("room_tone_tail" in w for w in loaded.warnings)
