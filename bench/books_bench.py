"""Load every book in a folder and say, per book: chapters, words, chunks, the share of the
visible words kept, the share of words read that nobody sees (junk), and the load time.

The visible words of an EPUB come from an independent extraction written here with lxml
(not the project's html.parser reader): the linear spine's XHTML, less what a reading
system does not show (head, scripts, styles, hidden elements, ruby readings, fallback
content of media, epub:case branches, SVG other than <text>, MathML annotations) and less
note markers. Both sides are compared with footnotes read, word by word (a multiset of
lower-case \\w+ tokens); chapter titles count as read. MathML is read as words ("x
squared") where the page shows tokens (x 2), which shows as a little loss and junk.

    .venv/bin/python bench/books_bench.py FOLDER [FOLDER...] [--fixtures] [--big 200000]

--fixtures also writes tests/text/reading_fixtures.py's EPUBs to a temporary folder and
measures them; --big N writes a synthetic EPUB of N words (80 chapters, notes, tables)."""

from __future__ import annotations

import argparse
import posixpath
import random
import re
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.text import BookError, load_book, plan_book_chunks  # noqa: E402

_WORD = re.compile(r"\w+")
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"
SVG = "{http://www.w3.org/2000/svg}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
_UNSEEN = {XHTML + t for t in "head script style noscript template rt rp rtc video audio canvas object iframe".split()}
_UNSEEN |= {OPS + "case", MATHML + "annotation", MATHML + "annotation-xml"}
# Elements after which a reader sees a break between words (CJK text has no spaces to tell).
_BREAKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "tr", "br", "hr", "blockquote",
           "section", "article", "aside", "nav", "header", "footer", "figcaption", "caption", "pre", "text", "math",
           "mi", "mn", "mo", "mtext", "mtd", "body", "table", "ul", "ol", "dl", "figure", "address", "title"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _is_marker(element: etree._Element) -> bool:
    kinds = f"{element.get(OPS + 'type', '')} {element.get('role', '')}".split()
    if "noteref" in kinds or "doc-noteref" in kinds:
        return True
    parent = element.getparent()
    name = _local(element.tag)
    if parent is None:
        return False
    if name == "a" and element.get("href") and _local(parent.tag) == "sup":
        return True
    return name == "sup" and _local(parent.tag) == "a" and parent.get("href") is not None


def _visible_text(element: etree._Element, out: list[str], in_svg: bool = False, svg_text: bool = False) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _UNSEEN or element.get("hidden") is not None or _is_marker(element):
        return
    if re.search(r"display\s*:\s*none", element.get("style") or "", re.I):
        return
    if tag.startswith(SVG):
        in_svg = True
        svg_text = svg_text or _local(tag) in ("text", "foreignObject")
    elif tag.startswith(XHTML) and in_svg and not svg_text:
        return
    readable = tag and (not in_svg or svg_text)
    if readable and element.text:
        out.append(element.text)
    for child in element:
        _visible_text(child, out, in_svg, svg_text)
        if child.tail and (not in_svg or svg_text):
            out.append(child.tail)
    if _local(tag) in _BREAKS:
        out.append(" ")


