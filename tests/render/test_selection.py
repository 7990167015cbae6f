"""Chapter selection: the default from each chapter's matter, '1-3,7' specs, the per-book file."""

import json

import pytest

from backend.render.selection import (
    default_chapters,
    describe,
    format_chapters,
    parse_chapters,
    read_selection,
    resolve_selection,
    save_selection,
    selection_file,
    selection_progress,
)
from backend.text import Book, Chapter


def book(*matters):
    return Book("T", None, [Chapter(f"Part {n}", ["Text."], matter=m) for n, m in enumerate(matters, 1)])


def test_front_back_and_contents_are_left_out_by_default_body_and_notes_read():
    b = book("front", "front", "toc", "body", "body", "notes", "back", "back")
    assert default_chapters(b.chapters) == (3, 4, 5)


def test_a_book_marked_all_front_or_back_matter_is_read_whole():
    assert default_chapters(book("front", "back").chapters) == (0, 1)
    assert default_chapters(book("body").chapters) == (0,)
    assert default_chapters(book("weird", "front").chapters) == (0,)  # an unknown value counts as body


@pytest.mark.parametrize("spec, expected", [
    ("1-3,7", (0, 1, 2, 6)), (" 2 , 4 - 5 ", (1, 3, 4)), ("all", tuple(range(9))), ("ALL", tuple(range(9))),
    ("8-", (7, 8)), ("-2", (0, 1)), ("3,1,3", (0, 2)), ("9", (8,)),
])
def test_parse_chapter_specs(spec, expected):
    assert parse_chapters(spec, 9) == expected


@pytest.mark.parametrize("spec, words", [
    ("", "no chapters given"), ("  ", "no chapters given"), ("0", "there is no chapter 0"),
    ("10", "there is no chapter 10: the book has 9 chapters (1-9)"), ("2-12", "no chapter 12"),
    ("5-3", "runs backwards; write 3-5"), ("x", "'x' in 'x' is not a chapter number"),
    ("1 3", "'1 3'"), ("1,,2", "'' in '1,,2'"), ("1-2-3", "'1-2-3'"), ("-", "'-'"),
])
def test_bad_specs_say_what_is_wrong(spec, words):
    with pytest.raises(ValueError) as info:
        parse_chapters(spec, 9)
    assert words in str(info.value)


def test_format_is_the_compact_spec_parse_reads():
    assert format_chapters((0, 1, 2, 6)) == "1-3,7"
    assert format_chapters((4,)) == "5" and format_chapters(()) == ""
    assert format_chapters((0, 2, 3, 5, 6, 7)) == "1,3-4,6-8"
    for chapters in [(0, 1, 2, 6), (1, 3, 4, 8), tuple(range(9))]:
        assert parse_chapters(format_chapters(chapters), 9) == chapters


def test_saved_per_book_and_read_back(tmp_path):
    titles = ["Cover", "One", "Two", "Index"]
    path = save_selection(tmp_path / "job", titles, [2, 1])
    assert path == selection_file(tmp_path / "job")
    assert json.loads(path.read_text()) == {"version": 1, "titles": titles, "selected": [2, 3]}
    assert read_selection(tmp_path / "job", titles) == ((1, 2), None)
    assert not list((tmp_path / "job").glob(".*"))  # no temporary file left
    save_selection(tmp_path / "job", titles, [])  # none selected is a choice too (a render then refuses)
    assert read_selection(tmp_path / "job", titles) == ((), None)


def test_a_missing_selection_is_no_warning(tmp_path):
    assert read_selection(tmp_path, ["One"]) == (None, None)


def test_saving_a_chapter_the_book_lacks_is_refused(tmp_path):
    with pytest.raises(ValueError, match="there is no chapter 5: the book has 2 chapters"):
        save_selection(tmp_path, ["One", "Two"], [4])
    assert not selection_file(tmp_path).exists()


def test_a_selection_for_another_reading_of_the_book_is_not_used(tmp_path):
    save_selection(tmp_path, ["One", "Two"], [1])
    chapters, warning = read_selection(tmp_path, ["One", "Two", "Three"])
    assert chapters is None and "chapters changed" in warning and "default" in warning


def test_a_damaged_selection_is_kept_aside_and_the_default_used(tmp_path):
    selection_file(tmp_path).write_text("{not json", encoding="utf-8")
    chapters, warning = read_selection(tmp_path, ["One"])
    assert chapters is None and "damaged" in warning and "selection.json.bak-" in warning
    backups = list(tmp_path.glob("selection.json.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "{not json"
    selection_file(tmp_path).write_text('{"titles": ["One"], "selected": ["1"]}', encoding="utf-8")
    assert "not whole numbers" in read_selection(tmp_path, ["One"])[1]
    selection_file(tmp_path).write_text('{"titles": ["One"], "selected": [3]}', encoding="utf-8")
    assert "names chapters the book lacks" in read_selection(tmp_path, ["One"])[1]


def test_resolve_given_then_saved_then_default(tmp_path):
    b = book("front", "body", "body", "back")
    default = resolve_selection(b, tmp_path)
    assert (default.chapters, default.source, default.warning) == ((1, 2), "default", None)
    assert describe(default, 4) == "Chapters 2-3 of 4 (2 selected, front and back matter left out)"
    save_selection(tmp_path, ["Part 1", "Part 2", "Part 3", "Part 4"], [0, 1])
    saved = resolve_selection(b, tmp_path)
    assert (saved.chapters, saved.source) == ((0, 1), "saved")
    given = resolve_selection(b, tmp_path, (3, 3, 2))
    assert (given.chapters, given.source) == ((2, 3), "given")
    with pytest.raises(ValueError, match="there is no chapter 5"):
        resolve_selection(b, tmp_path, (4,))


def test_progress_counts_a_text_shared_by_two_chapters_once():
    keys = [frozenset({"a", "b"}), frozenset({"b", "c"}), frozenset({"d"})]
    assert selection_progress(keys, {"a", "d"}, [0, 1]) == (1, 3)
    assert selection_progress(keys, {"a", "d"}, [2]) == (1, 1)
    assert selection_progress(keys, set(), []) == (0, 0)
