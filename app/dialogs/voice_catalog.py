"""Voice catalog: browse the Piper voice index (backend.voices.catalog), filter it by language and
quality, and download a voice into the user data folder (backend.voices.download), which then joins
the window's voices.

Fetching and downloading run in the dialog's own QThread: a voice is tens of MB and the index
server may take its full timeout to answer, and the window must stay responsive meanwhile. Cancel
or closing the dialog stops a download at its next block; the partial file stays, so the next try
resumes. Errors are one line in the status line (CatalogError's message), never a traceback."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.widgets.row_table import row_table

COLUMNS = ["Voice", "Language", "Quality", "Speakers", "Size", "Installed"]
QUALITIES = ["x_low", "low", "medium", "high"]  # Piper's, smallest first
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #b35c00;"


def _one_line(exc: BaseException) -> str:
    from backend.voices.catalog import CatalogError

    if isinstance(exc, CatalogError):
        return str(exc)
    return f"Unexpected error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


class _CatalogWorker(QObject):
    """Lives in the dialog's thread; every slot catches everything and reports it by signal."""

    fetched = Signal(object)  # Catalog
    progress = Signal(str, int, int)  # file name, bytes so far, bytes in all
    installed = Signal(object, str)  # CatalogVoice, the installed .onnx
    failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.stop = threading.Event()  # set from the GUI thread; read by install_voice between blocks

    @Slot(str, object)
    def fetch(self, index_url: str, cache_folder) -> None:
        from backend.voices.catalog import fetch_catalog

        try:
            self.fetched.emit(fetch_catalog(index_url, Path(cache_folder)))
        except Exception as exc:
            self.failed.emit(_one_line(exc))

    @Slot(object, str, object)
    def download(self, voice, index_url: str, voices_dir) -> None:
        from backend.voices.download import install_voice

        self.stop.clear()
        try:
            model = install_voice(voice, index_url, Path(voices_dir), self.progress.emit, self.stop.is_set)
            self.installed.emit(voice, str(model))
        except Exception as exc:
            self.failed.emit(_one_line(exc))


