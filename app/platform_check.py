"""Before Qt starts on Linux: can its X11 platform plugin load? Qt aborts (and dumps core) with
"could not load the Qt platform plugin xcb" when a system library it needs is missing, common on
fresh installs and minimal desktops. We ask the dynamic linker (ldd) first, and either fall back
to Wayland, where that plugin loads, or say which packages to install. Imports no Qt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

# soname stem -> (Debian/Ubuntu package, Fedora package)
PACKAGES = {
    "libxcb-cursor": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-xinerama": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr": ("libxcb-randr0", "libxcb"),
    "libxcb-shape": ("libxcb-shape0", "libxcb"),
    "libxcb-xfixes": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync": ("libxcb-sync1", "libxcb"),
    "libxcb-xkb": ("libxcb-xkb1", "libxcb"),
    "libxcb-shm": ("libxcb-shm0", "libxcb"),
    "libxcb-render": ("libxcb-render0", "libxcb"),
    "libxcb": ("libxcb1", "libxcb"),
    "libX11-xcb": ("libx11-xcb1", "libX11-xcb"),
    "libX11": ("libx11-6", "libX11"),
    "libEGL": ("libegl1", "libglvnd-egl"),
    "libGL": ("libgl1", "libglvnd-glx"),
    "libGLX": ("libglx0", "libglvnd-glx"),
    "libOpenGL": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig": ("libfontconfig1", "fontconfig"),
    "libfreetype": ("libfreetype6", "freetype"),
    "libdbus-1": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0": ("libglib2.0-0", "glib2"),
    "libwayland-client": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl": ("libwayland-egl1", "libwayland-egl"),
}
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)


def platforms_folder() -> Path | None:
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"
    return folder if folder.is_dir() else None


def missing_libraries(plugin: Path) -> list[str] | None:
    """The libraries (sonames) the dynamic linker cannot find for `plugin` and everything it
    needs; None when that cannot be found out (no ldd)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted(set(_NOT_FOUND.findall(out)))


def packages_for(sonames: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(Debian packages, Fedora packages, sonames no package is known for)."""
    debian, fedora, unknown = [], [], []
    for soname in sonames:
        stem = soname.split(".so")[0]
        if stem in PACKAGES:
            deb, rpm = PACKAGES[stem]
            debian += [deb] if deb not in debian else []
            fedora += [rpm] if rpm not in fedora else []
        else:
            unknown.append(soname)
    return debian, fedora, unknown


def install_lines(sonames: list[str]) -> list[str]:
    debian, fedora, unknown = packages_for(sonames)
    lines = []
    if debian:
        lines.append(f"  Debian, Ubuntu, Mint:  sudo apt install {' '.join(debian)}")
    if fedora:
        lines.append(f"  Fedora:                sudo dnf install {' '.join(fedora)}")
    if unknown:
        lines.append(f"  (for {', '.join(unknown)}: 'apt-file search NAME' or 'dnf provides */NAME' names the package)")
    return lines


def install_message(sonames: list[str]) -> str:
    return "\n".join([
        f"The window cannot start: Qt's X11 support needs system libraries that are missing: {', '.join(sonames)}.",
        "Install them, then run audiobook again:", *install_lines(sonames),
        "The command line works without them: audiobook render BOOK (see audiobook --help)."])


def check_platform(env=os.environ, platforms: Path | None = None) -> tuple[bool, str | None]:
    """(can the window start, a message). Sets QT_QPA_PLATFORM=wayland in `env` when X11 cannot
    load but Wayland can. Only X11 on Linux is checked: another platform, or one the user set, is
    left to Qt."""
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM", "xcb") not in ("xcb", ""):
        return True, None
    platforms = platforms or platforms_folder()
    if platforms is None or not (platforms / "libqxcb.so").exists():
        return True, None
    missing = missing_libraries(platforms / "libqxcb.so")
    if not missing:
        return True, None
    wayland = platforms / "libqwayland.so"
    if env.get("WAYLAND_DISPLAY") and wayland.exists() and missing_libraries(wayland) == []:
        env["QT_QPA_PLATFORM"] = "wayland"
        return True, "\n".join([f"Qt's X11 support is missing {', '.join(missing)}: the window uses Wayland "
                                 "instead. For X11, install:", *install_lines(missing)])
    return False, install_message(missing)
