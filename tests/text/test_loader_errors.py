"""Every bad input gives a BookError naming the file, never a traceback."""

from __future__ import annotations

import zipfile

import pytest

from backend.text import BookError, load_book
from tests.text import epub_factory


def _expect_error(path, *words):
    with pytest.raises(BookError) as info:
        load_book(path)
    message = str(info.value)
    assert path.name in message
    assert message.startswith(f"Cannot read '{path.name}': ")
    for word in words:
        assert word in message.lower()
    return info.value


def test_missing_file(tmp_path):
    _expect_error(tmp_path / "nowhere.txt", "does not exist")


def test_folder_instead_of_file(tmp_path):
    folder = tmp_path / "folder.epub"
    folder.mkdir()
    _expect_error(folder, "folder")


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.epub"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    _expect_error(path, "empty")


@pytest.mark.parametrize("name", ["blank.txt", "blank.md"])
def test_whitespace_only(tmp_path, name):
    path = tmp_path / name
    path.write_text("  \n\n\t \r\n   \n", encoding="utf-8")
    _expect_error(path, "no text")


@pytest.mark.parametrize("name", ["image.txt", "image.md"])
def test_binary_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(epub_factory.tiny_png() + bytes(range(256)) * 4)
    _expect_error(path, "binary")


def test_control_characters_without_nul_are_binary(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 100)
    _expect_error(path, "binary")


def test_unknown_extension(tmp_path):
    path = tmp_path / "book.xyz"
    path.write_bytes(b"%PDF-1.4")
    _expect_error(path, "'.xyz'", "not supported")


def test_no_extension(tmp_path):
    path = tmp_path / "README"
    path.write_text("hello", encoding="utf-8")
    _expect_error(path, "without an extension")


def test_epub_that_is_not_a_zip(tmp_path):
    path = tmp_path / "x.epub"
    path.write_text("this is plain text, not a zip", encoding="utf-8")
    error = _expect_error(path, "not a valid epub", "not a zip archive")
    assert str(error) == "Cannot read 'x.epub': it is not a valid EPUB (not a zip archive)"


def test_truncated_zip(tmp_path):
    good = epub_factory.epub3_book(tmp_path / "good.epub")
    path = tmp_path / "cut.epub"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _expect_error(path, "epub")


def test_zip_without_package_file(tmp_path):
    path = tmp_path / "nopackage.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("hello.xhtml", "<p>hi</p>")
    _expect_error(path, "package file")


def test_broken_opf(tmp_path):
    path = epub_factory.write_epub(
        tmp_path / "brokenopf.epub",
        [epub_factory.Doc("a.xhtml", "<p>Text</p>")],
        [],
        opf_override="<package><metadata><unclosed></package>",
    )
    _expect_error(path, "package file", "broken")


def test_broken_container(tmp_path):
    path = tmp_path / "brokencontainer.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("META-INF/container.xml", "<container><rootfiles>")
    _expect_error(path, "container", "broken")


def test_epub_with_empty_spine(tmp_path):
    path = epub_factory.write_epub(tmp_path / "nospine.epub", [], [], nav_in_spine=False)
    _expect_error(path, "spine")


def test_epub_with_no_text(tmp_path):
    docs = [epub_factory.COVER_PAGE, epub_factory.EMPTY_PAGE]
    path = epub_factory.write_epub(tmp_path / "pictures.epub", docs, [], cover=epub_factory.tiny_png())
    _expect_error(path, "no readable text")


def test_epub_with_encrypted_text(tmp_path):
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/a.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    path = epub_factory.write_epub(
        tmp_path / "drm.epub",
        [epub_factory.Doc("a.xhtml", "<p>Text</p>")],
        [],
        extra_files={"META-INF/encryption.xml": encryption.encode()},
    )
    _expect_error(path, "drm")


def test_markdown_with_only_code(tmp_path):
    path = tmp_path / "code.md"
    path.write_text("```\nprint('x')\n```\n", encoding="utf-8")
    _expect_error(path, "no readable text")


def test_invalid_footnote_mode_is_a_programming_error(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Hello.", encoding="utf-8")
    with pytest.raises(ValueError):
        load_book(path, footnotes="sometimes")