class VoiceCatalogDialog(QDialog):
    """`language`: the language to show first (a code like "en" or "en_US"; None: all).
    `voices_dir`/`cache_folder`: default to the user data and cache folders."""

    voice_installed = Signal(str)  # the .onnx of a voice downloaded (or already installed) and chosen
    _want_fetch = Signal(str, object)
    _want_download = Signal(object, str, object)

    def __init__(self, index_url: str, language: str | None = None, voices_dir: Path | None = None,
                 cache_folder: Path | None = None, fetch_now: bool = True, parent=None):
        super().__init__(parent)
        from backend.voices.download import index_cache_folder, user_voices_folder

        self.index_url, self.wanted_language = index_url, language
        self.voices_dir = voices_dir or user_voices_folder()
        self.cache_folder = cache_folder or index_cache_folder()
        self.catalog = None
        self.shown: list = []  # the CatalogVoices in the table, in its order
        self.downloading = None  # the CatalogVoice being downloaded
        self.setWindowTitle("Voice catalog")

        self.language_combo = QComboBox(toolTip="Show the voices of one language")
        self.quality_combo = QComboBox(toolTip="Piper's qualities: x_low and low are smaller and faster, "
                                               "medium and high sound better")
        for combo in (self.language_combo, self.quality_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._fill_table)
        self.table = row_table(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.download())
        self.status = QLabel("Fetching the voice index…", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_bar = QProgressBar(textVisible=True)
        self.progress_bar.hide()
        self.download_button = QPushButton("Download", clicked=self.download)
        self.download_button.setToolTip("Download the selected voice, check it and add it to your voices")
        self.cancel_button = QPushButton("Cancel download", clicked=self.cancel_download)
        self.cancel_button.setToolTip("Stop the download; the next try resumes where it stopped")
        self.close_button = QPushButton("Close", clicked=self.reject)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Language"))
        filters.addWidget(self.language_combo)
        filters.addWidget(QLabel("Quality"))
        filters.addWidget(self.quality_combo)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress_bar, 1)
        buttons.addStretch(0)  # keeps the buttons their size while the progress bar is hidden
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(820, 480)

        self.thread = QThread(self)
        self.worker = _CatalogWorker()
        self.worker.moveToThread(self.thread)
        self._want_fetch.connect(self.worker.fetch)
        self._want_download.connect(self.worker.download)
        self.worker.fetched.connect(self._fetched)
        self.worker.progress.connect(self._progress)
        self.worker.installed.connect(self._installed)
        self.worker.failed.connect(self._failed)
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.start()
        self._update_buttons()
        if fetch_now:
            self.fetch()

    # -- the index ----------------------------------------------------------------------------
    def fetch(self) -> None:
        self._set_status("Fetching the voice index…")
        self._want_fetch.emit(self.index_url, self.cache_folder)

    def _fetched(self, catalog) -> None:
        self.catalog = catalog
        self._fill_filters()
        self._fill_table()
        if catalog.note:
            self._set_status(catalog.note, NOTE_STYLE)
        else:
            self._set_status(f"{len(catalog.voices)} voices in the catalog.")
        self._update_buttons()

    def _fill_filters(self) -> None:
        voices = self.catalog.voices
        names = {}  # family code -> English name; code -> full name
        for v in voices:
            family = v.language.split("_")[0]
            names.setdefault(family, v.language_name.split(" (")[0])
            names.setdefault(v.language, v.language_name)
        families = sorted({k for k in names if "_" not in k}, key=lambda k: names[k])
        for combo in (self.language_combo, self.quality_combo):
            combo.blockSignals(True)
            combo.clear()
        self.language_combo.addItem("All languages", None)
        for family in families:
            self.language_combo.addItem(names[family], family)
            for code in sorted(k for k in names if k.startswith(family + "_")):
                self.language_combo.addItem(f"    {names[code]}", code)  # indented under its language
        self.language_combo.setCurrentIndex(self._language_index(self.wanted_language))
        self.quality_combo.addItem("All qualities", None)
        present = {v.quality for v in voices}
        for quality in [q for q in QUALITIES if q in present] + sorted(present - set(QUALITIES)):
            self.quality_combo.addItem(quality, quality)
        for combo in (self.language_combo, self.quality_combo):
            combo.blockSignals(False)

    def _language_index(self, language: str | None) -> int:
        """The exact code (en_US, en-us), else its language (en), else All languages."""
        if not language:
            return 0
        code = language.strip().replace("-", "_")
        head, _, region = code.partition("_")
        for want in (f"{head.lower()}_{region.upper()}" if region else None, head.lower()):
            index = self.language_combo.findData(want) if want else -1
            if index >= 0:
                return index
        return 0

    def _fill_table(self, *_) -> None:
        from backend.voices.catalog import filter_voices
        from backend.voices.download import installed_model

        if self.catalog is None:
            return
        selected = self.selected_voice()
        self.shown = filter_voices(self.catalog.voices, self.language_combo.currentData(),
                                   self.quality_combo.currentData())
        self.table.setRowCount(len(self.shown))
        for row, v in enumerate(self.shown):
            cells = [v.key, v.language_name, v.quality, str(v.speakers), f"{v.size / 1e6:.1f} MB",
                     "✓" if installed_model(self.voices_dir, v) else ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        keys = [v.key for v in self.shown]
        if selected is not None and selected.key in keys:
            self.table.selectRow(keys.index(selected.key))
        self._update_buttons()

    def selected_voice(self):
        rows = self.table.selectionModel().selectedRows()
        return self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None

    def select_voice(self, key: str) -> bool:
        keys = [v.key for v in self.shown]
        if key not in keys:
            return False
        self.table.selectRow(keys.index(key))
        return True

    # -- downloading --------------------------------------------------------------------------
    def download(self) -> None:
        from backend.voices.download import installed_model

        voice = self.selected_voice()
        if voice is None or self.downloading is not None:
            return
        model = installed_model(self.voices_dir, voice)
        if model is not None:  # installed already: only add it to the window's voices
            self._set_status(f"{voice.key} is installed; it is now your voice.")
            self.voice_installed.emit(str(model))
            return
        if self.catalog is None or self.catalog.offline:
            self._set_status("A download needs the voice index online; nothing was downloaded.", ERROR_STYLE)
            return
        self.downloading = voice
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(f"{voice.key}: starting…")
        self.progress_bar.show()
        self._set_status(f"Downloading {voice.key} ({voice.size / 1e6:.1f} MB)…")
        self._update_buttons()
        self._want_download.emit(voice, self.catalog.index_url, self.voices_dir)

    def cancel_download(self) -> None:
        if self.downloading is not None:
            self.worker.stop.set()
            self.progress_bar.setFormat("Stopping…")

    def _progress(self, name: str, done: int, total: int) -> None:
        if self.downloading is None:
            return
        scale = max(total, 1) / 1000  # promille: a QProgressBar's int range cannot hold every size
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(done / scale))
        self.progress_bar.setFormat(f"{name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB (%p%)")

    def _installed(self, voice, model: str) -> None:
        self.downloading = None
        self.progress_bar.hide()
        self._set_status(f"Installed {voice.key}; it is now your voice.")
        self._fill_table()
        self.voice_installed.emit(model)

    def _failed(self, message: str) -> None:
        was_downloading = self.downloading is not None
        self.downloading = None
        self.progress_bar.hide()
        self._set_status(message, ERROR_STYLE)
        if was_downloading:
            self._fill_table()
        else:
            self._update_buttons()

    # -- state --------------------------------------------------------------------------------
    def _set_status(self, text: str, style: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def _update_buttons(self) -> None:
        from backend.voices.download import installed_model

        busy = self.downloading is not None
        voice = self.selected_voice()
        installed = voice is not None and installed_model(self.voices_dir, voice) is not None
        self.download_button.setText("Use this voice" if installed else "Download")
        self.download_button.setEnabled(voice is not None and not busy
                                        and (installed or (self.catalog is not None and not self.catalog.offline)))
        self.cancel_button.setVisible(busy)
        for combo in (self.language_combo, self.quality_combo):
            combo.setEnabled(self.catalog is not None and not busy)

    def done(self, result: int) -> None:
        # Stop a download at its next block (the partial file stays for resuming), then end the thread:
        # a QThread must not be destroyed while it runs.
        self.worker.stop.set()
        self.thread.quit()
        self.thread.wait()
        super().done(result)
