"""One PDF page -> its text lines in reading order, from pdfminer's glyph positions.

pdfminer's interpreter calls `render_char` for every glyph with its matrix and font size;
pdfminer's own layout analysis is not used (it is three times slower and splits text into boxes
we would have to put back together). Here:
- glyphs are kept in the page's dominant writing direction (rotated pages are turned upright);
  glyphs at other angles (watermarks, spine text in the margin) are dropped;
- glyphs on one baseline that are close together make a fragment; a gap of more than a fifth of
  the font size is a space (many PDFs have no space characters at all);
- raised small digits and note signs (superscript footnote markers) are left out;
- columns are found from the gutters between fragments: a two-column page is read left column,
  then right column, band by band between full-width lines (a title across both columns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFUnicodeNotDefined

_NOTE_MARKS = frozenset("0123456789*†‡§¶‖#abcdefghij")
_SPACE_GAP = 0.2  # in font sizes: a wider gap between glyphs is a word space
_FRAGMENT_GAP = 0.9  # a wider gap ends a fragment (column gutters, tab stops)
_SAME_ROW = 0.3  # baselines closer than this (in font sizes) are one row


@dataclass(slots=True)
class Glyph:
    x0: float
    x1: float
    y: float  # baseline
    size: float
    text: str


@dataclass
class Line:
    x0: float
    x1: float
    y: float
    size: float  # the font size of most of its glyphs
    text: str
    column: int = 0  # -1 for a line across the columns
    raised_start: bool = False  # starts with a superscript (a footnote's own marker)


@dataclass
class PageText:
    number: int  # 0-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)  # reading order
    had_glyphs: bool = False


def _direction(a: float, b: float) -> int | None:
    """0, 1, 2, 3 for text running right, up, left, down; None at other angles."""
    length = math.hypot(a, b)
    if length == 0:
        return None
    a, b = a / length, b / length
    for k, (ca, cb) in enumerate(((1, 0), (0, 1), (-1, 0), (0, -1))):
        if abs(a - ca) < 0.02 and abs(b - cb) < 0.02:
            return k
    return None


def _turn(k: int, x: float, y: float) -> tuple[float, float]:
    """Rotate a point so that direction k becomes direction 0."""
    if k == 1:
        return y, -x
    if k == 2:
        return -x, -y
    if k == 3:
        return -y, x
    return x, y


class GlyphCollector(PDFTextDevice):
    """A pdfminer device that records each glyph's position, size and text."""

    def __init__(self, rsrcmgr: object) -> None:
        super().__init__(rsrcmgr)  # type: ignore[arg-type]
        self.by_direction: list[list[Glyph]] = [[], [], [], []]
        self.count = 0
        self.undefined = 0  # glyphs whose font does not say which character they are
        self._fonts: dict[object, dict[int, tuple[float, str | None]]] = {}  # font -> cid -> (width, text)
        self.box = (0.0, 0.0, 0.0, 0.0)

    def begin_page(self, page: object, ctm: object) -> None:
        super().begin_page(page, ctm)  # type: ignore[arg-type]
        self.by_direction = [[], [], [], []]
        x0, y0, x1, y1 = page.mediabox  # type: ignore[attr-defined]
        rotate = getattr(page, "rotate", 0) % 360
        width, height = (y1 - y0, x1 - x0) if rotate in (90, 270) else (x1 - x0, y1 - y0)
        self.box = (0.0, 0.0, abs(width), abs(height))

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:  # type: ignore[override]
        width = font.char_width(cid)
        adv = width * fontsize * scaling
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            self.undefined += 1
            return adv
        a, b, c, d, e, f = matrix
        k = _direction(a, b)
        size = abs(fontsize * math.hypot(c, d))
        if k is None or not text or size <= 0.1:
            return adv
        x0, y = _turn(k, e, f)
        length = adv * math.hypot(a, b)
        self.by_direction[k].append(Glyph(x0, x0 + length, y + rise * math.hypot(c, d), size, text))
        self.count += 1
        return adv

    def render_string_horizontal(  # type: ignore[override]
        self, seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate
    ) -> tuple[float, float]:
        """pdfminer's horizontal text loop with the glyph recorded inline: the same advances, but
        each font's widths and characters looked up once, and no call per glyph (the hot path)."""
        x, y = pos
        a, b, c, d, e, f = matrix
        k = _direction(a, b)
        size = abs(fontsize * math.hypot(c, d))
        out = self.by_direction[k] if k is not None and size > 0.1 else None
        along, lift = math.hypot(a, b), rise * math.hypot(c, d)
        known = self._fonts.get(font)
        if known is None:
            known = self._fonts[font] = {}
        needcharspace = False
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    entry = known.get(cid)
                    if entry is None:
                        try:
                            entry = known[cid] = (font.char_width(cid), font.to_unichr(cid))
                        except PDFUnicodeNotDefined:
                            entry = known[cid] = (font.char_width(cid), None)
                    width, text = entry
                    adv = width * fontsize * scaling
                    if text is None:
                        self.undefined += 1
                    elif out is not None and text:
                        x0, base = _turn(k, a * x + c * y + e, b * x + d * y + f)  # type: ignore[arg-type]
                        out.append(Glyph(x0, x0 + adv * along, base + lift, size, text))
                        self.count += 1
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
        return x, y

    def take_page(self, number: int) -> PageText:
        """The current page's lines; the page is turned so its main direction is upright."""
        k = max(range(4), key=lambda i: len(self.by_direction[i]))
        glyphs = self.by_direction[k]
        _, _, width, height = self.box
        corners = [_turn(k, x, y) for x, y in ((0, 0), (width, 0), (0, height), (width, height))]
        left, bottom = min(x for x, _ in corners), min(y for _, y in corners)
        right, top = max(x for x, _ in corners), max(y for _, y in corners)
        for g in glyphs:
            g.x0, g.x1, g.y = g.x0 - left, g.x1 - left, g.y - bottom
        page = PageText(number, right - left, top - bottom, had_glyphs=bool(glyphs))
        page.lines = order_lines(glyphs)
        self.by_direction = [[], [], [], []]
        return page


