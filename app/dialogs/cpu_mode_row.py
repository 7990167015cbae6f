"""The CPU mode row of Advanced Settings: the mode this machine measured, and "Measure again".

Reads the remembered calibration (backend/tts/cpu_mode_store.py) without loading PyTorch. The
CPU streams and Precision rows above it override its parts; "Auto" in both uses it whole.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from backend.tts.cpu_mode_store import calibration_file, cpu_model_name, forget_calibration, load_calibration

TIP = ("How chunks render on a CPU: how many side by side (streams), threads for each, and the voice decoder's "
       "number format. Measured once on this machine (about 3 s at the first CPU render) and kept; bfloat16 is used "
       "only where the CPU runs it faster and it sounds the same as float32. CPU streams and Precision set to "
       "Auto use it; a number or a format there overrides that part. A book keeps the format it was started in.")
NOT_MEASURED = "Not measured yet: the first CPU render measures it (about 3 s)"


class CpuModeRow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setToolTip(TIP)
        self.again_button = QPushButton("Measure again")
        self.again_button.setToolTip("Forget the measurement: the next CPU render measures again (after a hardware, "
                                     "driver or power-plan change).")
        self.again_button.clicked.connect(self.forget)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.again_button)
        self.refresh()

    def refresh(self) -> None:
        calibration = load_calibration(calibration_file())
        fp = calibration.fingerprint if calibration else {}
        same_machine = fp.get("cpu") == cpu_model_name() and fp.get("logical_cpus") == (os.cpu_count() or 1)
        choice = calibration.choice() if calibration and same_machine else None
        self.label.setText(f"{choice.describe()} (measured)" if choice else NOT_MEASURED)
        self.again_button.setEnabled(calibration is not None)

    def forget(self) -> None:
        forget_calibration()
        self.refresh()
        self.label.setText("Measured again at the next CPU render (about 3 s)")
