"""Project Gutenberg plain texts wrap the book in a licence header and footer
that are not part of it. Every variant the archive has used is recognised:

  *** START OF THE PROJECT GUTENBERG EBOOK X ***   (and "OF THIS", "***START")
  *END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*   (1990s headers)
  *** END OF THE PROJECT GUTENBERG EBOOK X ***     (and "OF THIS", "***END")
  End of the Project Gutenberg EBook of X / End of Project Gutenberg's X, by Y

plus the producers' credit ("Produced by …") that opens many books."""

from __future__ import annotations

import re

_START = re.compile(
    r"^[ \t]*\*{3}[ \t]*START OF (?:THE |THIS )?PROJECT GUTENBERG[^\n]*$"
    r"|^[ \t]*\*END\*?[ \t]*THE SMALL PRINT![^\n]*$",
    re.I | re.M,
)
_END = re.compile(
    r"^[ \t]*\*{3}[ \t]*END OF (?:THE |THIS )?PROJECT GUTENBERG[^\n]*$"
    r"|^[ \t]*End of (?:the |this )?Project Gutenberg(?:'s|\u2019s| e-?book| e-?text)\b[^\n]*$"
    r"|^[ \t]*End of (?:the |this )?(?:Project Gutenberg )?E-?text of[^\n]*$",
    re.I | re.M,
)
_IS_GUTENBERG = re.compile(r"Project Gutenberg(?:'s|\u2019s)? e-?(?:book|text)|\*END\*THE SMALL PRINT", re.I)
_HEADER_CHARS = 6000
# Producers' credits right after the header: "Produced by Jane Doe and the Online Distributed
# Proofreading Team", "E-text prepared by …", "Transcribed from the 1897 edition by …".
_CREDIT = re.compile(
    r"(?:produced by|e-?text prepared by|this e-?(?:text|book) was (?:prepared|produced) by|prepared by|"
    r"transcribed (?:from|by)|scanned (?:and proofed )?by|html version by|updated editions will replace)\b",
    re.I,
)
_BLANK = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_ILLUSTRATION = re.compile(r"\[Illustration(?::\s*([^\]]*))?\]", re.I)


def strip_gutenberg(text: str) -> str:
    """The book without Project Gutenberg's licence header, footer and producers' credits.
    Text that does not come from Project Gutenberg is returned as it is."""
    start = _START.search(text)
    if start is None and not _IS_GUTENBERG.search(text[:_HEADER_CHARS]):
        return text
    body_start = 0
    if start is not None:
        # The 1990s header: "*END*THE SMALL PRINT!…" closes it; a later START line wins.
        body_start = start.end()
        later = _START.search(text, body_start)
        if later is not None and later.start() - body_start < _HEADER_CHARS * 4:
            body_start = later.end()
    end = _END.search(text, body_start)
    body = text[body_start : end.start() if end else len(text)]
    return _drop_credits(body) if (start or end) else text


def _drop_credits(body: str) -> str:
    """Leading paragraphs that credit the producers, not the author."""
    position = 0
    for _ in range(3):
        stripped = len(body) - len(body[position:].lstrip())
        paragraph_start = stripped
        match = _BLANK.search(body, paragraph_start)
        paragraph_end = match.start() if match else len(body)
        paragraph = body[paragraph_start:paragraph_end].strip()
        if not paragraph or not _CREDIT.match(paragraph) or len(paragraph) > 400:
            break
        position = paragraph_end
    return body[position:]


def illustration_caption(paragraph: str) -> str:
    """"[Illustration]" says nothing; "[Illustration: The ship]" keeps its caption."""
    if "[" not in paragraph:
        return paragraph
    return " ".join(_ILLUSTRATION.sub(lambda m: m.group(1) or "", paragraph).split())
