"""The Queue window: books rendered one after another (backend/library/queue.py, the same queue
as `audiobook queue`). Add books (files, a folder, or drop them on the list), reorder by dragging,
remove, see each one's state; a waiting book's settings can be edited (Advanced Settings). Run
renders them in the window's worker; Stop stops after the current batch and Run resumes. The list
follows the queue file every second, so a `queue run` in a terminal shows here too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from backend.library.queue import QueueError, add_books, book_files, load_queue, remove_entry, reorder, update_settings


class QueueWindow(QDialog):
    run_requested = Signal()
    stop_requested = Signal()

    def __init__(self, settings_for_new, suffixes, parent=None) -> None:
        """`settings_for_new()`: the settings a book added now is queued with (the window's)."""
        super().__init__(parent)
        self.setWindowTitle("Queue")
        self.resize(720, 420)
        self.setAcceptDrops(True)
        self._settings_for_new, self._suffixes, self._shown = settings_for_new, suffixes, None
        self.running = False
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)  # reorder by dragging
        self.list.model().rowsMoved.connect(self._moved)
        self.list.currentRowChanged.connect(lambda _: self._update_buttons())
        self.note = QLabel("", wordWrap=True)
        self.add_button = QPushButton("Add books…", clicked=self.add_files)
        self.folder_button = QPushButton("Add folder…", clicked=self.add_folder)
        self.remove_button = QPushButton("Remove", clicked=self.remove)
        self.settings_button = QPushButton("Settings…", clicked=self.edit_settings)
        self.settings_button.setToolTip("The settings this book renders with (while it waits)")
        self.run_button = QPushButton("Run", clicked=lambda: self.run_requested.emit())
        self.run_button.setToolTip("Render the waiting books in order; a stopped one resumes where it was")
        self.stop_button = QPushButton("Stop", clicked=lambda: self.stop_requested.emit())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.folder_button, self.remove_button, self.settings_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Books are rendered top to bottom, each with the settings it was added with. "
                                "Drag to reorder; drop book files here to add them."))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self._timer = QTimer(self, interval=1000, timeout=self.refresh)
        self._timer.start()
        self.refresh()

    # -- the list -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            entries = load_queue()
        except QueueError as exc:
            self.note.setText(str(exc))
            return
        shown = [(e.id, e.name, e.describe()) for e in entries]
        if shown == self._shown:
            return
        self._shown, current = shown, self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        for n, entry in enumerate(entries, 1):
            item = QListWidgetItem(f"{n}. {entry.name} — {entry.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(f"{entry.book}\n→ {entry.output_dir()}\nvoice: {entry.settings.get('voice') or 'bundled'}")
            self.list.addItem(item)
            if entry.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        waiting = sum(e.status in ("waiting", "stopped", "rendering") for e in entries)
        self.note.setText(f"{len(entries)} books, {waiting} to render." if entries else
                          "The queue is empty: Add books…, Add folder…, or drop book files here.")
        self._update_buttons()

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def set_running(self, running: bool) -> None:
        self.running = running
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.current_id() is not None
        self.remove_button.setEnabled(chosen)
        self.settings_button.setEnabled(chosen and not self.running)
        self.run_button.setEnabled(not self.running and self.list.count() > 0)
        self.stop_button.setEnabled(self.running)

    def _moved(self, *_) -> None:
        self._act(lambda: reorder([self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]))

    def _act(self, action) -> bool:
        try:
            action()
        except (QueueError, OSError) as exc:
            QMessageBox.warning(self, "Queue", str(exc))
            return False
        finally:
            self._shown = None
            self.refresh()
        return True

    # -- adding and removing --------------------------------------------------------------------------
    def add_paths(self, paths) -> None:
        books = [Path(p) for p in paths if Path(p).suffix.lower() in self._suffixes]
        if books:
            self._act(lambda: add_books(books, self._settings_for_new()))

    def add_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(self._suffixes))
        paths, _ = QFileDialog.getOpenFileNames(self, "Add books to the queue", str(Path.home()), f"Books ({patterns})")
        self.add_paths(paths)

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of books", str(Path.home()))
        if folder:
            self.add_paths(book_files(Path(folder), self._suffixes))

    def remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self._act(lambda: remove_entry(row + 1))

    def edit_settings(self) -> None:
        from app.dialogs.advanced_settings import AdvancedSettingsDialog

        entry = next((e for e in load_queue() if e.id == self.current_id()), None)
        if entry is None:
            return
        try:
            settings = entry.render_settings()
        except (TypeError, ValueError) as exc:
            QMessageBox.warning(self, "Queue", f"{entry.name}: its settings cannot be used ({exc}).")
            return
        dialog = AdvancedSettingsDialog(settings, book_loaded=False, parent=self)
        dialog.setWindowTitle(f"Settings for {entry.name}")
        dialog.accepted.connect(lambda: self._act(lambda: update_settings(entry.id, dialog.settings())))
        self.settings_dialog = dialog  # for tests
        dialog.open()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.add_paths([url.toLocalFile() for url in event.mimeData().urls()])