def reference_words(path: Path) -> Counter[str]:
    """The words a reader sees in an EPUB, by lxml."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    words: Counter[str] = Counter()
    with zipfile.ZipFile(path) as zf:
        container = etree.fromstring(zf.read("META-INF/container.xml"), parser)
        opf_path = next(e.get("full-path") for e in container.iter() if _local(str(e.tag)) == "rootfile")
        opf = etree.fromstring(zf.read(opf_path), parser)
        base = posixpath.dirname(opf_path)
        items = {e.get("id"): e for e in opf.iter() if _local(str(e.tag)) == "item"}
        names = {n.lower(): n for n in zf.namelist()}
        for ref in (e for e in opf.iter() if _local(str(e.tag)) == "itemref"):
            item = items.get(ref.get("idref"))
            if ref.get("linear") == "no" or item is None or "html" not in (item.get("media-type") or ""):
                continue
            member = posixpath.normpath(posixpath.join(base, unquote(item.get("href", "")))).lstrip("/")
            if member.lower() not in names:
                continue
            root = etree.fromstring(zf.read(names[member.lower()]), parser)
            if root is None:
                continue
            text: list[str] = []
            body = next((e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) == "body"), root)
            _visible_text(body, text)
            words.update(w.lower() for w in _WORD.findall("".join(text)))
    return words


def book_words(book, titles: bool = True) -> Counter[str]:
    words: Counter[str] = Counter()
    for chapter in book.chapters:
        if titles:
            words.update(w.lower() for w in _WORD.findall(chapter.title))
        for paragraph in chapter.paragraphs:
            words.update(w.lower() for w in _WORD.findall(paragraph))
    return words


def measure(path: Path, repeats: int = 3) -> dict:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        book = load_book(path)
        times.append(time.perf_counter() - start)
    row = {"book": path.name, "chapters": len(book.chapters), "load_s": statistics.median(times),
           "words": sum(book_words(book).values()), "unselected": sum(c.matter not in ("body", "notes") for c in book.chapters)}
    start = time.perf_counter()
    row["chunks"] = len(plan_book_chunks(book))
    row["plan_s"] = time.perf_counter() - start
    if path.suffix.lower() == ".epub":
        reference, book = reference_words(path), load_book(path, footnotes="read")
        read, body = book_words(book), book_words(book, titles=False)  # titles may come from the TOC
        seen = sum(reference.values())
        row["kept"] = sum((reference & read).values()) / seen if seen else 1.0
        row["junk"] = sum((body - reference).values()) / max(1, sum(body.values()))
        row["lost"] = ", ".join(f"{w}×{n}" for w, n in (reference - read).most_common(6))
    return row


def write_big_epub(path: Path, words: int, seed: int = 13) -> Path:
    """A synthetic novel of about `words` words: 80 chapters in 40 files (two per file, the second
    by a TOC anchor), noterefs and endnotes, a table per chapter, italics and small caps."""
    from tests.text.epub_factory import Doc, TocItem, write_epub

    rng = random.Random(seed)
    vocabulary = ("the of and a to in he was that it his her with as had for she on at by but not they "
                  "lantern harbour morning letter window river garden silence captain village remember "
                  "quietly against beneath without yesterday somewhere".split())
    per_chapter = words // 80
    docs, toc = [], []
    for f in range(40):
        body = []
        for half in (0, 1):
            n = f * 2 + half + 1
            body.append(f'<section epub:type="chapter" id="c{n}"><h2>Chapter {n}</h2>')
            count = 0
            while count < per_chapter - 20:
                sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 22)))
                body.append(f"<p>{sentence.capitalize()}, <em>{rng.choice(vocabulary)}</em> "
                            f'<span class="sc">{rng.choice(vocabulary)}</span>.'
                            f'<a epub:type="noteref" href="notes.xhtml#n{n}_{count}">{count}</a></p>')
                count += len(sentence.split()) + 2
            body.append("<table><tr><td>Tide</td><td>High</td></tr><tr><td>Wind</td><td>West</td></tr></table></section>")
            toc.append(TocItem(f"Chapter {n}", f"text{f}.xhtml#c{n}" if half else f"text{f}.xhtml"))
        docs.append(Doc(f"text{f}.xhtml", "".join(body)))
    docs.append(Doc("notes.xhtml", '<section epub:type="endnotes"><h1>Notes</h1><ol>'
                    + "".join(f'<li id="n{i}" epub:type="endnote"><p>A note.</p></li>' for i in range(50)) + "</ol></section>"))
    toc.append(TocItem("Notes", "notes.xhtml"))
    return write_epub(path, docs, toc, title="Big Book", nav_in_spine=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--fixtures", action="store_true", help="also measure the issue 13 fixture EPUBs")
    parser.add_argument("--big", type=int, default=0, help="also measure a synthetic EPUB of this many words")
    args = parser.parse_args()
    paths = sorted(p for folder in args.folders for p in folder.iterdir() if p.suffix.lower() in (".epub", ".txt", ".md"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.fixtures:
            from tests.text.reading_fixtures import write_fixtures

            paths += sorted(write_fixtures(Path(tmp) / "fixtures").values())
        if args.big:
            paths.append(write_big_epub(Path(tmp) / f"big-{args.big}.epub", args.big))
        print(f"{'book':34} {'chap':>4} {'unsel':>5} {'words':>8} {'chunks':>6} {'kept%':>7} {'junk%':>6} "
              f"{'load s':>7} {'plan s':>6}  lost (most common)")
        for path in paths:
            try:
                r = measure(path)
            except BookError as exc:
                print(f"{path.name[:34]:34} refused: {exc.reason}")
                continue
            kept = f"{100 * r['kept']:.2f}" if "kept" in r else "-"
            junk = f"{100 * r['junk']:.2f}" if "junk" in r else "-"
            print(f"{r['book'][:34]:34} {r['chapters']:>4} {r['unselected']:>5} {r['words']:>8} {r['chunks']:>6} {kept:>7} "
                  f"{junk:>6} {r['load_s']:>7.3f} {r['plan_s']:>6.2f}  {r.get('lost', '')}")


if __name__ == "__main__":
    main()
