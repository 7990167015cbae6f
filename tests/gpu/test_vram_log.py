import csv
import struct

import pytest

from backend.gpu.memory import MemorySample
from backend.gpu.vram_log import FIELDS, VramRecord

MB = 1024 * 1024


def sample(alloc, reserved, used, retries=0):
    return MemorySample(alloc * MB, reserved * MB, alloc * MB, reserved * MB, retries, 0, used * MB, 12000 * MB)


def test_csv_png_and_summary(tmp_path):
    record = VramRecord()
    for i in range(1, 31):
        record.add(i, 4 if i < 20 else 2, 0.5, sample(1000 + 10 * i, 1200 + 10 * i, 3000 + 20 * i, retries=i // 10))
    record.cache_clears, record.oom_recoveries = 1, 2
    rows = list(csv.DictReader(open(record.write_csv(tmp_path / "v.csv"), encoding="utf-8")))
    assert list(rows[0]) == list(FIELDS) and len(rows) == 30
    assert float(rows[-1]["reserved_mb"]) == 1500.0 and rows[-1]["batch_size"] == "2"
    png = record.write_png(tmp_path / "v.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (900, 320)
    QImage = pytest.importorskip("PySide6.QtGui").QImage  # an independent decoder agrees the file is valid

    image = QImage(str(tmp_path / "v.png"))
    assert not image.isNull() and image.width() == 900
    colours = {image.pixelColor(x, y).name() for x in range(0, 900, 3) for y in range(0, 320, 3)}
    assert len(colours) > 3  # lines were drawn, not a blank canvas
    lines = record.summary_lines()
    assert "peak allocated 1.27 GB" in lines[0] and "peak reserved 1.46 GB" in lines[0]
    assert "1 cache clears, 2 OOM recoveries" in lines[1] and "batch sizes used: 2, 4" in lines[1]


def test_fragmentation_property():
    assert sample(600, 1000, 2000).fragmentation == 0.4
    assert MemorySample(0, 0, 0, 0, 0, 0, None, None).fragmentation == 0.0
    assert MemorySample(0, 0, 0, 0, 0, 0, None, None).device_fraction is None