@dataclass(slots=True)
class _Run:
    """Glyphs on one baseline without a wide gap, as the content stream drew them."""

    glyphs: list[Glyph]
    y: float  # the baseline of its largest glyphs
    size: float
    x0: float
    x1: float


def _runs(glyphs: list[Glyph]) -> list[_Run]:
    runs: list[_Run] = []
    run: _Run | None = None
    for g in glyphs:
        if run is not None:
            size = run.size if run.size > g.size else g.size
            gap = g.x0 - run.x1
            dy = g.y - run.y
            if -0.5 * size <= dy <= 0.5 * size and -0.5 * size <= gap <= _FRAGMENT_GAP * size:
                run.glyphs.append(g)
                if g.x1 > run.x1:
                    run.x1 = g.x1
                if g.x0 < run.x0:
                    run.x0 = g.x0
                if g.size > run.size:
                    run.y, run.size = g.y, g.size
                continue
            runs.append(run)
        run = _Run([g], g.y, g.size, g.x0, g.x1)
    if run is not None:
        runs.append(run)
    return runs


def _main_size(glyphs: list[Glyph]) -> float:
    weights: dict[float, int] = {}
    for g in glyphs:
        if not g.text.isspace():
            key = round(g.size, 1)
            weights[key] = weights.get(key, 0) + 1
    return max(weights, key=lambda s: (weights[s], s)) if weights else glyphs[0].size


