"""user_settings.json: save/load round trip, forgiving loads with backups, overrides, the example file."""

import json
import os
from dataclasses import fields
from pathlib import Path

import pytest

from backend.settings import RenderSettings
from backend.settings_store import LoadedSettings, apply_overrides, load_settings, save_settings, settings_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "user_settings.example.json"


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(folder))
    return folder


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("user_settings.json.bak-*"))


def test_settings_path_follows_the_environment(config_dir, monkeypatch):
    assert settings_path() == config_dir / "user_settings.json"
    monkeypatch.delenv("AUDIOBOOK_CONFIG_DIR")
    default = settings_path()
    assert default.name == "user_settings.json" and "audiobook-renderer" in str(default)


def test_round_trip(config_dir):
    settings = RenderSettings(voice="/voices/a.onnx", batch_size="auto", cpu_streams=2, max_chars=250, length_scale=1.1, seed=7,
                              sentence_pause=0.5, chapter_format="wav", outputs=["mp3"], vram_limit_percent=80,
                              voices=["/voices/a.onnx"])
    written = save_settings(settings)
    assert written == config_dir / "user_settings.json"
    text = written.read_text(encoding="utf-8")
    assert list(json.loads(text)) == sorted(RenderSettings.field_names()) and text.startswith('{\n  "')
    assert not [p for p in config_dir.iterdir() if p != written]  # no temporary file left behind
    loaded = load_settings()
    assert loaded == LoadedSettings(settings, [], None)


def test_missing_file_gives_defaults_without_warning(config_dir):
    loaded = load_settings()
    assert loaded.settings == RenderSettings() and loaded.warnings == [] and loaded.backup is None
    assert not config_dir.exists()


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b""])
def test_corrupt_file_gives_defaults_and_a_backup(config_dir, content):
    config_dir.mkdir()
    path = config_dir / "user_settings.json"
    path.write_bytes(content)
    loaded = load_settings()
    assert loaded.settings == RenderSettings()
    assert [loaded.backup] == backups(config_dir)
    assert loaded.backup.name.startswith("user_settings.json.bak-") and loaded.backup.read_bytes() == content
    assert len(loaded.warnings) == 1
    assert str(path) in loaded.warnings[0] and str(loaded.backup) in loaded.warnings[0]
    assert path.read_bytes() == content  # the file itself is left for the user (or the next save)
    again = load_settings()  # the same faulty file is not copied again on every start
    assert again.backup == loaded.backup and backups(config_dir) == [loaded.backup]


def test_partly_invalid_keeps_the_good_keys(config_dir):
    config_dir.mkdir()
    path = config_dir / "user_settings.json"
    original = json.dumps({"batch_size": "ten", "max_chars": 500, "sentence_pause": -1, "chapter_format": "wav",
                           "seed": 3, "device": 5, "outputs": "srt", "paragraph_pause": 1.25})
    path.write_text(original, encoding="utf-8")
    loaded = load_settings()
    s = loaded.settings
    assert (s.max_chars, s.chapter_format, s.seed, s.paragraph_pause) == (500, "wav", 3, 1.25)
    assert (s.batch_size, s.sentence_pause, s.device, s.outputs) == (1, 0.30, "auto", ["m4b", "srt", "vtt"])
    assert len(loaded.warnings) == 4
    by_key = {key: [w for w in loaded.warnings if f"'{key}'" in w] for key in
              ("batch_size", "sentence_pause", "device", "outputs")}
    assert all(len(found) == 1 for found in by_key.values()), loaded.warnings
    assert '"ten"' in by_key["batch_size"][0] and "default 1" in by_key["batch_size"][0]
    assert "-1" in by_key["sentence_pause"][0] and "default 0.3" in by_key["sentence_pause"][0]
    assert backups(config_dir) == [loaded.backup] and loaded.backup.read_text(encoding="utf-8") == original


@pytest.mark.parametrize("bad", [0, 65, "many", True, 1.5])
def test_cpu_streams_validation(bad):
    with pytest.raises(ValueError, match="CPU streams must be 1 to 64 or 'auto'"):
        RenderSettings(cpu_streams=bad)
    assert RenderSettings(cpu_streams=4).cpu_streams == 4 and RenderSettings().cpu_streams == "auto"


