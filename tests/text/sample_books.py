"""Every kind of input the readers accept, written to a folder, so that
properties (nothing dropped, sizes respected) can be checked on all of them."""

from __future__ import annotations

from pathlib import Path

from tests.text import epub_factory

TXT_WITH_CHAPTERS = """\
The Voyage
by Somebody

CHAPTER I.
The Departure

It was a cold morning in 1887. Dr. Brown said, “We leave at 10:30.”
The ship was ready.

She carried 1,250 barrels and cost $5,000.50 — a fortune.

Chapter 2: Open Sea

The sea was calm... Too calm? Nobody knew!

Chapter Three. The Storm

Waves rose 12% higher than on the 3rd day. Visit www.example.com or mail captain@ship.org.

Epilogue

They came home.
"""

MARKDOWN = """\
---
title: "Markdown Tales"
author: Jo Writer
---

# Ignored Because Front Matter Wins

Some intro text with **bold** and *italic* and `code`.

## The First Tale

A [link](https://example.com) and an ![image](pic.png) and <span class="x">html</span>.

- first item
- second item with __strong__ text
1. numbered item

> A quoted line
> that continues.

```python
print("never read")
```

    indented code is skipped

### A Sub-heading

Text under the sub-heading with snake_case_name intact.

## The Second Tale

Final words. Dr. Smith paid $3.
"""

MIXED_SCRIPTS = (
    "Chapter 1\n\nEnglish, Ελληνικά, русский, עברית, العربية, हिन्दी and 日本語のテキスト。"
    "絵文字😀🎉👨\u200d👩\u200d👧 all mixed together! Ĉu vi parolas Esperanton?\n\n"
    + "中文句子。" * 200
    + "\n\nChapter 2\n\n"
    + "😀" * 900
    + "\n\n"
    + "x" * 1000
    + "\n"
)


def write_sample_books(folder: Path) -> dict[str, Path]:
    """Write one file per kind of input; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "txt_chapters": folder / "voyage.txt",
        "txt_plain": folder / "plain_story.txt",
        "txt_cp1252": folder / "legacy.txt",
        "txt_utf16": folder / "wide.txt",
        "txt_mixed": folder / "mixed.txt",
        "markdown": folder / "tales.md",
        "epub3": folder / "harbour.epub",
        "epub2": folder / "oldstyle.epub",
    }
    paths["txt_chapters"].write_text(TXT_WITH_CHAPTERS, encoding="utf-8")
    paths["txt_plain"].write_text("Just one paragraph.\n\nAnd another one, with no headings.\n", encoding="utf-8")
    paths["txt_cp1252"].write_bytes("Café “quotes” – naïve façade.\n\nSecond paragraph €5.".encode("cp1252"))
    paths["txt_utf16"].write_text("Chapter 1\n\nWide text. Über alles.\n", encoding="utf-16")
    paths["txt_mixed"].write_text(MIXED_SCRIPTS, encoding="utf-8")
    paths["markdown"].write_text(MARKDOWN, encoding="utf-8")
    epub_factory.epub3_book(paths["epub3"])
    epub_factory.epub2_book(paths["epub2"])
    return paths
