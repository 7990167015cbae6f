"""The Pronunciations and Find words to check dialogs (offscreen, real widgets, real lexicon files
in temporary config and cache folders; no worker needed here, Listen is tested with the window)."""

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.dialogs.pronunciations import BOOK, GLOBAL, PronunciationsDialog
from app.dialogs.words_to_check import WordsToCheckDialog
from backend.lexicon_store import book_lexicon_path, global_lexicon_path
from backend.settings import RenderSettings

DRAGON = """# Fire and Ice

The dragon slept. Daenerys watched it from the door.

"Wake," said Daenerys, and the dragon woke. Later Daenerys rode it over the NASA tower.

The queen smiled; Khaleesi, they called her.
"""


@pytest.fixture()
def folders(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    book = tmp_path / "dragon.md"
    book.write_text(DRAGON, encoding="utf-8")
    return RenderSettings(cache_dir=str(tmp_path / "cache")), book


def entries(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["entries"]


def dialog_for(qtbot, settings, book):
    dialog = PronunciationsDialog(settings, book, "Fire and Ice")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def add(dialog, word, say, phonemes=False, case_sensitive=False, inside=False):
    dialog.add()
    editor = dialog.editor
    editor.word.setText(word)
    editor.say.setText(say)
    editor.phonemes.setChecked(phonemes)
    editor.case_sensitive.setChecked(case_sensitive)
    editor.inside_words.setChecked(inside)
    editor.accept()
    return editor


def select(dialog, word):
    row = next(i for i, e in enumerate(dialog.lexicon.entries) if e.word == word)
    dialog.table.selectRow(row)


def test_add_edit_remove_write_the_book_and_the_global_file(qtbot, folders, monkeypatch):
    settings, book = folders
    dialog = dialog_for(qtbot, settings, book)
    assert dialog.scope.currentData() == BOOK and dialog.scope.currentText() == "This book: Fire and Ice"
    book_file = book_lexicon_path(book, settings)
    assert dialog.path() == book_file and str(book_file) in dialog.where.text()

    editor = add(dialog, "Daenerys", "dah NAIR iss")
    assert not editor.isVisible() and editor.saved is not None
    assert entries(book_file) == [{"word": "Daenerys", "say": "dah NAIR iss", "phonemes": False,
                                   "case_sensitive": False, "whole_word": True}]
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "dah NAIR iss"
    assert dialog.changed and not global_lexicon_path().exists()

    dialog.scope.setCurrentIndex(dialog.scope.findData(GLOBAL))  # "All books"
    assert dialog.table.rowCount() == 0
    add(dialog, "Hermione", "hɜːmˈaɪəni", phonemes=True, case_sensitive=True)
    assert entries(global_lexicon_path())[0] | {} == {"word": "Hermione", "say": "hɜːmˈaɪəni", "phonemes": True,
                                                      "case_sensitive": True, "whole_word": True}
    assert len(entries(book_file)) == 1  # the book's file is untouched

    dialog.scope.setCurrentIndex(dialog.scope.findData(BOOK))
    select(dialog, "Daenerys")
    dialog.edit()
    assert dialog.editor.word.text() == "Daenerys" and dialog.editor.say.text() == "dah NAIR iss"
    dialog.editor.say.setText("day NAIR iss")
    dialog.editor.inside_words.setChecked(True)
    dialog.editor.accept()
    assert entries(book_file) == [{"word": "Daenerys", "say": "day NAIR iss", "phonemes": False,
                                   "case_sensitive": False, "whole_word": False}]

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
    select(dialog, "Daenerys")
    dialog.remove()
    assert asked and len(entries(book_file)) == 1  # No: kept
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.remove()
    assert entries(book_file) == [] and dialog.table.rowCount() == 0 and "Removed 'Daenerys'" in dialog.status.text()
    assert len(entries(global_lexicon_path())) == 1


def test_without_a_book_only_the_global_lexicon(qtbot, folders):
    settings, _ = folders
    dialog = dialog_for(qtbot, settings, None)
    assert dialog.scope.count() == 1 and dialog.scope.currentData() == GLOBAL
    add(dialog, "Khaleesi", "kah LEE see")
    assert entries(global_lexicon_path())[0]["word"] == "Khaleesi"


@pytest.mark.parametrize("say, phonemes, why", [
    ("dæn@rɪs", True, "not espeak-ng phonemes the voice knows: @"),
    ("dah NAIR 1ss", False, "a respelling uses letters"),
    ("", False, "say how to pronounce it"),
])
def test_a_bad_entry_is_refused_naming_it_and_keeps_what_was_typed(qtbot, folders, say, phonemes, why):
    settings, book = folders
    dialog = dialog_for(qtbot, settings, book)
    editor = add(dialog, "Daenerys", say, phonemes=phonemes)
    assert editor.isVisible() and editor.saved is None
    assert editor.error.isVisible() and "'Daenerys'" in editor.error.text() and why in editor.error.text()
    assert editor.word.text() == "Daenerys" and editor.say.text() == say and editor.phonemes.isChecked() == phonemes
    assert not book_lexicon_path(book, settings).exists()
    editor.phonemes.setChecked(False)  # fixed, it saves
    editor.say.setText("dah NAIR iss")
    editor.accept()
    assert not editor.isVisible() and entries(book_lexicon_path(book, settings))[0]["say"] == "dah NAIR iss"


def test_the_same_word_twice_is_refused(qtbot, folders):
    settings, book = folders
    dialog = dialog_for(qtbot, settings, book)
    add(dialog, "Daenerys", "dah NAIR iss")
    editor = add(dialog, "daenerys", "day NAIR iss")
    assert editor.isVisible() and "already in the lexicon" in editor.error.text() and "'daenerys'" in editor.error.text()
    assert entries(book_lexicon_path(book, settings))[0]["say"] == "dah NAIR iss"


def test_import_export_round_trip(qtbot, folders, tmp_path):
    settings, book = folders
    dialog = dialog_for(qtbot, settings, None)
    add(dialog, "Daenerys", "dah NAIR iss")
    add(dialog, "Tyr'el", "tɪɹˈɛl", phonemes=True)
    exported = tmp_path / "shared" / "names.json"
    assert dialog.export_file(exported) and "Exported 2 entries" in dialog.status.text()
    assert entries(exported) == entries(global_lexicon_path())

    other = dialog_for(qtbot, settings, book)  # into this book's lexicon, which has its own Daenerys
    add(other, "Daenerys", "day NAIR iss")
    add(other, "Khaleesi", "kah LEE see")
    assert other.import_file(exported)
    assert "Imported 2 entries from names.json (1 replaced" in other.status.text()
    by_word = {e["word"]: e for e in entries(book_lexicon_path(book, settings))}
    assert set(by_word) == {"Daenerys", "Khaleesi", "Tyr'el"}
    assert by_word["Daenerys"]["say"] == "dah NAIR iss" and by_word["Tyr'el"]["phonemes"] is True


def test_importing_a_damaged_file_changes_nothing_and_says_why(qtbot, folders, tmp_path):
    settings, book = folders
    dialog = dialog_for(qtbot, settings, book)
    add(dialog, "Daenerys", "dah NAIR iss")
    before = book_lexicon_path(book, settings).read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text('{"entries": [{"word": "Arya", "say": "AR y@"}]}', encoding="utf-8")
    assert not dialog.import_file(bad)
    assert dialog.status.text().startswith("Nothing imported.") and "'Arya'" in dialog.status.text()
    assert book_lexicon_path(book, settings).read_bytes() == before
    assert not dialog.import_file(tmp_path / "missing.json") and "does not exist" in dialog.status.text()


def test_a_damaged_lexicon_is_reported_backed_up_and_can_be_started_again(qtbot, folders):
    settings, _ = folders
    path = global_lexicon_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"entries": [{"word": "Arya", "say": "AR ya"', encoding="utf-8")
    dialog = dialog_for(qtbot, settings, None)
    assert dialog.damaged.isVisible() and dialog.table.rowCount() == 0
    (backup,) = path.parent.glob("lexicon.json.bak-*")
    assert "not valid JSON" in dialog.damaged.text() and backup.name in dialog.damaged.text()
    add(dialog, "Khaleesi", "kah LEE see")
    assert entries(path)[0]["word"] == "Khaleesi" and not dialog.damaged.isVisible()
    assert backup.read_text(encoding="utf-8").startswith('{"entries": [{"word": "Arya"')  # nothing lost


def scanned(qtbot, settings, book):
    dialog = WordsToCheckDialog(settings, book, "Fire and Ice", scan_now=False)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.scan.found, timeout=30000):
        dialog.scan.start()
    return dialog


def test_words_to_check_lists_names_and_an_added_pronunciation_removes_it(qtbot, folders):
    settings, book = folders
    dialog = scanned(qtbot, settings, book)
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    assert {"Daenerys", "Khaleesi", "NASA"} <= set(rows)
    r = rows["Daenerys"]
    assert dialog.table.item(r, 1).text() == "3" and "proper noun" in dialog.table.item(r, 2).text()
    assert "Daenerys" in dialog.table.item(r, 3).text()
    assert "all caps" in dialog.table.item(rows["NASA"], 2).text()
    assert "may be misread" in dialog.summary.text()
    assert not dialog.add_button.isEnabled()  # nothing selected yet

    dialog.table.selectRow(r)
    assert dialog.add_button.isEnabled()
    dialog.add_pronunciation()
    editor = dialog.editor
    assert editor.word.text() == "Daenerys" and editor.say.text() == "" and editor.example.startswith("Daenerys")
    editor.say.setText("dah NAIR 1ss")  # refused: stays in the list and in the editor
    editor.accept()
    assert editor.isVisible() and "Daenerys" in [w.word for w in dialog.words]
    editor.say.setText("dah NAIR iss")
    editor.accept()
    assert not editor.isVisible()
    assert entries(book_lexicon_path(book, settings))[0] == {"word": "Daenerys", "say": "dah NAIR iss",
                                                             "phonemes": False, "case_sensitive": False,
                                                             "whole_word": True}
    words = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert "Daenerys" not in words and "Khaleesi" in words and dialog.changed
    dialog.accept()

    again = scanned(qtbot, settings, book)  # a new scan leaves it out too (the book's lexicon covers it)
    assert "Daenerys" not in [w.word for w in again.words]


def test_a_book_that_cannot_be_read_says_so(qtbot, folders, tmp_path):
    settings, _ = folders
    bad = tmp_path / "broken.epub"
    bad.write_bytes(b"not a zip")
    dialog = WordsToCheckDialog(settings, bad, scan_now=False)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.scan.failed, timeout=30000):
        dialog.scan.start()
    assert dialog.summary.text().startswith("Could not read broken") and dialog.table.rowCount() == 0


def test_the_dialogs_do_not_import_torch():
    import subprocess
    import sys

    code = ("import sys, app.window_pronunciations, app.dialogs.pronunciations, app.dialogs.words_to_check, "
            "app.dialogs.entry_editor; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
