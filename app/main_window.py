"""The main window: open a book, pick a voice, start/stop/resume, watch progress, log and VRAM."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, QThread, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.widgets.activity_log import ActivityLog
from app.widgets.book_panel import BookPanel, format_duration
from app.widgets.dialogue_picker import DialoguePicker
from app.widgets.speaker_combo import SpeakerCombo
from app.widgets.vram_gauge import GpuGauges, VramGauge, read_nvml_usage
from app.widgets.vram_plot import VramPlot
from app.window_book import BookActions
from app.window_pronunciations import PronunciationActions
from app.window_queue import QueueActions
from app.window_reactions import BOOK_SUFFIXES, WindowReactions
from app.window_review import ReviewActions
from app.window_voices import VoiceActions
from app.worker import EngineWorker

BOOK_FILTER = f"Books ({' '.join(sorted('*' + s for s in BOOK_SUFFIXES))});;All files (*)"
PREVIEW_TEXT = "Hello! This is how this voice will read your book."
# With a dialogue voice, the preview goes on with a line of dialogue in it.
DIALOGUE_PREVIEW_TEXT = "\u201cAnd this is how I will read what people say,\u201d she said."


class MainWindow(BookActions, VoiceActions, PronunciationActions, ReviewActions, QueueActions, WindowReactions,
                 QMainWindow):
    _want_voice = Signal(object)
    _want_book = Signal(str, object)
    _want_preview = Signal(str, object, object)
    _want_listen = Signal(str, object, object)  # text, settings, lexicon
    _want_review = Signal(str, object, str)  # book, settings, output folder
    _want_queue = Signal()
    _want_render = Signal(str, str, object)
    _want_render_skipping = Signal(str, str, object, object)  # … and the damaged lexicon files to leave out

    def __init__(self, settings, settings_warnings=(), save_settings=None):
        super().__init__()
        self.settings = settings
        self._save = save_settings or (lambda s: None)
        self.book = None  # BookInfo of the opened book
        self._render_anyway: set[Path] = set()  # books the user chose to render in a language the voice lacks
        self.rendering = False
        self._close_when_idle = False
        self.last_summary = None
        self.last_message = None
        self.summary_box = None
        self.setWindowTitle("Audiobook Renderer")
        self.setAcceptDrops(True)
        self._build()
        self._start_worker()
        for warning in settings_warnings:
            self.log.append_line("warning", warning)
        self.statusBar().showMessage("Loading voice…")
        self._want_voice.emit(self._settings_copy())
        self._idle_timer = QTimer(self, interval=1000, timeout=self._poll_vram)
        self._idle_timer.start()
        self._poll_vram()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.book_panel = BookPanel()
        self.book_panel.pronunciations_button.clicked.connect(self.open_pronunciations)
        self.book_panel.words_button.clicked.connect(self.find_words)
        self.book_panel.review_button.clicked.connect(self.open_review)
        self._connect_book_panel()  # chapter checkboxes, Select all/none, Details… (app/window_book.py)
        self.open_button = QPushButton("Open book…", clicked=self.choose_book)
        self.open_button.setToolTip("Open a txt, md or epub file (or drop one on the window)")
        self.voice_combo = QComboBox(toolTip="The Piper voice that reads the book")
        self.voice_combo.currentIndexChanged.connect(self._voice_chosen)
        self.speaker_combo = SpeakerCombo()  # shown for multi-speaker voices only
        self.speaker_combo.speaker_chosen.connect(self._speaker_chosen)
        self.blend_button = QPushButton("New blend…", clicked=self.open_blend_editor, visible=False)
        self.blend_button.setToolTip("Mix 2 to 4 of this voice's speakers into a new voice, hear it, and save it by name")
        self.dialogue_picker = DialoguePicker()  # per book: enabled while one is open
        self.dialogue_picker.choice_changed.connect(self._dialogue_chosen)
        self.add_voice_button = QPushButton("Add voice…", clicked=self.add_voice)
        self.add_voice_button.setToolTip("Add a Piper voice: pick its .onnx file (its .onnx.json must be beside it)")
        self.catalog_button = QPushButton("Catalog…", clicked=self.open_voice_catalog)
        self.catalog_button.setToolTip("The Piper voice catalog: browse voices by language and download one")
        self.preview_button = QPushButton("Preview", clicked=self.preview)
        self.preview_button.setToolTip("Render one sentence with this voice and play it")
        self.output_edit = QLineEdit(toolTip="Folder for the chapter files, the M4B and the subtitles")
        self.browse_button = browse = QPushButton("Browse…", clicked=self.choose_output)
        self.format_combo = QComboBox(toolTip="Chapter files: FLAC is lossless and small; WAV plays anywhere")
        self.format_combo.addItems(["flac", "wav"])
        self.format_combo.setCurrentText(self.settings.chapter_format)
        self.format_combo.currentTextChanged.connect(self._format_chosen)
        self.advanced_button = QPushButton("Advanced…", clicked=self.open_advanced)
        self.advanced_button.setToolTip("Batch size, device, precision, pauses, speaking rate, cache…")

        controls = QGroupBox("Voice and output")
        grid = QGridLayout(controls)
        grid.addWidget(QLabel("Voice"), 0, 0)
        grid.addWidget(self.voice_combo, 0, 1)
        grid.addWidget(self.add_voice_button, 0, 2)
        grid.addWidget(self.preview_button, 0, 3)
        grid.addWidget(self.catalog_button, 0, 4)
        # Its own row (shown for multi-speaker voices only), so the voice's name keeps its width.
        self.speaker_label = QLabel("Speaker", visible=False)
        grid.addWidget(self.speaker_label, 1, 0)
        grid.addWidget(self.speaker_combo, 1, 1)
        grid.addWidget(self.blend_button, 1, 2)
        grid.addWidget(QLabel("Dialogue voice"), 2, 0)
        grid.addWidget(self.dialogue_picker, 2, 1, 1, 4)  # room for a long voice name and its speaker
        grid.addWidget(QLabel("Output"), 3, 0)
        grid.addWidget(self.output_edit, 3, 1)
        grid.addWidget(browse, 3, 2)
        grid.addWidget(self.format_combo, 3, 3, 1, 2)
        grid.setColumnStretch(1, 1)

        self.start_button = QPushButton("Start", clicked=self.start)
        self.start_button.setToolTip("Render the book; finished chunks are cached, so a stop loses nothing")
        self.start_button.setDefault(True)
        self.stop_button = QPushButton("Stop", clicked=self.stop)
        self.stop_button.setToolTip("Stop after the current batch (at once while the book is read or planned); "
                                    "Start again later to resume")
        self.progress_bar = QProgressBar(textVisible=True)
        self.progress_bar.setFormat("Idle")
        self.progress_label = QLabel("")
        run_row = QHBoxLayout()
        self.queue_button = QPushButton("Queue…", clicked=self.open_queue)
        self.queue_button.setToolTip("Books rendered one after another, each with its own settings")
        for w in (self.open_button, self.advanced_button, self.queue_button):
            run_row.addWidget(w)
        run_row.addStretch(1)
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.stop_button)

        self.log = ActivityLog()
        self.gauge = VramGauge()
        self.plot = VramPlot()
        self.plot.setMinimumHeight(120)
        self.export_button = QPushButton("Export VRAM graph…", clicked=self.export_vram)
        self.export_button.setToolTip("Save the VRAM-per-batch graph as PNG and its numbers as CSV")
        self.export_button.setEnabled(False)
        vram_box = QGroupBox("GPU memory")
        vram = QVBoxLayout(vram_box)
        vram.addWidget(self.gauge)
        self.gauges = GpuGauges(self.gauge, vram)  # one bar per GPU worker (several GPUs)
        vram.addWidget(self.plot, 1)
        vram.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignRight)

        right = QVBoxLayout()
        right.addWidget(controls)
        right.addLayout(run_row)
        right.addWidget(self.progress_bar)
        right.addWidget(self.progress_label)
        right.addWidget(vram_box, 1)
        top = QHBoxLayout()
        top.addWidget(self.book_panel, 1)
        top.addLayout(right, 1)
        top_widget = QWidget()
        top_widget.setLayout(top)
        log_box = QGroupBox("Activity Log")
        QVBoxLayout(log_box).addWidget(self.log)
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top_widget)
        main.addWidget(log_box)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 2)
        self.setCentralWidget(main)
        self.resize(1100, 760)
        self._fill_voices()
        self._update_buttons()

    def _start_worker(self) -> None:
        self.thread = QThread(self)
        self.worker = EngineWorker()
        self.worker.moveToThread(self.thread)
        self._want_voice.connect(self.worker.load_voice)
        self._want_book.connect(self.worker.inspect_book)
        self._want_preview.connect(self.worker.preview)
        self._want_listen.connect(self.worker.listen)
        self._want_review.connect(self.worker.review)
        self._want_queue.connect(self.worker.run_queue)
        self._want_render.connect(self.worker.render)
        self._want_render_skipping.connect(self.worker.render_skipping)
        w = self.worker
        w.log.connect(self.log.append_line)
        w.voice_ready.connect(self._voice_ready)
        w.voice_failed.connect(self._voice_failed)
        w.book_ready.connect(self._book_ready)
        w.book_failed.connect(self._book_failed)
        w.preview_ready.connect(self._play_preview)
        w.review_ready.connect(self._review_rows)
        w.queue_done.connect(self._queue_done)
        w.batch_done.connect(self._batch_done)
        w.progress.connect(self._progress)
        w.finished.connect(self._finished)
        w.stopped.connect(self._stopped)
        w.failed.connect(self._failed)
        w.lexicon_damaged.connect(self._lexicon_damaged)
        w.busy_changed.connect(self._busy_changed)
        self.thread.start()

    # -- helpers -----------------------------------------------------------------------------
    def _settings_copy(self):
        # Once the user chose to render a book anyway, its plan (and so its Resume count) reads everything.
        anyway = self.settings.any_language or (self.book is not None and self.book.path in self._render_anyway)
        return dataclasses.replace(self.settings, voices=list(self.settings.voices), outputs=list(self.settings.outputs),
                                   any_language=anyway)

    def _changed(self) -> None:
        try:
            self._save(self.settings)
        except OSError as exc:
            self.log.append_line("warning", f"Settings not saved: {exc}")

    def _update_buttons(self) -> None:
        has_book = self.book is not None
        self.start_button.setEnabled(has_book and not self.rendering)
        self.stop_button.setEnabled(self.rendering)
        for w in (self.open_button, self.voice_combo, self.add_voice_button, self.catalog_button, self.advanced_button,
                  self.format_combo, self.output_edit, self.browse_button):
            w.setEnabled(not self.rendering)
        self.preview_button.setEnabled(not self.rendering)
        self.dialogue_picker.setEnabled(has_book and not self.rendering)
        self.book_panel.pronunciations_button.setEnabled(not self.rendering)
        self.book_panel.words_button.setEnabled(has_book and not self.rendering)
        self.book_panel.review_button.setEnabled(has_book)  # viewable while rendering; fixes wait for the next render
        self._update_book_controls()
        if has_book and 0 < self.book.cached < self.book.total and not self.rendering:
            self.start_button.setText(f"Resume ({self.book.cached:,} of {self.book.total:,} chunks done)")
        else:
            self.start_button.setText("Start")

    def _poll_vram(self) -> None:
        if self.rendering:
            return  # batches report VRAM while rendering
        usage = read_nvml_usage()
        if usage is None:
            if self.gauge.level() != "cpu":
                self.gauge.set_cpu_mode()
                self.plot.set_cpu_mode()
        else:
            self.gauge.set_usage(*usage)

    # -- user actions --------------------------------------------------------------------------
    def choose_book(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a book", str(Path.home()), BOOK_FILTER)
        if path:
            self.open_book(path)

    def open_book(self, path: str) -> None:
        self.statusBar().showMessage(f"Reading {Path(path).name}…")
        self.log.append_line("info", f"Opening {path}")
        self._want_book.emit(str(path), self._settings_copy())

    def _format_chosen(self, fmt: str) -> None:
        self.settings.chapter_format = fmt
        self._changed()

    def choose_output(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self.output_edit.text() or str(Path.home()))
        if folder:
            self.output_edit.setText(folder)

    def preview(self) -> None:
        self.preview_button.setEnabled(False)
        self.statusBar().showMessage("Rendering a preview…")
        dialogue = self.dialogue_picker.choice() if self.book is not None else None
        text = f"{PREVIEW_TEXT}\n\n{DIALOGUE_PREVIEW_TEXT}" if dialogue is not None else PREVIEW_TEXT
        self._want_preview.emit(text, self._settings_copy(), dialogue)

    def open_advanced(self) -> None:
        from app.dialogs.advanced_settings import AdvancedSettingsDialog
        from app.widgets.vram_gauge import read_nvml_name
        from backend.settings import recommended_batch_size

        index = int(self.settings.device.split(":")[1]) if self.settings.device.startswith("cuda:") else 0
        usage = read_nvml_usage(index)
        recommended = recommended_batch_size(usage[1] / 1e9) if usage else None
        dialog = AdvancedSettingsDialog(self.settings, recommended_batch=recommended,
                                        gpu_name=read_nvml_name(index) if usage else None,
                                        book_loaded=self.book is not None, parent=self)
        dialog.clear_cache_requested.connect(self.clear_book_cache)
        if dialog.exec():
            self.settings = dialog.settings()
            self.format_combo.setCurrentText(self.settings.chapter_format)
            self._changed()
            self._want_voice.emit(self._settings_copy())
            if self.book is not None:
                self._want_book.emit(str(self.book.path), self._settings_copy())

    def clear_book_cache(self) -> None:
        from backend.render.jobs import clear_book_cache

        if self.book is None:
            return
        answer = QMessageBox.question(self, "Clear cache?", "Delete every rendered chunk of this book? "
                                      "The next render starts from the beginning.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        removed = clear_book_cache(self.book.path, self.settings)
        self.log.append_line("info", "Cache for this book cleared." if removed else "Nothing cached for this book.")
        self.book.cached = 0
        self.book.cached_keys.clear()
        self._update_buttons()

    def start(self) -> None:
        if self.book is None or self.rendering:
            return
        settings = self._settings_copy()
        if self.book.language_warning and not settings.any_language:
            answer = QMessageBox.question(self, "Render anyway?", f"{self.book.language_warning}\n\n"
                                          "Render it with this voice anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                self.log.append_line("info", "Not rendered: the voice does not speak the book's language.")
                return
            self._render_anyway.add(self.book.path)
            settings.any_language = True
        out = self.output_edit.text().strip() or str(self.book.path.parent / f"{self.book.path.stem} audiobook")
        self.output_edit.setText(out)
        if not self._ask_render(str(self.book.path), out, settings):  # the selected chapters (app/window_book.py)
            return
        self.plot.clear()
        self.export_button.setEnabled(False)
        self.rendering = True
        self._update_buttons()
        self.progress_bar.setFormat("Starting…")
        self.statusBar().showMessage(f"Rendering {self.book.path.name}…")

    def stop(self) -> None:
        self.worker.request_stop()
        self.stop_button.setEnabled(False)
        self.progress_bar.setFormat("Stopping after this batch…")
        self.log.append_line("warning", "Stopping after the current batch…")

    def export_vram(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export VRAM graph", str(Path.home() / "vram.png"), "PNG (*.png)")
        if path:
            png = Path(path).with_suffix(".png")
            self.plot.export_png(png)
            self.plot.export_csv(png.with_suffix(".csv"))
            self.log.append_line("info", f"Saved {png} and {png.with_suffix('.csv')}")

    def open_folder(self, folder: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def describe_progress(self, p) -> str:
        parts = [f"{p.done:,} / {p.total:,} chunks", f"elapsed {format_duration(p.elapsed)}"]
        if p.eta is not None:
            parts.append(f"ETA {format_duration(p.eta)}")
        if p.realtime_factor:
            parts.append(f"{p.realtime_factor:.1f}× real time")
        return " · ".join(parts)
