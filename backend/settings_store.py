"""user_settings.json: load (forgiving), save (atomic), and command-line overrides.

The file lives in the platformdirs user config folder, or in $AUDIOBOOK_CONFIG_DIR when that is set
(tests, portable installs). Loading never fails on the file's content: a corrupt file gives the
defaults, a bad key gives that key's default, and in both cases the original is copied to a
`user_settings.json.bak-YYYYmmdd-HHMMSS` beside it and a warning says so. The rules for a valid
value live only in RenderSettings.validate().
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from backend.atomic_file import save_text
from backend.settings import APP_NAME, RenderSettings

FILE_NAME = "user_settings.json"
CONFIG_DIR_ENV = "AUDIOBOOK_CONFIG_DIR"


@dataclass
class LoadedSettings:
    settings: RenderSettings
    warnings: list[str] = field(default_factory=list)
    backup: Path | None = None  # the copy of a faulty file, when one was made (or already existed)


def settings_path() -> Path:
    """user_settings.json in $AUDIOBOOK_CONFIG_DIR, else in the platformdirs user config folder."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser() / FILE_NAME
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def backup_copy(path: Path, data: bytes) -> Path:
    """Copy the faulty file beside itself; reuse an existing backup with the same bytes, so a file
    that stays faulty is not copied again on every start."""
    for old in sorted(path.parent.glob(f"{path.name}.bak-*")):
        try:
            if old.is_file() and old.read_bytes() == data:
                return old
        except OSError:
            continue
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    shutil.copyfile(path, target)
    return target


def _check_one(name: str, value) -> str | None:
    """None when `value` is valid for `name` on its own, else the reason."""
    try:
        RenderSettings(**{name: value})
    except (ValueError, TypeError, AttributeError) as exc:
        return str(exc) or type(exc).__name__
    return None


def load_settings(path: Path | None = None) -> LoadedSettings:
    path = Path(path) if path is not None else settings_path()
    defaults = RenderSettings()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(defaults)
    except OSError as exc:
        return LoadedSettings(defaults, [f"Cannot read the settings file '{path}' ({exc.strerror or exc}); "
                                         "using the default settings."])

    def keep_copy() -> tuple[Path | None, str]:
        try:
            saved = backup_copy(path, data)
        except OSError as exc:
            return None, f" (could not keep a copy of it: {exc.strerror or exc})"
        return saved, f" The original file is kept as '{saved}'."

    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError(f"it holds a JSON {type(raw).__name__}, not an object")
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        backup, note = keep_copy()
        return LoadedSettings(defaults, [f"The settings file '{path}' is not valid ({exc}); "
                                         f"using the default settings.{note}"], backup)

    known = set(RenderSettings.field_names())
    good: dict = {}
    problems: list[str] = []
    for key, value in raw.items():
        if not isinstance(key, str) or key.startswith("_"):
            continue  # "_help" and the like: documentation
        if key not in known:
            problems.append(f"unknown setting '{key}' in '{path}' was ignored.")
            continue
        reason = _check_one(key, value)
        if reason is None:
            good[key] = value
        else:
            problems.append(f"setting '{key}' in '{path}' has an invalid value {json.dumps(value)} ({reason}); "
                            f"using the default {json.dumps(getattr(defaults, key))}.")
    try:
        settings = RenderSettings(**good)
    except (ValueError, TypeError, AttributeError) as exc:  # only if a future rule spans several keys
        settings = defaults
        problems.append(f"the settings in '{path}' do not fit together ({exc}); using the default settings.")
    if not problems:
        return LoadedSettings(settings)
    backup, note = keep_copy()
    return LoadedSettings(settings, [p[0].upper() + p[1:] + note for p in problems], backup)


def settings_json(settings: RenderSettings) -> str:
    return json.dumps(settings.to_dict(), indent=2, sort_keys=True, default=os.fspath, ensure_ascii=False) + "\n"


def save_settings(settings: RenderSettings, path: Path | None = None) -> Path:
    """Write the settings atomically (an existing file stays intact if this fails); return the path."""
    path = Path(path) if path is not None else settings_path()
    return save_text(path, settings_json(settings), "the settings")


def apply_overrides(settings: RenderSettings, **overrides) -> RenderSettings:
    """A validated copy of `settings` with every override that is not None applied."""
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(given) - set(RenderSettings.field_names()))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
    try:
        return dataclasses.replace(copy.deepcopy(settings), **given)
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"invalid setting value ({exc})") from None
