"""`audiobook render --check` through the real CLI with the real Whisper model."""

import csv

from tests.cli.test_cli import run_cli


def test_render_with_the_check_writes_its_report(tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text("The Pier\n\nThe ferry was late again. Nobody on the pier seemed to mind.\n", encoding="utf-8")
    proc = run_cli("render", book, "-o", tmp_path / "out", "--cache-dir", tmp_path / "cache", "--device", "cpu",
                   "--master", "off", "--outputs", "", "--check", "flag")
    assert proc.returncode == 0, proc.stderr
    assert "Speech check: all 3 chunks heard as written." in proc.stderr  # the file name is said as a title
    rows = list(csv.DictReader((tmp_path / "out" / "pier check.csv").open(encoding="utf-8")))
    assert [r["flagged"] for r in rows] == ["no"] * 3 and rows[2]["text"].startswith("The ferry was late")


def test_bad_check_settings_are_one_line_and_nothing_renders(tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text("The ferry was late.\n", encoding="utf-8")
    for extra, message in ((("--check", "maybe"), "check must be off, flag or retry"),
                           (("--check", "flag", "--check-model", tmp_path), "no model.bin")):
        proc = run_cli("render", book, "-o", tmp_path / "out", "--cache-dir", tmp_path / "cache", "--device", "cpu", *extra)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert message in proc.stderr.splitlines()[-1]
    assert not list((tmp_path / "cache").rglob("*.flac"))
