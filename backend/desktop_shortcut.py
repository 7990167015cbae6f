"""`audiobook install-shortcut` / `uninstall-shortcut`: the double-click launcher for the user.

Linux (freedesktop): a .desktop entry in $XDG_DATA_HOME/applications whose Exec is the absolute
path of this installation's `audiobook` command, and the icon in the hicolor theme, so the menu
finds both whatever PATH the desktop session has. Windows: a Start-menu shortcut to
`audiobook-gui.exe` (no console window), made by PowerShell's WScript.Shell. The template and the
icon are package data (app/assets), so an installed wheel has them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

from backend.atomic_file import save_text

APP_ID = "audiobook-renderer"
WINDOWS_NAME = "Audiobook Renderer.lnk"


def _asset(name: str) -> bytes:
    return files("app").joinpath("assets", name).read_bytes()


def _command(name: str) -> Path:
    """This installation's console script `name` (beside its Python: a venv's, pipx's or the system's)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe", folder / "Scripts" / f"{name}.exe"):
        if candidate.exists():
            return candidate.absolute()
    raise FileNotFoundError(f"The '{name}' command is not installed beside {sys.executable}: install the program "
                            "with pip or pipx first (pip install . or pipx install .).")


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def linux_paths() -> tuple[Path, Path]:
    """(the .desktop entry, the icon) this command writes."""
    home = data_home()
    return home / "applications" / f"{APP_ID}.desktop", home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def windows_path() -> Path:
    return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Microsoft" / "Windows" / \
        "Start Menu" / "Programs" / WINDOWS_NAME


def install_shortcut() -> list[Path]:
    """Make (or update) the launcher; returns the files written. OSError/FileNotFoundError say why not."""
    if sys.platform == "win32":
        return [_install_windows()]
    entry, icon = linux_paths()
    icon.parent.mkdir(parents=True, exist_ok=True)
    icon.write_bytes(_asset("icon.svg"))
    command = _command("audiobook")
    lines = []
    for line in _asset(f"{APP_ID}.desktop").decode("utf-8").splitlines():
        if line.startswith("Exec="):
            line = f'Exec="{command}" %f' if " " in str(command) else f"Exec={command} %f"
        elif line.startswith("Icon="):
            line = f"Icon={icon}"
        lines.append(line)
    save_text(entry, "\n".join(lines) + "\n", "the launcher")
    return [entry, icon]


def uninstall_shortcut() -> list[Path]:
    """Remove the launcher; returns the files removed (none: there was nothing to remove)."""
    paths = [windows_path()] if sys.platform == "win32" else list(linux_paths())
    removed = []
    for path in paths:
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def _install_windows() -> Path:
    target, link = _command("audiobook-gui"), windows_path()
    link.parent.mkdir(parents=True, exist_ok=True)
    quote = lambda p: str(p).replace("'", "''")  # noqa: E731 (PowerShell single-quoted string)
    script = (f"$s = (New-Object -ComObject WScript.Shell).CreateShortcut('{quote(link)}'); "
              f"$s.TargetPath = '{quote(target)}'; $s.WorkingDirectory = '{quote(Path.home())}'; "
              "$s.Description = 'Turn books into audiobooks'; $s.Save()")
    done = subprocess.run(["powershell", "-NoProfile", "-NonInteractive", "-Command", script],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not link.exists():
        raise OSError(f"Could not make the Start-menu shortcut: {done.stderr.strip() or 'PowerShell failed'}")
    return link


def run_install(args) -> int:
    try:
        written = install_shortcut()
    except (OSError, FileNotFoundError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"Wrote {path}")
    print("Audiobook Renderer is in your applications menu now (log out and in if it does not show yet).")
    return 0


def run_uninstall(args) -> int:
    try:
        removed = uninstall_shortcut()
    except OSError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for path in removed:
        print(f"Removed {path}")
    if not removed:
        print("There was no launcher to remove.")
    return 0


def add_parsers(sub) -> None:
    sub.add_parser("install-shortcut", help="add Audiobook Renderer to your applications menu (Linux) or Start "
                                            "menu (Windows)").set_defaults(func=run_install)
    sub.add_parser("uninstall-shortcut", help="remove that launcher").set_defaults(func=run_uninstall)