def _make_line(glyphs: list[Glyph]) -> Line | None:
    size = _main_size(glyphs)
    base = [g for g in glyphs if g.size >= 0.9 * size]
    y = sorted(g.y for g in base)[len(base) // 2]
    parts: list[str] = []
    previous: Glyph | None = None
    raised_start = False
    for g in glyphs:
        superscript = g.size < 0.8 * size and g.y - y > 0.2 * size
        if superscript and g.text in _NOTE_MARKS:
            raised_start = raised_start or not parts
            continue  # a note marker: never read
        if previous is not None and g.x0 - previous.x1 > _SPACE_GAP * size and parts and not parts[-1].isspace():
            if not g.text.isspace():
                parts.append(" ")
        parts.append(g.text)
        previous = g
    text = " ".join("".join(parts).split())
    if not text:
        return None
    return Line(min(g.x0 for g in glyphs), max(g.x1 for g in glyphs), y, size, text, raised_start=raised_start)


def _fragments(glyphs: list[Glyph]) -> list[Line]:
    """Runs on one row put together left to right; a wide gap keeps them apart."""
    rows: list[list[_Run]] = []
    row_y = row_size = 0.0
    for run in sorted(_runs(glyphs), key=lambda r: (-r.y, r.x0)):
        if rows and abs(run.y - row_y) <= _SAME_ROW * max(run.size, row_size):
            rows[-1].append(run)
            continue
        rows.append([run])
        row_y, row_size = run.y, run.size
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        group: list[Glyph] = []
        right = 0.0
        for run in row:
            if group and run.x0 - right > _FRAGMENT_GAP * run.size:
                line = _make_line(group)
                if line:
                    lines.append(line)
                group = []
            ordered = all(a.x0 <= b.x0 for a, b in zip(run.glyphs, run.glyphs[1:]))
            group.extend(run.glyphs if ordered else sorted(run.glyphs, key=lambda g: g.x0))
            right = max(right, run.x1)
        line = _make_line(group) if group else None
        if line:
            lines.append(line)
    return lines


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """Empty vertical strips between columns: no narrow line crosses them, and at least three
    lines (a fifth of the narrow ones) lie on each side."""
    if len(lines) < 6:
        return []
    left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    narrow = sorted((ln for ln in lines if ln.x1 - ln.x0 < 0.6 * (right - left)), key=lambda ln: ln.x0)
    if len(narrow) < 6:
        return []
    body_size = sorted(ln.size for ln in narrow)[len(narrow) // 2]
    gutters: list[tuple[float, float]] = []
    reach = narrow[0].x1
    for ln in narrow[1:]:
        if ln.x0 - reach >= max(6.0, 0.8 * body_size):
            gutters.append((reach, ln.x0))
        reach = max(reach, ln.x1)
    kept: list[tuple[float, float]] = []
    for a, b in gutters:
        before = sum(1 for ln in narrow if ln.x1 <= a)
        after = sum(1 for ln in narrow if ln.x0 >= b)
        if min(before, after) >= max(3, len(narrow) // 5):
            kept.append((a, b))
    return kept


def order_lines(glyphs: list[Glyph]) -> list[Line]:
    """The page's lines in reading order (columns left to right within each band)."""
    if not glyphs:
        return []
    lines = _fragments(glyphs)
    gutters = _gutters(lines)
    if not gutters:
        return _join_rows(lines)
    for ln in lines:
        crosses = any(ln.x0 < a - 1 and ln.x1 > b + 1 for a, b in gutters)
        ln.column = -1 if crosses else sum(1 for a, _ in gutters if ln.x0 >= a)
    ordered: list[Line] = []
    band: list[Line] = []
    for ln in sorted(lines, key=lambda ln: -ln.y):
        if ln.column == -1:
            ordered.extend(sorted(band, key=lambda b: (b.column, -b.y, b.x0)))
            band = []
            ordered.append(ln)
        else:
            band.append(ln)
    ordered.extend(sorted(band, key=lambda b: (b.column, -b.y, b.x0)))
    return _join_rows(ordered)


def _join_rows(lines: list[Line]) -> list[Line]:
    """Fragments left on one row of one column (a word pushed far right by justification, a
    tab stop) are one line."""
    joined: list[Line] = []
    for ln in lines:
        last = joined[-1] if joined else None
        if last and last.column == ln.column and abs(last.y - ln.y) <= _SAME_ROW * max(last.size, ln.size) and ln.x0 > last.x0:
            last.text = f"{last.text} {ln.text}"
            last.x1 = max(last.x1, ln.x1)
            continue
        joined.append(ln)
    return joined
