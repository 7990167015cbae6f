"""The audio report as a table: one row per output file, one column per figure, ✓/✗ against the
chosen preset (a ✗ cell is red and its tooltip says what the spec asks). Shown in the finished
summary; the same rows are in `<title> audio report.csv`."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
)

from backend.audio.report import COLUMNS, QualityReport

FAIL_COLOR = QColor(190, 30, 30)
PASS_COLOR = QColor(20, 120, 40)


class QualityTable(QTableWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS) + 1, parent)
        self.setHorizontalHeaderLabels(["File"] + [title for _, title, _ in COLUMNS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip("Each output file measured after the render; ✗ marks what misses the chosen spec "
                        "(a warning only: the files are kept).")
        self.report: QualityReport | None = None

    def show_report(self, report: QualityReport) -> None:
        self.report = report
        self.setRowCount(len(report.measurements))
        for row, m in enumerate(report.measurements):
            name = QTableWidgetItem(report.name(m))
            name.setToolTip(str(m.path))
            self.setItem(row, 0, name)
            for column, cell in enumerate(report.cells(m).values(), 1):
                item = QTableWidgetItem(cell.marked)
                if cell.ok is not None:
                    item.setForeground(QBrush(PASS_COLOR if cell.ok else FAIL_COLOR))
                    item.setToolTip(f"{report.preset.label} wants {cell.rule}")
                self.setItem(row, column, item)
        self.resizeColumnsToContents()
        height = self.horizontalHeader().height() + sum(self.rowHeight(r) for r in range(self.rowCount())) + 4
        self.setMinimumHeight(min(height, 320))
        width = sum(self.columnWidth(c) for c in range(self.columnCount())) + 4
        self.setMinimumWidth(min(width, 1100))

    def failing_cells(self) -> int:
        """How many cells show ✗ (tests, and the summary's wording)."""
        return sum(1 for r in range(self.rowCount()) for c in range(self.columnCount())
                   if self.item(r, c) is not None and self.item(r, c).text().endswith("✗"))


def show_table_in(box: QMessageBox, table: QualityTable) -> None:
    """Put `table` in a message box, under its text and above its buttons (a QMessageBox lays
    itself out in a grid whose last row holds the buttons)."""
    grid = box.layout()
    buttons = box.findChild(QDialogButtonBox)
    row = grid.rowCount()
    if buttons is not None:
        grid.removeWidget(buttons)
        grid.addWidget(buttons, row + 1, 0, 1, grid.columnCount())
    grid.addWidget(table, row, 0, 1, grid.columnCount())
