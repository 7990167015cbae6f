"""Word (.docx) and FictionBook (.fb2) books: headings or sections make chapters, notes follow
the footnotes setting, what the document does not show is not read, bad files fail clearly."""

from __future__ import annotations

import base64
import zipfile

import pytest

from backend.text import BookError, load_book
from tests.text import docx_factory, epub_factory


@pytest.fixture(scope="module")
def word(tmp_path_factory):
    return docx_factory.word_book(tmp_path_factory.mktemp("docx") / "tales.docx")


def test_docx_headings_make_chapters(word):
    book = load_book(word)
    assert (book.title, book.author, book.language) == ("Word Tales", "Wendy Word", "en-GB")
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("Word Tales", "body"),  # the Title paragraph names the text before the first heading
        ("Chapter One", "body"),
        ("Chapter Two", "body"),
        ("Chapter Three", "body"),  # a custom style based on Heading 1
        ("Index", "back"),
    ]
    assert book.chapters[0].paragraphs == ["A foreword before the first chapter."]
    assert book.chapters[1].paragraphs == [
        "The storm began at dawn. Rain fell.",
        "The keeper always climbed the tower on page 4.",  # tracked deletion out, insertion in, field result only
        "A Section",  # Heading 2 under Heading 1 chapters is read as text
        "Beside this paragraph stands a box.",
        "Text in the box.",  # once: the text box's fallback copy is not read
        "Cell one",
        "Cell two",
    ]


def test_docx_hidden_deleted_and_field_code_text_is_not_read(word):
    text = " ".join(p for c in load_book(word).chapters for p in c.paragraphs)
    for junk in ("Hidden words", "never", "PAGEREF", "Dawn means"):
        assert junk not in text, junk


def test_docx_footnote_is_read_after_its_paragraph(word):
    paragraphs = load_book(word, footnotes="read").chapters[1].paragraphs
    assert paragraphs[:2] == ["The storm began at dawn. Rain fell.", "Dawn means early morning."]


def test_docx_without_headings_is_one_chapter(tmp_path):
    book = load_book(docx_factory.plain_docx(tmp_path / "My_Notes.docx", ["First.", "Second."]))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("My Notes", ["First.", "Second."])]


@pytest.mark.parametrize("data, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected"),
    (b"plain text, not a zip", "not a valid word document"),
])
def test_docx_that_is_not_a_docx(tmp_path, data, words):
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(BookError) as info:
        load_book(path)
    assert words in str(info.value).lower()


def test_docx_without_its_document_part(tmp_path):
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(BookError, match="word/document.xml is missing"):
        load_book(path)


def _fb2(body: str, *, encoding: str = "utf-8", extra: str = "") -> bytes:
    cover = base64.b64encode(epub_factory.tiny_png()).decode()
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">'
        "<description><title-info><genre>prose_classic</genre><author><first-name>Anna</first-name>"
        "<last-name>Pisatel</last-name></author><book-title>Tales of the Harbour</book-title>"
        "<annotation><p>A short book.</p></annotation><date>1879</date><lang>en</lang>"
        '<coverpage><image l:href="#cover.png"/></coverpage></title-info></description>'
        f"{body}{extra}"
        f'<binary id="cover.png" content-type="image/png">{cover}</binary></FictionBook>'
    )
    return text.encode(encoding)


FB2_BODY = (
    "<body><title><p>Tales of the Harbour</p></title><epigraph><p>The sea is patient.</p></epigraph>"
    '<section><title><p>Chapter One</p><p>The Storm</p></title><p>The storm began at dawn.<a l:href="#n1" type="note">1</a>'
    " Rain fell.</p><poem><stanza><v>Waves on the stone,</v><v>gulls in the air.</v></stanza></poem>"
    "<empty-line/><subtitle>Later</subtitle><p>Then quiet.</p></section>"
    "<section><title><p>Chapter Two</p></title><p>The boats came home.</p></section>"
    "<section><title><p>Contents</p></title><p>Chapter One</p><p>Chapter Two</p></section></body>"
    '<body name="notes"><section id="n1"><title><p>1</p></title><p>Dawn means early morning.</p></section></body>'
)


def test_fb2_sections_make_chapters(tmp_path):
    path = tmp_path / "tales.fb2"
    path.write_bytes(_fb2(FB2_BODY))
    book = load_book(path)
    assert (book.title, book.author, book.language, book.year) == ("Tales of the Harbour", "Anna Pisatel", "en", "1879")
    assert book.description == "A short book." and book.cover == epub_factory.tiny_png() and book.cover_mime == "image/png"
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("Tales of the Harbour", "body"),  # the body's own title and epigraph
        ("Chapter One: The Storm", "body"),
        ("Chapter Two", "body"),
        ("Contents", "toc"),
    ]
    assert book.chapters[0].paragraphs == ["The sea is patient."]
    assert book.chapters[1].paragraphs == [
        "The storm began at dawn. Rain fell.",  # the note reference is not read
        "Waves on the stone,",
        "gulls in the air.",
        "Later",
        "Then quiet.",
    ]


def test_fb2_notes_body_follows_the_setting(tmp_path):
    path = tmp_path / "tales.fb2"
    path.write_bytes(_fb2(FB2_BODY))
    assert "Notes" not in [c.title for c in load_book(path).chapters]
    notes = load_book(path, footnotes="read").chapters[-1]
    assert (notes.title, notes.matter, notes.paragraphs) == ("Notes", "notes", ["Dawn means early morning."])


def test_fb2_in_windows_1251_with_parts(tmp_path):
    body = (
        "<body><section><title><p>Часть первая</p></title>"
        "<section><title><p>Глава 1</p></title><p>Шторм начался на рассвете.</p></section>"
        "<section><title><p>Глава 2</p></title><p>Лодки вернулись.</p></section></section>"
        "<section><title><p>Часть вторая</p></title>"
        "<section><title><p>Глава 3</p></title><p>Конец.</p></section></section></body>"
    )
    path = tmp_path / "russian.fb2"
    path.write_bytes(_fb2(body, encoding="windows-1251"))
    book = load_book(path)
    # Parts and their chapters are chapters; a part with no text of its own joins its first chapter's title.
    assert [c.title for c in book.chapters] == ["Часть первая: Глава 1", "Глава 2", "Часть вторая: Глава 3"]
    assert book.chapters[1].paragraphs == ["Лодки вернулись."]


@pytest.mark.parametrize("data, words", [
    (b"<FictionBook><body><p>unclosed</body>", "xml is broken"),
    (b'<?xml version="1.0"?><html><body><p>Hi</p></body></html>', "not an fb2 book"),
    (b"<FictionBook><description/></FictionBook>", "no <body>"),
])
def test_fb2_that_is_not_an_fb2(tmp_path, data, words):
    path = tmp_path / "bad.fb2"
    path.write_bytes(data)
    with pytest.raises(BookError) as info:
        load_book(path)
    assert words in str(info.value).lower()
