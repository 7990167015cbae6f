"""The Workers group of Advanced Settings: worker processes on this machine (one per GPU, or CPU
shares) and a Ray cluster to render on (backend/render/dispatch.py, backend/cluster/). Without the
`.[cluster]` extra the cluster field says how to install it."""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox

from backend.settings import RenderSettings

WORKERS_TIP = ("Worker processes on this machine. Auto: one per GPU when there are several, else one process. "
               "N: N GPUs, or on a CPU N processes sharing the cores. The audio is the same either way.")
CLUSTER_TIP = ("Render on a Ray cluster: the head's address as 'ray start --head' prints it (host:port), or auto "
               "(the cluster this machine is part of, else a local one). Empty: render here. One worker runs per "
               "GPU of the cluster; the chunk cache stays on this machine.")
INSTALL_NOTE = 'A Ray cluster needs Ray: pip install ".[cluster]"'


def ray_installed() -> bool:
    return importlib.util.find_spec("ray") is not None


class ScaleGroup(QGroupBox):
    def __init__(self, parent=None) -> None:
        super().__init__("Workers", parent)
        form = QFormLayout(self)
        self.workers_spin = QSpinBox(minimum=1, maximum=64, toolTip=WORKERS_TIP)
        self.workers_auto = QCheckBox("Auto", toolTip=WORKERS_TIP)
        self.workers_auto.toggled.connect(lambda on: self.workers_spin.setEnabled(not on))
        row = QHBoxLayout()
        row.addWidget(self.workers_spin, 1)
        row.addWidget(self.workers_auto)
        label = QLabel("Worker processes:", toolTip=WORKERS_TIP)
        label.setBuddy(self.workers_spin)
        form.addRow(label, row)
        self.cluster_edit = QLineEdit(placeholderText="off (render here)", toolTip=CLUSTER_TIP)
        label = QLabel("Ray cluster:", toolTip=CLUSTER_TIP)
        label.setBuddy(self.cluster_edit)
        form.addRow(label, self.cluster_edit)
        missing = not ray_installed()
        self.note = QLabel(INSTALL_NOTE if missing else "", wordWrap=True, visible=missing)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the command can be copied
        form.addRow(self.note)
        self.cluster_edit.setEnabled(not missing)

    def fill(self, settings: RenderSettings) -> None:
        self.workers_auto.setChecked(settings.workers == "auto")
        self.workers_spin.setValue(settings.workers if isinstance(settings.workers, int) else 1)
        self.workers_spin.setEnabled(settings.workers != "auto")
        self.cluster_edit.setText(settings.cluster or "")

    def values(self) -> dict:
        return {"workers": "auto" if self.workers_auto.isChecked() else self.workers_spin.value(),
                "cluster": self.cluster_edit.text().strip() or None}
