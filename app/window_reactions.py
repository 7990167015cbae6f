"""How the main window reacts to the worker's signals and to window events (drop, close).
A mixin of MainWindow, kept apart so each file stays readable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.widgets.book_panel import format_duration

# What the loader reads (backend.text.SUPPORTED_EXTENSIONS; a test keeps the two equal without importing it here).
BOOK_SUFFIXES = {".epub", ".pdf", ".docx", ".html", ".htm", ".xhtml", ".fb2", ".txt", ".md", ".markdown", ".mobi", ".azw", ".azw3",
                 ".azw4", ".prc", ".pdb", ".rtf", ".odt", ".lit", ".lrf", ".chm", ".htmlz", ".txtz", ".snb", ".tcr", ".pml", ".rb"}


class WindowReactions:
    def notify(self, icon, title: str, text: str, buttons=QMessageBox.StandardButton.Ok) -> QMessageBox:
        """A non-blocking message box (the render keeps running); the last one is kept for tests."""
        box = QMessageBox(icon, title, text, buttons, parent=self)
        box.open()
        self.last_message = box
        return box

    # -- voice and book -------------------------------------------------------------------------
    def _voice_ready(self, name: str, device: str) -> None:
        self.statusBar().showMessage(f"Ready: {name} on {device}")

    def _voice_failed(self, message: str) -> None:
        self.statusBar().showMessage("Voice failed to load")
        self.preview_button.setEnabled(not self.rendering)
        self.log.append_line("error", message)
        self.notify(QMessageBox.Icon.Warning, "Voice problem", message)

    def _book_ready(self, info) -> None:
        same_book = self.book is not None and self.book.path == info.path
        if not same_book and self.review_dialog is not None:  # it shows the other book's chunks
            self.review_dialog.close()
        self.book = info
        for warning in [] if same_book else [*info.warnings, *info.notes]:  # a refresh (after Stop…) says them once
            self.log.append_line("warning", warning)
        if info.language_warning and not same_book:
            self.log.append_line("warning", info.language_warning)
        self.book_panel.show_book(info, self.settings.length_scale or 1.0)
        self.dialogue_picker.show_choice(info.dialogue)
        if not same_book or not self.output_edit.text().strip():  # keep a folder the user chose
            self.output_edit.setText(str(info.path.parent / f"{info.path.stem} audiobook"))
        if info.cached:
            self.log.append_line("info", f"{info.cached:,} of {info.total:,} chunks of this book are already rendered.")
        if not same_book:  # a refresh keeps "Stopped…" / "Render failed…" in the status bar
            self.statusBar().showMessage(f"Opened {info.path.name}")
        self._update_buttons()

    def _book_failed(self, message: str) -> None:
        self.statusBar().showMessage("Could not open the book")
        self.log.append_line("error", message)
        self.notify(QMessageBox.Icon.Warning, "Cannot open this book", message)

    def _play_preview(self, wav_path: str) -> None:
        self.preview_button.setEnabled(not self.rendering)
        self.statusBar().showMessage("Preview ready")
        from app.player import AudioPlayer  # QtMultimedia, else a system player (app/player.py)

        if getattr(self, "_player", None) is None:
            self._player = AudioPlayer(self)
        if not self._player.play(Path(wav_path)):  # e.g. libpulse missing on a bare Linux and no player found
            self.log.append_line("warning", f"Preview saved to {wav_path}, but {self._player.problem}")
            return
        self.log.append_line("info", "Playing the preview…")

    # -- rendering ------------------------------------------------------------------------------
    def _busy_changed(self, busy: bool) -> None:
        self.rendering = busy
        if busy:
            self.gauges.reset()
        self._update_buttons()
        if self.queue_window is not None:
            self.queue_window.set_running(busy)
        if not busy and self._close_when_idle:
            self.close()

    def _batch_done(self, report) -> None:
        self.log.append_line("info", report.line)
        if report.vram_used is not None and report.vram_total:
            gauge = self.gauges.gauge_for(getattr(report, "device", None))
            gauge.set_usage(report.vram_used, report.vram_total)
            if gauge is self.gauge:  # the graph follows one GPU (each GPU worker writes its own CSV and graph)
                self.plot.add_sample(report.index, report.vram_used / 1e9, report.vram_total / 1e9)

    def _progress(self, p) -> None:
        if p.stage != "render":
            self.progress_bar.setFormat({"assemble": "Assembling chapters…", "check": "Checking speech: %v / %m chunks"}
                                        .get(p.stage, "Encoding the M4B…"))
            self.progress_bar.setRange(0, max(1, p.total))
            self.progress_bar.setValue(p.done)
            return
        self.progress_bar.setRange(0, max(1, p.total))
        self.progress_bar.setValue(p.done)
        self.progress_bar.setFormat(f"{p.done:,} / {p.total:,} chunks (%p%)")
        self.progress_label.setText(self.describe_progress(p))

    def _finished(self, summary) -> None:
        self.last_summary = summary
        self.export_button.setEnabled(bool(self.plot.samples()))
        self.progress_bar.setFormat("Finished")
        self.progress_bar.setValue(self.progress_bar.maximum())
        if self.book is not None:
            self.book.mark_rendered()
        text = (f"{summary.title}: {summary.chapters} chapters, {format_duration(summary.audio_seconds)} of audio "
                f"in {format_duration(summary.wall_seconds)} ({summary.realtime_factor:.1f}× real time).\n"
                f"{summary.rendered:,} chunks rendered, {summary.reused:,} reused.\n\n"
                + "\n".join(Path(p).name for p in summary.outputs))
        quality = getattr(summary, "quality", None)  # the audio report (backend/audio/report.py)
        if quality is not None:
            text += f"\n\n{quality.headline()}"
        self.statusBar().showMessage("Finished")
        if self._close_when_idle:
            return
        box = self.notify(QMessageBox.Icon.Information, "Audiobook ready", text, QMessageBox.StandardButton.Close)
        if quality is not None and quality.measurements:
            from app.widgets.quality_table import QualityTable, show_table_in

            self.quality_table = QualityTable(box)
            self.quality_table.show_report(quality)
            show_table_in(box, self.quality_table)
        open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.buttonClicked.connect(lambda b: self.open_folder(summary.output_dir) if b is open_button else None)
        self.summary_box = box

    def _stopped(self) -> None:
        self.progress_bar.setFormat("Stopped: Start again to resume")
        self.statusBar().showMessage("Stopped; everything rendered so far is kept")
        self._refresh_resume()

    def _refresh_resume(self) -> None:
        """Re-inspect the book so Start offers "Resume (n of m chunks done)"."""
        if self.book is not None:
            self._want_book.emit(str(self.book.path), self._settings_copy())

    def _failed(self, message: str) -> None:
        self.progress_bar.setFormat("Failed")
        self.statusBar().showMessage("Render failed; finished chunks stay cached")
        self._refresh_resume()
        if not self._close_when_idle:
            kept = "" if "rendered so far is kept" in message else \
                "\n\nEverything rendered so far is kept; fix the problem and press Start to resume."
            self.notify(QMessageBox.Icon.Critical, "Render failed", message + kept)

    # -- window events ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and Path(urls[0].toLocalFile()).suffix.lower() in BOOK_SUFFIXES and not self.rendering:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls:
            self.open_book(urls[0].toLocalFile())

    def closeEvent(self, event) -> None:
        if self.rendering:
            if not self._close_when_idle:
                answer = QMessageBox.question(self, "Stop rendering?",
                                              "A render is running. Stop it after the current batch and quit? "
                                              "Nothing finished is lost; you can resume later.")
                if answer != QMessageBox.StandardButton.Yes:
                    event.ignore()
                    return
                self._close_when_idle = True
                self.stop()
            event.ignore()  # closes for real when the worker reports it is idle
            return
        self._idle_timer.stop()
        self.thread.quit()
        self.thread.wait(10000)
        event.accept()
