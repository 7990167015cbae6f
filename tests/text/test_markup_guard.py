"""Entity tricks are cleaned out of markup before any parser sees it (markup_guard), and the
limits of input_limits say what they are."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from backend.text import BookError, Chapter, load_book
from backend.text import input_limits as limits
from backend.text.book import Book
from backend.text.markup_guard import clean_markup_text, drop_internal_subsets, guard_markup, parse_xml


def test_internal_subset_is_removed_whatever_it_holds():
    tricky = '<!DOCTYPE html [<!ENTITY a "x]>y"> <!-- ]> --> <!ENTITY b \'>\'>]><p>&a;&b;text</p>'
    assert drop_internal_subsets(tricky) == "<!DOCTYPE html><p>&a;&b;text</p>"
    assert clean_markup_text(tricky) == "<!DOCTYPE html><p>text</p>"
    plain = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd"><p>[x]</p>'
    assert drop_internal_subsets(plain) == plain


@pytest.mark.parametrize("source, cleaned", [
    ("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;", "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"),
    ("caf&eacute;&nbsp;au lait", "caf&#233;&#160;au lait"),
    ("&lol9; laughs &xxe;", " laughs "),
    ("&#233; and &#x263A; stay", "&#233; and &#x263A; stay"),
    ("AT&T and fish & chips", "AT&T and fish & chips"),
])
def test_entity_references(source, cleaned):
    assert clean_markup_text(source) == cleaned


def test_unchanged_markup_keeps_its_bytes_and_changed_markup_is_utf8():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><p>caf\xe9</p>'.encode("latin-1")
    assert guard_markup(data) is data
    changed = guard_markup('<?xml version="1.0" encoding="iso-8859-1"?><p>caf\xe9&nbsp;&lol;</p>'.encode("latin-1"))
    assert changed == '<?xml version="1.0" encoding="utf-8"?><p>caf\xe9&#160;</p>'.encode()
    assert "".join(ET.fromstring(changed).itertext()) == "caf\xe9\xa0"
    utf16 = '<?xml version="1.0" encoding="utf-16"?><p>&lol;x</p>'.encode("utf-16")
    assert "".join(parse_xml(utf16).itertext()) == "x"
    image = b"\x89PNG&lol;["
    assert guard_markup(image) is image


def test_billion_laughs_and_external_entities_in_xml(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRETWORD", encoding="utf-8")
    levels = '<!ENTITY lol "lol">' + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                           for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [{levels}]><r>a &lol9; b</r>'.encode()
    assert "".join(parse_xml(bomb).itertext()) == "a  b"
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>a &x; b</r>'.encode()
    assert "".join(parse_xml(xxe).itertext()) == "a  b"
    # Without the guard ElementTree does not fetch it either: it calls the entity undefined.
    with pytest.raises(ET.ParseError, match="undefined entity"):
        ET.fromstring(xxe)


def test_size_text():
    assert limits.size_text(3 * limits.GIB) == "3 GB"
    assert limits.size_text(256 * limits.MIB) == "256 MB"
    assert limits.size_text(1536) == "1.5 KB" and limits.size_text(12) == "12 bytes"


def _zip(entries: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return zipfile.ZipFile(buffer)


def test_zip_limits_from_the_central_directory(tmp_path, monkeypatch):
    path = tmp_path / "x.epub"
    with pytest.raises(BookError, match=r"looks like a zip bomb: 'big' would unpack from .* times its packed size"):
        limits.check_zip(_zip({"big": b" " * (2 * limits.MIB)}), path, "EPUB")
    limits.check_zip(_zip({"small": b" " * 100_000}), path, "EPUB")  # small entries may pack as well as they like
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 3)
    with pytest.raises(BookError, match="its archive holds 4 files"):
        limits.check_zip(_zip({str(i): b"" for i in range(4)}), path, "EPUB")
    monkeypatch.setattr(limits, "MAX_ZIP_TOTAL_BYTES", 1000)
    with pytest.raises(BookError, match="its files would unpack to 1.2 KB"):
        limits.check_zip(_zip({"a": b"x" * 600, "b": b"y" * 600}), path, "EPUB")


def test_book_text_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BOOK_CHARS", 1_000_000)
    path = tmp_path / "long.txt"
    path.write_text(("word " * 100_000 + "\n\n") * 3, encoding="utf-8")
    with pytest.raises(BookError, match="holds 2 million characters of text, more than the 1 million"):
        load_book(path)
    limits.check_book_text(Book("ok", None, [Chapter("a", ["b" * 1000])]), path)


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_FILE_BYTES", 1000)
    path = tmp_path / "big.md"
    path.write_text("# Big\n\n" + "text " * 1000, encoding="utf-8")
    with pytest.raises(BookError, match=r"it is 4.9 KB, more than the 1000 bytes this program reads as a text file"):
        load_book(path)
