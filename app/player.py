"""Playing audio in the window: a chunk from the cache, or a chapter file from a given second.

QtMultimedia (QMediaPlayer) when it loads. On a Linux machine without its audio libraries
(libpulse0 missing, as on a bare Debian) it cannot; then a system player found on PATH plays a
WAV written for it (PipeWire's pw-play, PulseAudio's paplay, ALSA's aplay, FFmpeg's ffplay), and
without any, `problem` says which package to install. Either way: play(path, start), pause/resume,
stop, and a position the Review view's slider follows.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

SYSTEM_PLAYERS = (("pw-play", []), ("paplay", []), ("aplay", ["-q"]), ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]))
INSTALL_HINT = ("On Debian/Ubuntu: sudo apt install libpulse0 (or pulseaudio-utils / alsa-utils for a command-line "
                "player); on Fedora: sudo dnf install pulseaudio-libs")


def qt_multimedia_error() -> str | None:
    """None when QtMultimedia can be used here, else why not."""
    try:
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


class AudioPlayer(QObject):
    position_changed = Signal(float)  # seconds into the file
    state_changed = Signal(str)  # "playing", "paused", "stopped"

    def __init__(self, parent=None, backend: str | None = None) -> None:
        """`backend`: "qt", "system" or None (QtMultimedia when it loads, else a system player)."""
        super().__init__(parent)
        self.path: Path | None = None
        self.duration = 0.0
        self.state = "stopped"
        self._qt = None
        self._process: subprocess.Popen | None = None
        self._started_at = self._offset = 0.0
        self._timer = QTimer(self, interval=100, timeout=self._tick)
        self.problem: str | None = None
        if backend in (None, "qt") and qt_multimedia_error() is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._qt = QMediaPlayer(self)
            self._output = QAudioOutput(self)
            self._qt.setAudioOutput(self._output)
            self._qt.positionChanged.connect(lambda ms: self.position_changed.emit(ms / 1000.0))
            self._qt.playbackStateChanged.connect(self._qt_state)
            self.kind = "QtMultimedia"
        else:
            found = next(((name, args) for name, args in SYSTEM_PLAYERS if shutil.which(name)), None)
            self._command = [shutil.which(found[0]), *found[1]] if found else None
            self.kind = found[0] if found else "none"
            if found is None:
                why = qt_multimedia_error() or "QtMultimedia was not chosen"
                self.problem = f"Sound cannot be played here ({why}). {INSTALL_HINT}"

    # -- control ------------------------------------------------------------------------------
    def play(self, path: Path, start: float = 0.0) -> bool:
        """Play `path` (WAV or FLAC) from `start` seconds; False (and `problem` says why) when it cannot."""
        import soundfile as sf

        self.stop()
        if self.problem:
            return False
        self.path, self.duration = Path(path), sf.info(str(path)).duration
        start = max(0.0, min(start, self.duration))
        if self._qt is not None:
            from PySide6.QtCore import QUrl

            self._qt.setSource(QUrl.fromLocalFile(str(self.path)))
            self._qt.setPosition(int(start * 1000))
            self._qt.play()
            return True
        return self._play_system(start)

    def toggle(self) -> None:
        """Pause when playing, resume when paused (Space in the Review view)."""
        if self.state == "playing":
            self.pause()
        elif self.state == "paused" and self.path is not None:
            self.resume()

    def pause(self) -> None:
        if self._qt is not None:
            self._qt.pause()
        elif self._process is not None:
            self._offset = self.position()
            self._kill()
            self._set_state("paused")

    def resume(self) -> None:
        if self._qt is not None:
            self._qt.play()
        else:
            self._play_system(self._offset)

    def seek(self, seconds: float) -> None:
        if self.path is None:
            return
        if self._qt is not None:
            self._qt.setPosition(int(seconds * 1000))
        elif self.state == "playing":
            self._play_system(seconds)
        else:
            self._offset = seconds

    def stop(self) -> None:
        if self._qt is not None:
            self._qt.stop()
        else:
            self._kill()
            self._set_state("stopped")

    def position(self) -> float:
        if self._qt is not None:
            return self._qt.position() / 1000.0
        if self.state == "playing":
            return min(self.duration, self._offset + time.monotonic() - self._started_at)
        return self._offset

    # -- a system player -------------------------------------------------------------------------
    def _play_system(self, start: float) -> bool:
        import soundfile as sf

        self._kill()
        audio, rate = sf.read(str(self.path), dtype="float32", start=int(start * sf.info(str(self.path)).samplerate))
        wav = Path(tempfile.gettempdir()) / "audiobook-review-play.wav"
        sf.write(str(wav), audio, rate, subtype="PCM_16")  # every player here reads a 16-bit WAV
        try:
            self._process = subprocess.Popen([*self._command, str(wav)], stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self.problem = f"Sound cannot be played with {self.kind} ({exc}). {INSTALL_HINT}"
            return False
        self._offset, self._started_at = start, time.monotonic()
        self._timer.start()
        self._set_state("playing")
        return True

    def _kill(self) -> None:
        self._timer.stop()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._process = None

    def _tick(self) -> None:
        self.position_changed.emit(self.position())
        if self._process is not None and self._process.poll() is not None:  # it played to the end
            self._process = None
            self._timer.stop()
            self._offset = 0.0
            self._set_state("stopped")

    def _qt_state(self, state) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        names = {QMediaPlayer.PlaybackState.PlayingState: "playing", QMediaPlayer.PlaybackState.PausedState: "paused"}
        self._set_state(names.get(state, "stopped"))

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

