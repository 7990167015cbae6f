"""The launcher's check of Qt's X11 plugin (app/platform_check.py) with the real plugin and the
real dynamic linker: as installed (CI installs Qt's X11 libraries), and a copy of the plugin whose
needed libraries were renamed to versions no system has, as on a machine that lacks them."""

import os
import sys
from pathlib import Path

import pytest

from app import platform_check
from app.platform_check import check_platform, install_message, missing_libraries, platforms_folder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's X11 plugin is Linux's")
RENAMED = {b"libxcb-cursor.so.0": b"libxcb-cursor.so.7", b"libxcb-icccm.so.4": b"libxcb-icccm.so.7",
           b"libxcb-keysyms.so.1": b"libxcb-keysyms.so.7"}


@pytest.fixture()
def lacking(tmp_path):
    """A platforms folder like PySide6's whose X11 plugin needs three libraries no system has (same
    length names, so the ELF stays valid); its $ORIGIN/../../lib still finds Qt's own libraries."""
    real = platforms_folder()
    qt = tmp_path / "Qt"
    folder = qt / "plugins" / "platforms"
    folder.mkdir(parents=True)
    os.symlink(real.parents[1] / "lib", qt / "lib")
    data = (real / "libqxcb.so").read_bytes()
    for old, new in RENAMED.items():
        assert old in data
        data = data.replace(old, new)
    (folder / "libqxcb.so").write_bytes(data)
    (folder / "libqwayland.so").write_bytes((real / "libqwayland.so").read_bytes())
    return folder


def test_the_installed_plugin_loads(lacking):
    assert missing_libraries(platforms_folder() / "libqxcb.so") == []
    assert check_platform({"DISPLAY": ":0"}) == (True, None)
    assert missing_libraries(lacking / "libqxcb.so") == sorted(n.decode() for n in RENAMED.values())


def test_missing_libraries_are_named_with_the_install_commands(lacking):
    can_start, message = check_platform({"DISPLAY": ":0"}, lacking)
    assert not can_start
    assert "libxcb-cursor.so.7, libxcb-icccm.so.7, libxcb-keysyms.so.7" in message
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms" in message
    assert "audiobook render BOOK" in message  # the command line still works


def test_wayland_is_used_when_it_loads_and_a_chosen_platform_is_left_alone(lacking):
    env = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    can_start, message = check_platform(env, lacking)
    assert can_start and env["QT_QPA_PLATFORM"] == "wayland" and "uses Wayland" in message
    assert check_platform({"QT_QPA_PLATFORM": "offscreen"}, lacking) == (True, None)


def test_unknown_libraries_get_a_search_hint():
    message = install_message(["libxcb-cursor.so.0", "libfoo.so.3"])
    assert "libxcb-cursor0" in message and "apt-file search" in message and "libfoo.so.3" in message


def test_the_window_command_stops_with_the_message_before_qt(lacking, monkeypatch, capsys):
    from app import main as window_main

    monkeypatch.setattr(platform_check, "platforms_folder", lambda: lacking)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert window_main.main(["audiobook"]) == 1
    assert "sudo apt install libxcb-cursor0" in capsys.readouterr().err
    assert Path(lacking / "libqxcb.so").exists()
