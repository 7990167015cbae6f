"""A stand-in for Calibre's `ebook-convert`, for machines without Calibre (CI does not install it:
Debian's calibre is 93 packages, 102 MB to download and 340 MB installed, most of it Qt
WebEngine). It keeps the real command's contract as the reader uses it, checked against
Calibre 6.13 in tests/text/test_calibre_reader.py where Calibre is installed:

    ebook-convert INPUT OUTPUT.epub        exit 0 and OUTPUT written, or
                                          exit 1 with a Python traceback on stderr, ending in the
                                          error's line ("calibre.ebooks.DRMError: NAME" for DRM)

The input is read as plain text: a first line "Title: …" names the book, lines starting with
"# " start chapters, other lines are paragraphs; "DRM" anywhere fails as DRM does, "BROKEN" as
a damaged file does, "SLOW" sleeps for a minute. The EPUB is made by tests/text/epub_factory."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fail(last_line: str) -> int:
    sys.stdout.write("1% Converting input to HTML...\nInputFormatPlugin: MOBI Input running\n")
    sys.stderr.write(f'Traceback (most recent call last):\n  File "/usr/bin/ebook-convert", line 21, in <module>\n{last_line}\n')
    return 1


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1].startswith("-") or argv[2].startswith("-"):
        sys.stderr.write("Usage: ebook-convert input_file output_file [options]\n")
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    if not source.is_file():
        return _fail(f"FileNotFoundError: [Errno 2] No such file or directory: '{source}'")
    if target.suffix.lower() != ".epub":
        return _fail(f"ValueError: this stand-in only writes EPUB, not {target.suffix}")
    text = source.read_bytes().decode("utf-8", errors="replace")
    if "DRM" in text:
        return _fail(f"calibre.ebooks.DRMError: {source.name}")
    if "BROKEN" in text:
        return _fail("struct.error: unpack requires a buffer of 2 bytes")
    if "SLOW" in text:
        time.sleep(60)
    sys.path.insert(0, str(ROOT))
    from tests.text.epub_factory import Doc, TocItem, write_epub

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines.pop(0).removeprefix("Title:").strip() if lines and lines[0].startswith("Title:") else source.stem
    chapters: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("# ") or not chapters:
            chapters.append((line[2:] if line.startswith("# ") else source.stem, []))
            if line.startswith("# "):
                continue
        chapters[-1][1].append(line)
    docs = [Doc(f"c{i}.xhtml", f"<h1>{name}</h1>" + "".join(f"<p>{p}</p>" for p in paras)) for i, (name, paras) in enumerate(chapters)]
    write_epub(target, docs, [TocItem(name, f"c{i}.xhtml") for i, (name, _) in enumerate(chapters)], title=title)
    sys.stdout.write(f"EPUB output written to {target}\nOutput saved to   {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
