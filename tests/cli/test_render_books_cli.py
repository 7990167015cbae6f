"""`audiobook render` with several books, and the scale-out flags' messages."""

import subprocess
import sys
from pathlib import Path

from tests.render.test_engine import BOOK

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "backend.cli", "render", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_several_books_render_one_after_another_into_their_folders(tmp_path):
    first, second = tmp_path / "ferry.txt", tmp_path / "dusk.txt"
    first.write_text(BOOK, encoding="utf-8")
    second.write_text(BOOK.replace("Mara", "Ines"), encoding="utf-8")
    missing = tmp_path / "gone.txt"
    done = run(first, missing, second, "-o", tmp_path / "books", "--cache-dir", tmp_path / "cache", "--device", "cpu",
               "--max-chars", "60", "--outputs", "", "--master", "off", "--workers", "2")
    assert done.returncode == 1, done.stderr  # one book failed; the others are done
    assert "Book 2 of 3: " in done.stderr and "Error: 1 of 3 books failed: " + str(missing) in done.stderr
    assert "Rendering on 2 CPU worker processes, 1 thread each" in done.stderr
    for stem in ("ferry", "dusk"):
        assert len(list((tmp_path / "books" / f"{stem}_audiobook").glob("*.flac"))) == 2
    assert "Traceback" not in done.stderr


def test_one_book_choices_are_refused_for_several_books(tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    refused = run(book, book, "--title", "Ferry")
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("Error: --title applies to one book")


def test_bad_workers_flag_names_itself(tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    bad = run(book, "--workers", "0")
    assert bad.returncode == 1 and bad.stderr.strip() == "Error: --workers 0: workers must be 1 to 64 or 'auto'"
    bad = run(book, "--workers", "two")
    assert bad.returncode == 1 and "--workers must be a whole number" in bad.stderr