def test_batch_size_out_of_range(config_dir):
    config_dir.mkdir()
    (config_dir / "user_settings.json").write_text('{"batch_size": 500, "max_chars": 120}', encoding="utf-8")
    loaded = load_settings()
    assert loaded.settings.batch_size == 1 and loaded.settings.max_chars == 120
    assert len(loaded.warnings) == 1 and "'batch_size'" in loaded.warnings[0] and "500" in loaded.warnings[0]


def test_unknown_keys_are_dropped_with_a_warning_and_help_is_ignored(config_dir):
    config_dir.mkdir()
    path = config_dir / "user_settings.json"
    path.write_text(json.dumps({"_help": {"x": "y"}, "_comment": 1, "colour": "blue", "seed": 9}), encoding="utf-8")
    loaded = load_settings()
    assert loaded.settings == RenderSettings(seed=9)
    assert len(loaded.warnings) == 1 and "'colour'" in loaded.warnings[0]
    assert loaded.backup is not None and loaded.backup.exists()


def test_only_documentation_keys_give_no_warning(config_dir):
    config_dir.mkdir()
    (config_dir / "user_settings.json").write_text('{"_help": {}, "chapter_pause": 2}', encoding="utf-8")
    loaded = load_settings()
    assert loaded.settings.chapter_pause == 2 and loaded.warnings == [] and loaded.backup is None
    assert backups(config_dir) == []


def test_example_file_is_in_sync_with_the_defaults():
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    help_ = example.pop("_help")
    names = [f.name for f in fields(RenderSettings)]
    assert set(example) == set(names) and set(help_) == set(names)
    assert example == json.loads(json.dumps(RenderSettings().to_dict()))
    assert all(isinstance(line, str) and line and "\n" not in line for line in help_.values())
    loaded = load_settings(EXAMPLE)
    assert loaded.settings == RenderSettings() and loaded.warnings == [] and loaded.backup is None


def test_apply_overrides():
    base = RenderSettings(chapter_format="wav", seed=4)
    changed = apply_overrides(base, batch_size=8, device=None, length_scale=1.2)
    assert (changed.batch_size, changed.length_scale, changed.chapter_format, changed.seed) == (8, 1.2, "wav", 4)
    assert changed.device == "auto" and base.batch_size == 1  # None leaves a value alone; the original is unchanged
    changed.outputs.append("mp3")
    assert base.outputs == ["m4b", "srt", "vtt"]
    with pytest.raises(ValueError, match="batch size"):
        apply_overrides(base, batch_size=0)
    with pytest.raises(ValueError, match="chapter format"):
        apply_overrides(base, chapter_format="ogg")
    with pytest.raises(ValueError, match="colour"):
        apply_overrides(base, colour="blue")


def test_save_to_an_unwritable_place_names_the_file(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file", encoding="utf-8")
    target = blocker / "user_settings.json"
    with pytest.raises(OSError, match="not_a_folder"):
        save_settings(RenderSettings(), target)


def test_failed_replace_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    """The same as below for any user, root included: the atomic rename itself fails."""
    folder = tmp_path / "cfg"
    path = save_settings(RenderSettings(seed=1), folder / "user_settings.json")

    def replace_fails(src, dst, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", replace_fails)
    with pytest.raises(OSError, match="user_settings.json"):
        save_settings(RenderSettings(seed=2), path)
    monkeypatch.undo()
    assert load_settings(path).settings.seed == 1
    assert [p.name for p in folder.iterdir()] == ["user_settings.json"]  # the temporary file is gone


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_failed_save_keeps_the_old_file(tmp_path):
    folder = tmp_path / "cfg"
    path = save_settings(RenderSettings(seed=1), folder / "user_settings.json")
    folder.chmod(0o500)
    try:
        with pytest.raises(OSError, match="user_settings.json"):
            save_settings(RenderSettings(seed=2), path)
    finally:
        folder.chmod(0o700)
    assert load_settings(path).settings.seed == 1
