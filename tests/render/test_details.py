"""Book details saved per book, cover pictures, and tags written onto finished files (samples untouched)."""

import json
import subprocess

import mutagen
import numpy as np
import pytest
import soundfile as sf

from backend.audio.ffmpeg_tool import ffmpeg_exe
from backend.render.details import (
    DetailEdits,
    apply_details,
    clean_edits,
    cover_warning,
    details_file,
    picture_size,
    read_details,
    read_picture,
    save_details,
)
from backend.render.exports import Tags
from backend.render.file_tags import TagError, write_tags
from backend.text import Book, Chapter


def make_picture(path, width, height):
    """A real JPEG or PNG (by suffix), drawn by ffmpeg."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"color=c=teal:s={width}x{height}",
                    "-frames:v", "1", "-y", str(path)], check=True)
    return path


@pytest.fixture()
def png(tmp_path):
    return make_picture(tmp_path / "small.png", 64, 48)


@pytest.fixture()
def jpeg(tmp_path):
    return make_picture(tmp_path / "big.jpg", 300, 300)


def test_picture_sizes_from_headers(png, jpeg):
    assert picture_size(png.read_bytes()) == ("image/png", 64, 48)
    assert picture_size(jpeg.read_bytes()) == ("image/jpeg", 300, 300)
    with pytest.raises(ValueError, match="not a JPEG or PNG"):
        picture_size(b"GIF89a....")
    with pytest.raises(ValueError, match="damaged"):
        picture_size(b"\xff\xd8\xff\xe0\x00\x10JFIF")


def test_read_picture_names_the_problem(tmp_path, png):
    picture = read_picture(png)
    assert (picture.mime, picture.width, picture.height, picture.size_text) == ("image/png", 64, 48, "64 × 48 px")
    with pytest.raises(ValueError, match="does not exist"):
        read_picture(tmp_path / "nope.jpg")
    with pytest.raises(ValueError, match="it is a folder"):
        read_picture(tmp_path)
    text = tmp_path / "cover.jpg"
    text.write_text("hello")
    with pytest.raises(ValueError, match="'cover.jpg' as the cover: it is not a JPEG or PNG"):
        read_picture(text)


def test_cover_size_warning():
    assert "600 × 800 pixels" in cover_warning(600, 800) and "2400 × 2400" in cover_warning(600, 800)
    assert "square" in cover_warning(3000, 2400)
    assert cover_warning(2400, 2400) is None and cover_warning(3000, 3000) is None


def test_edits_are_trimmed_and_checked():
    cleaned = clean_edits(DetailEdits(title="  The   Book ", author="", year="2024", description=" A\n\nB "))
    assert cleaned == DetailEdits(title="The Book", year="2024", description="A\n\nB")
    with pytest.raises(ValueError, match="year must be four digits"):
        clean_edits(DetailEdits(year="20x4"))
    with pytest.raises(ValueError, match="narrator is too long"):
        clean_edits(DetailEdits(narrator="x" * 201))


def test_details_saved_with_a_copied_cover_and_read_back(tmp_path, png, jpeg):
    job = tmp_path / "job"
    saved = save_details(job, DetailEdits(title="Edited", narrator="Anna", year="1999"), picture=read_picture(png))
    assert saved.cover == str(job / "cover.png") and (job / "cover.png").read_bytes() == png.read_bytes()
    data = json.loads(details_file(job).read_text())
    assert data == {"version": 1, "title": "Edited", "author": None, "narrator": "Anna", "year": "1999", "genre": None,
                    "description": None, "cover": "cover.png"}
    edits, warning = read_details(job)
    assert warning is None and edits == saved
    # A new picture replaces the old file; keep_cover keeps it; neither goes back to the book's own.
    save_details(job, edits, picture=read_picture(jpeg))
    assert sorted(p.name for p in job.glob("cover.*")) == ["cover.jpg"]
    kept = save_details(job, read_details(job)[0], keep_cover=True)
    assert kept.cover == str(job / "cover.jpg")
    none = save_details(job, DetailEdits(title="Edited"))
    assert none.cover is None and not list(job.glob("cover.*"))
    with pytest.raises(ValueError, match="year"):
        save_details(job, DetailEdits(year="99"))
    assert read_details(job)[0].title == "Edited"  # the refused save changed nothing


def test_damaged_or_incomplete_details_are_reported_and_kept(tmp_path):
    details_file(tmp_path).write_text('{"title": 5}', encoding="utf-8")
    edits, warning = read_details(tmp_path)
    assert edits == DetailEdits() and "damaged" in warning and "details.json.bak-" in warning
    details_file(tmp_path).write_text('{"title": "T", "cover": "cover.png"}', encoding="utf-8")
    edits, warning = read_details(tmp_path)
    assert edits == DetailEdits(title="T") and "cover 'cover.png' is missing" in warning
    details_file(tmp_path).write_text('{"cover": "../../etc/passwd"}', encoding="utf-8")
    assert "not a file name" in read_details(tmp_path)[1]


def test_apply_details_over_the_books_own(tmp_path, png):
    book = Book("Own", "Own Author", [Chapter("One", ["Text."])], year="1900", genre="Fiction")
    edited = apply_details(book, DetailEdits(title="New", year="2001", cover=str(png)))
    assert (edited.title, edited.author, edited.year, edited.genre) == ("New", "Own Author", "2001", "Fiction")
    assert edited.cover == png.read_bytes() and edited.cover_mime == "image/png"
    assert book.title == "Own" and apply_details(book, DetailEdits()) is book
    assert DetailEdits(title="A", narrator="B").merged(DetailEdits(narrator="", author="C")) == \
        DetailEdits(title="A", author="C", narrator="")


@pytest.mark.parametrize("suffix", ["flac", "wav"])
def test_tags_change_no_sample(tmp_path, png, suffix):
    audio = (np.random.default_rng(1).standard_normal(30000) * 3000).astype(np.int16)
    path = tmp_path / f"01 - One.{suffix}"
    sf.write(path, audio, 44100, subtype="PCM_16")
    tags = Tags("One", "Ann Author", "The Book", (1, 3), "Audiobook", "2001", "Joe", "About it.")
    write_tags(path, tags, png.read_bytes(), "image/png")
    write_tags(path, tags, png.read_bytes(), "image/png")  # again: replaced, not doubled
    assert np.array_equal(sf.read(path, dtype="int16")[0], audio)
    meta = mutagen.File(path)
    if suffix == "flac":
        assert meta["TITLE"] == ["One"] and meta["ARTIST"] == ["Ann Author"] and meta["ALBUM"] == ["The Book"]
        assert meta["TRACKNUMBER"] == ["1"] and meta["TRACKTOTAL"] == ["3"] and meta["COMPOSER"] == ["Joe"]
        assert len(meta.pictures) == 1 and meta.pictures[0].type == 3 and meta.pictures[0].data == png.read_bytes()
        assert (meta.pictures[0].width, meta.pictures[0].height) == (64, 48)
    else:
        assert str(meta["TIT2"]) == "One" and str(meta["TALB"]) == "The Book" and str(meta["TRCK"]) == "1/3"
        assert meta.tags.getall("APIC")[0].data == png.read_bytes()


def test_tagging_a_file_that_is_not_audio_says_so(tmp_path):
    bad = tmp_path / "01.flac"
    bad.write_bytes(b"not flac")
    with pytest.raises(TagError, match="Cannot write the tags of '01.flac'"):
        write_tags(bad, Tags("One"))
    with pytest.raises(TagError, match=".mp4 files are not tagged here"):
        write_tags(tmp_path / "x.mp4", Tags("One"))
