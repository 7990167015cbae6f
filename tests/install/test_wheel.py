"""The program as users install it: the wheel built from this checkout, installed (not editable)
into a fresh virtual environment, run from outside the checkout. Its dependencies come from the
test environment's site-packages (a path, not its .pth files, so this checkout's editable install
is not seen), which keeps the test offline and fast."""

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOW_STARTS = """
import sys, app, app.main
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
assert app.__file__.startswith(sys.prefix), app.__file__  # the installed copy, not the checkout
assert app.main.ICON.is_file(), app.main.ICON
qt = QApplication(sys.argv)
QTimer.singleShot(0, lambda: (print("window:", [w.windowTitle() for w in qt.topLevelWidgets() if w.isVisible()]),
                              print("icon:", not qt.windowIcon().isNull()), qt.quit()))
sys.exit(app.main.main(["audiobook"]))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("audiobook_renderer-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    Path(purelib, "test-deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return venv, python, wheel


def run(args, cwd, **env):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, cwd=cwd,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env})


def test_the_wheel_holds_the_package_data(installed):
    import zipfile

    names = zipfile.ZipFile(installed[2]).namelist()
    assert "app/assets/icon.svg" in names and "app/assets/audiobook-renderer.desktop" in names
    assert not any(n.startswith(("tests/", "bench/", "resources/")) for n in names)


def test_the_installed_command_renders_a_book(installed, tmp_path):
    venv, python, _ = installed
    book = tmp_path / "ferry.txt"
    book.write_text("The Ferry\n\nThe ferry left at 6:45. Nobody waved.\n", encoding="utf-8")
    audiobook = venv / "bin" / "audiobook"
    proc = run([audiobook, "render", book, "-o", tmp_path / "out", "--cache-dir", tmp_path / "cache", "--device", "cpu",
                "--master", "off", "--outputs", "m4b"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "ferry.m4b").stat().st_size > 10000 and list((tmp_path / "out").glob("01 - *.flac"))


def test_the_installed_window_starts_with_its_icon(installed, tmp_path):
    venv, python, _ = installed
    proc = run([python, "-c", WINDOW_STARTS], tmp_path, AUDIOBOOK_CONFIG_DIR=str(tmp_path / "config"))
    assert proc.returncode == 0, proc.stderr
    assert "window: ['Audiobook Renderer']" in proc.stdout and "icon: True" in proc.stdout


def test_install_shortcut_writes_a_valid_launcher_and_uninstall_removes_it(installed, tmp_path):
    venv, python, _ = installed
    audiobook = (venv / "bin" / "audiobook").absolute()
    data = tmp_path / "data"
    proc = run([audiobook, "install-shortcut"], tmp_path, XDG_DATA_HOME=str(data))
    assert proc.returncode == 0, proc.stderr
    entry = data / "applications" / "audiobook-renderer.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "audiobook-renderer.svg"
    text = entry.read_text(encoding="utf-8")
    assert f"Exec={audiobook} %f" in text and f"Icon={icon}" in text and icon.read_bytes().startswith(b"<")
    if shutil.which("desktop-file-validate"):  # .ci/run installs it
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    again = run([audiobook, "install-shortcut"], tmp_path, XDG_DATA_HOME=str(data))  # an update, not a second entry
    assert again.returncode == 0 and len(list(entry.parent.iterdir())) == 1
    gone = run([audiobook, "uninstall-shortcut"], tmp_path, XDG_DATA_HOME=str(data))
    assert gone.returncode == 0 and not entry.exists() and not icon.exists()
    assert "no launcher to remove" in run([audiobook, "uninstall-shortcut"], tmp_path, XDG_DATA_HOME=str(data)).stdout
