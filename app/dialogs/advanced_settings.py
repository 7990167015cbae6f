"""Advanced Settings: every RenderSettings field a user may tune, with ranges that match validation."""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.advanced_tips import TIPS
from app.dialogs.cpu_mode_row import CpuModeRow
from backend.settings import EXTRA_OUTPUTS, RenderSettings

# What an unset ("Voice default") scale shows when the user unticks it: Piper's usual defaults.
TYPICAL_VOICE_SCALES = {"length_scale": 1.0, "noise_scale": 0.667, "noise_w": 0.8}
HALF_PRECISIONS = ("float16",)  # GPU only (bfloat16 runs on CPUs too)
# Outputs in the Exports row, and labels of the others (upper case when not named here).
EXPORT_LABELS = {"distribution": "Distribution folder", "opus": "Opus chapter files", "readalong": "Read-along EPUB"}
OUTPUT_LABELS = {"words": "Word timing", **EXPORT_LABELS}
M4B_BITRATES = (32, 48, 64, 96, 128)



class AdvancedSettingsDialog(QDialog):
    """Edits a RenderSettings; `settings()` returns the edited copy (fields not shown are kept)."""

    clear_cache_requested = Signal()

    def __init__(self, settings: RenderSettings, recommended_batch: int | None = None, gpu_name: str | None = None,
                 parent: QWidget | None = None, *, book_loaded: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Advanced Settings")
        self._original = settings
        self._recommended_batch = recommended_batch
        self._build_performance_group(recommended_batch, gpu_name)
        self._build_voice_group()
        self._build_pauses_group()
        self._build_output_group()
        self._build_cache_group(book_loaded)
        from app.dialogs.mastering_group import MasteringGroup

        self.mastering_group = MasteringGroup()  # preset and room tone (app/dialogs/mastering_group.py)
        from app.dialogs.check_group import CheckGroup

        self.check_group = CheckGroup()  # the listening check (app/dialogs/check_group.py)
        from app.dialogs.scale_group import ScaleGroup

        self.scale_group = ScaleGroup()  # worker processes and a Ray cluster (app/dialogs/scale_group.py)

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                           | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.reset_button = self.button_box.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.reset_button.setText("Reset to defaults")
        self.reset_button.setToolTip("Fill the form with the default settings (applied only when you press OK).")
        self.reset_button.clicked.connect(self.reset_to_defaults)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        left, right = QVBoxLayout(), QVBoxLayout()
        for group in (self.performance_group, self.voice_group, self.check_group, self.scale_group):
            left.addWidget(group)
        for group in (self.pauses_group, self.mastering_group, self.output_group, self.cache_group):
            right.addWidget(group)
        left.addStretch(1)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.button_box)

        self._fill_form(settings)

    # --- building ------------------------------------------------------------------------

    @staticmethod
    def _add_row(form: QFormLayout, label: str, field: QWidget | QHBoxLayout, tip: str) -> None:
        """Add a labelled row; the label shares the field's tooltip so hovering either explains it."""
        label_widget = QLabel(label)
        label_widget.setToolTip(tip)
        if isinstance(field, QWidget):
            field.setToolTip(field.toolTip() or tip)
            label_widget.setBuddy(field)
        form.addRow(label_widget, field)

    @staticmethod
    def _spin(minimum: int, maximum: int, suffix: str = "", step: int = 1) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(minimum, maximum)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        return spin

    @staticmethod
    def _double_spin(minimum: float, maximum: float, step: float, decimals: int = 2, suffix: str = "") -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(minimum, maximum)
        spin.setSingleStep(step)
        spin.setDecimals(decimals)
        spin.setSuffix(suffix)
        return spin

    @staticmethod
    def _with_checkbox(field: QWidget, check_text: str, field_tip: str, check_tip: str) -> tuple[QHBoxLayout, QCheckBox]:
        """A field beside a checkbox that, when ticked, disables the field (its value becomes automatic)."""
        check = QCheckBox(check_text)
        check.setToolTip(check_tip)
        field.setToolTip(field_tip)
        check.toggled.connect(lambda ticked: field.setEnabled(not ticked))
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(check)
        return row, check

    def _build_performance_group(self, recommended_batch: int | None, gpu_name: str | None) -> None:
        self.performance_group = QGroupBox("Performance")
        form = QFormLayout(self.performance_group)

        self.batch_size_spin = self._spin(1, 64)
        batch_row, self.batch_auto_check = self._with_checkbox(self.batch_size_spin, "Auto", TIPS["batch"],
                                                               TIPS["batch_auto"])
        if recommended_batch is None:
            self.recommended_label = QLabel("No GPU: see CPU streams")
        else:
            self.recommended_label = QLabel(f"Recommended for {gpu_name or 'this GPU'}: {recommended_batch}")
        self.recommended_label.setToolTip("From the GPU's memory size; the render adapts if memory runs short.")
        batch_row.addWidget(self.recommended_label)
        self._add_row(form, "Batch size:", batch_row, TIPS["batch"])

        self.cpu_streams_spin = self._spin(1, 64)
        streams_row, self.cpu_streams_auto_check = self._with_checkbox(self.cpu_streams_spin, "Auto", TIPS["cpu_streams"],
                                                                       TIPS["cpu_streams_auto"])
        self._add_row(form, "CPU streams:", streams_row, TIPS["cpu_streams"])
        self.cpu_mode_row = CpuModeRow()
        self._add_row(form, "CPU mode:", self.cpu_mode_row, self.cpu_mode_row.label.toolTip())

        self.device_combo = QComboBox()
        for text, value in (("Auto (GPU when available)", "auto"), ("CPU", "cpu"), ("CUDA (NVIDIA GPU)", "cuda")):
            self.device_combo.addItem(text, value)
        self.device_combo.currentIndexChanged.connect(self._update_precision_choices)
        self._add_row(form, "Device:", self.device_combo, TIPS["device"])

        self.precision_combo = QComboBox()
        for precision in ("auto", "float32", "float16", "bfloat16"):
            self.precision_combo.addItem("Auto" if precision == "auto" else precision, precision)
        self._add_row(form, "Precision:", self.precision_combo, TIPS["precision"])

        self.vram_limit_spin = self._spin(50, 100, " %")
        vram_row, self.vram_auto_check = self._with_checkbox(self.vram_limit_spin, "Auto (by VRAM tier)",
                                                             TIPS["vram_limit"], TIPS["vram_auto"])
        self._add_row(form, "VRAM limit:", vram_row, TIPS["vram_limit"])

        self.fragmentation_spin = self._double_spin(0.05, 0.95, 0.05)
        self._add_row(form, "Clear GPU cache above fragmentation:", self.fragmentation_spin, TIPS["fragmentation"])
        self.clear_interval_spin = self._spin(0, 10000, " batches")
        self.clear_interval_spin.setSpecialValueText("Never")
        self._add_row(form, "…at most every:", self.clear_interval_spin, TIPS["interval"])

    def _build_voice_group(self) -> None:
        self.voice_group = QGroupBox("Voice")
        form = QFormLayout(self.voice_group)
        self.chunk_length_spin = self._spin(50, 2000, " chars", step=50)
        self._add_row(form, "Chunk length:", self.chunk_length_spin, TIPS["chunk"])

        self.scale_spins: dict[str, QDoubleSpinBox] = {}
        self.voice_default_checks: dict[str, QCheckBox] = {}
        for name, label, minimum, maximum in (("length_scale", "Speaking rate (length):", 0.5, 2.0),
                                              ("noise_scale", "Noise scale:", 0.0, 1.5),
                                              ("noise_w", "Noise width:", 0.0, 1.5)):
            spin = self._double_spin(minimum, maximum, 0.05, decimals=3)
            row, check = self._with_checkbox(spin, "Voice default", TIPS[name], TIPS["voice_default"])
            self.scale_spins[name], self.voice_default_checks[name] = spin, check
            self._add_row(form, label, row, TIPS[name])
        # Short names for the fields tests and the window touch most.
        self.length_scale_spin = self.scale_spins["length_scale"]
        self.length_scale_default_check = self.voice_default_checks["length_scale"]

    def _build_pauses_group(self) -> None:
        self.pauses_group = QGroupBox("Pauses")
        form = QFormLayout(self.pauses_group)
        self.pause_spins: dict[str, QDoubleSpinBox] = {}
        for name, label in (("sentence_pause", "After a sentence:"), ("paragraph_pause", "After a paragraph:"),
                            ("chapter_pause", "After a chapter:")):
            self.pause_spins[name] = self._double_spin(0.0, 10.0, 0.05, suffix=" s")
            self._add_row(form, label, self.pause_spins[name], TIPS[name])

    def _build_output_group(self) -> None:
        self.output_group = QGroupBox("Output")
        form = QFormLayout(self.output_group)
        self.chapter_format_combo = QComboBox()
        self.chapter_format_combo.addItem("FLAC (lossless, smaller)", "flac")
        self.chapter_format_combo.addItem("WAV", "wav")
        self._add_row(form, "Chapter files:", self.chapter_format_combo, TIPS["chapter_format"])

        self.output_checks: dict[str, QCheckBox] = {}
        outputs_row, exports_row = QHBoxLayout(), QHBoxLayout()
        for output in EXTRA_OUTPUTS:
            check = QCheckBox(OUTPUT_LABELS.get(output, output.upper()))
            check.setToolTip(TIPS[output])
            self.output_checks[output] = check
            (exports_row if output in EXPORT_LABELS else outputs_row).addWidget(check)
        outputs_row.addStretch(1)
        exports_row.addStretch(1)
        self._add_row(form, "Also make:", outputs_row, "Extra files made after the chapters are rendered.")
        self._add_row(form, "Exports:", exports_row, "Copies of the audiobook for stores and phones.")
        self.m4b_bitrate_combo = QComboBox()
        for kbps in M4B_BITRATES:
            self.m4b_bitrate_combo.addItem(f"{kbps} kbps", kbps)
        self._add_row(form, "M4B bit rate:", self.m4b_bitrate_combo, TIPS["m4b_bitrate"])

        self.footnotes_combo = QComboBox()
        self.footnotes_combo.addItem("Skip", "skip")
        self.footnotes_combo.addItem("Read aloud", "read")
        self._add_row(form, "Footnotes:", self.footnotes_combo, TIPS["footnotes"])
        self.date_order_combo = QComboBox()
        for label, value in (("Auto (from the book's language)", "auto"), ("Month/day (10/06 = October 6)", "mdy"),
                             ("Day/month (10/06 = 10 June)", "dmy")):
            self.date_order_combo.addItem(label, value)
        self._add_row(form, "Dates:", self.date_order_combo, TIPS["date_order"])

    def _build_cache_group(self, book_loaded: bool) -> None:
        self.cache_group = QGroupBox("Cache")
        form = QFormLayout(self.cache_group)
        self.cache_dir_edit = QLineEdit()
        self.cache_dir_edit.setPlaceholderText(f"Default: {RenderSettings().cache_root()}")
        self.cache_dir_edit.setToolTip(TIPS["cache_dir"])
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setToolTip(TIPS["browse"])
        self.browse_button.clicked.connect(self._browse_cache_dir)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.cache_dir_edit, 1)
        folder_row.addWidget(self.browse_button)
        self._add_row(form, "Cache folder:", folder_row, TIPS["cache_dir"])

        self.clear_cache_button = QPushButton("Clear cache for this book")
        self.clear_cache_button.setEnabled(book_loaded)
        self.clear_cache_button.setToolTip(TIPS["clear_cache"] if book_loaded else "Open a book first.")
        self.clear_cache_button.clicked.connect(self.clear_cache_requested.emit)
        form.addRow(self.clear_cache_button)

    # --- form <-> settings ---------------------------------------------------------------

    def _fill_form(self, settings: RenderSettings) -> None:
        auto_batch = settings.batch_size == "auto"
        self.batch_auto_check.setChecked(auto_batch)
        self.batch_size_spin.setValue((self._recommended_batch or 1) if auto_batch else int(settings.batch_size))
        auto_streams = settings.cpu_streams == "auto"
        self.cpu_streams_auto_check.setChecked(auto_streams)
        self.cpu_streams_spin.setValue(min(8, os.cpu_count() or 1) if auto_streams else int(settings.cpu_streams))

        device_index = self.device_combo.findData(settings.device)
        if device_index < 0:  # "cuda:N": keep the exact device the user chose elsewhere
            self.device_combo.addItem(f"CUDA device {settings.device.partition(':')[2]}", settings.device)
            device_index = self.device_combo.count() - 1
        self.device_combo.setCurrentIndex(device_index)
        self.precision_combo.setCurrentIndex(self.precision_combo.findData(settings.precision))
        self._update_precision_choices()

        self.vram_auto_check.setChecked(settings.vram_limit_percent is None)
        self.vram_limit_spin.setValue(settings.vram_limit_percent or 90)
        self.fragmentation_spin.setValue(settings.cache_clear_fragmentation)
        self.clear_interval_spin.setValue(settings.cache_clear_interval)

        self.chunk_length_spin.setValue(settings.max_chars)
        for name, spin in self.scale_spins.items():
            value = getattr(settings, name)
            self.voice_default_checks[name].setChecked(value is None)
            spin.setValue(TYPICAL_VOICE_SCALES[name] if value is None else value)
        for name, spin in self.pause_spins.items():
            spin.setValue(getattr(settings, name))

        self.chapter_format_combo.setCurrentIndex(self.chapter_format_combo.findData(settings.chapter_format))
        for output, check in self.output_checks.items():
            check.setChecked(output in settings.outputs)
        if self.m4b_bitrate_combo.findData(settings.m4b_bitrate) < 0:  # a rate set elsewhere: keep it
            self.m4b_bitrate_combo.addItem(f"{settings.m4b_bitrate} kbps", settings.m4b_bitrate)
        self.m4b_bitrate_combo.setCurrentIndex(self.m4b_bitrate_combo.findData(settings.m4b_bitrate))
        self.footnotes_combo.setCurrentIndex(self.footnotes_combo.findData(settings.footnotes))
        self.date_order_combo.setCurrentIndex(self.date_order_combo.findData(settings.date_order))
        self.cache_dir_edit.setText(settings.cache_dir or "")
        self.mastering_group.fill(settings)
        self.check_group.fill(settings)
        self.scale_group.fill(settings)

    def settings(self) -> RenderSettings:
        """The form as a validated RenderSettings; fields the dialog doesn't show come from the input."""
        def optional(check: QCheckBox, value):
            return None if check.isChecked() else value

        values = dict(
            batch_size="auto" if self.batch_auto_check.isChecked() else self.batch_size_spin.value(),
            cpu_streams="auto" if self.cpu_streams_auto_check.isChecked() else self.cpu_streams_spin.value(),
            device=self.device_combo.currentData(),
            precision=self.precision_combo.currentData(),
            vram_limit_percent=optional(self.vram_auto_check, self.vram_limit_spin.value()),
            cache_clear_fragmentation=round(self.fragmentation_spin.value(), 2),
            cache_clear_interval=self.clear_interval_spin.value(),
            max_chars=self.chunk_length_spin.value(),
            chapter_format=self.chapter_format_combo.currentData(),
            outputs=[output for output, check in self.output_checks.items() if check.isChecked()],
            m4b_bitrate=self.m4b_bitrate_combo.currentData(),
            footnotes=self.footnotes_combo.currentData(),
            date_order=self.date_order_combo.currentData(),
            cache_dir=self.cache_dir_edit.text().strip() or None,
        )
        for name, spin in self.scale_spins.items():
            values[name] = optional(self.voice_default_checks[name], round(spin.value(), 3))
        for name, spin in self.pause_spins.items():
            values[name] = round(spin.value(), 2)
        values.update(self.mastering_group.values())
        values.update(self.check_group.values())
        values.update(self.scale_group.values())
        return dataclasses.replace(self._original, **values)  # replace() re-runs validation

    def reset_to_defaults(self) -> None:
        self._fill_form(RenderSettings())

    # --- reactions -----------------------------------------------------------------------

    def _update_precision_choices(self) -> None:
        """Half precision is a GPU feature: disable it for the CPU and fall back to float32."""
        on_cpu = self.device_combo.currentData() == "cpu"
        model = self.precision_combo.model()
        for row in range(self.precision_combo.count()):
            if self.precision_combo.itemData(row) in HALF_PRECISIONS:
                model.item(row).setEnabled(not on_cpu)
                self.precision_combo.setItemData(row, TIPS["half_on_cpu"] if on_cpu else None,
                                                 Qt.ItemDataRole.ToolTipRole)
        if on_cpu and self.precision_combo.currentData() in HALF_PRECISIONS:
            self.precision_combo.setCurrentIndex(self.precision_combo.findData("auto"))

    def _browse_cache_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Cache folder", self.cache_dir_edit.text())
        if folder:
            self.cache_dir_edit.setText(folder)

    def accept(self) -> None:
        try:
            self.settings()
        except ValueError as error:  # the ranges should prevent this; say so rather than lose the edit
            QMessageBox.warning(self, "Invalid settings", str(error))
            return
        super().accept()
