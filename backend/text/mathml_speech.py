"""MathML said in words: "A B = I_n" -> "A B equals I sub n", x^2 -> "x squared",
a/b -> "a over b". The tree comes from the EPUB extractor (MathNode); numbers stay
digits, since normalize_text says them later."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TEX = re.compile(r"[\\^_{}$]")
_WORD = re.compile(r"[^\W\d_]{3,}")
_FUNCTION_NAMES = frozenset("sin cos tan cot sec csc log exp lim max min det dim ker sup inf arg deg gcd lcm mod".split())

# Operators and symbols, as a narrator reads them. Brackets are left out: the structure says it.
_OPERATORS = {
    "=": "equals", "+": "plus", "-": "minus", "\u2212": "minus", "\u00d7": "times", "*": "times", "\u22c5": "times",
    "\u00b7": "times", "\u2062": "", "\u00f7": "divided by", "/": "over", "<": "is less than", ">": "is greater than",
    "\u2264": "is less than or equal to", "\u2265": "is greater than or equal to", "\u2260": "is not equal to",
    "\u2248": "is approximately", "\u2261": "is equivalent to", "\u221d": "is proportional to", "\u00b1": "plus or minus",
    "\u2213": "minus or plus", "\u2208": "in", "\u2209": "not in", "\u2282": "subset of", "\u2286": "subset of or equal to",
    "\u222a": "union", "\u2229": "intersection", "\u2211": "sum", "\u220f": "product", "\u222b": "integral",
    "\u222e": "contour integral", "\u221e": "infinity", "\u2192": "to", "\u21a6": "maps to", "\u21d2": "implies",
    "\u21d4": "if and only if", "\u2200": "for all", "\u2203": "there exists", "\u2202": "partial", "\u2207": "del",
    "\u221a": "root", "\u2218": "composed with", "\u2297": "tensor", "\u2295": "direct sum", "\u2032": "prime",
    "\u2033": "double prime", "!": "factorial", "%": "percent", "\u2026": "dot dot dot", "\u22ef": "dot dot dot",
    "\u22ee": "dot dot dot", "|": "", "\u2223": "divides", "\u2225": "parallel to", "\u22a5": "perpendicular to",
    "\u2220": "angle", "\u00b0": "degrees", "\u2205": "the empty set", "\u00ac": "not", "\u2227": "and", "\u2228": "or",
    "\u2061": "", "\u2063": ",", "\u2064": "plus", ",": ",", ";": ";", ":": "such that", "\u2016": "",
    "(": "", ")": "", "[": "", "]": "", "{": "", "}": "", "\u27e8": "", "\u27e9": "", "\u2308": "", "\u2309": "",
    "\u230a": "", "\u230b": "",
}
_GREEK = dict(zip(
    "\u03b1\u03b2\u03b3\u03b4\u03b5\u03f5\u03b6\u03b7\u03b8\u03d1\u03b9\u03ba\u03bb\u03bc\u03bd\u03be\u03bf\u03c0\u03c1\u03c3"
    "\u03c2\u03c4\u03c5\u03c6\u03d5\u03c7\u03c8\u03c9\u0393\u0394\u0398\u039b\u039e\u03a0\u03a3\u03a5\u03a6\u03a8\u03a9",
    ("alpha beta gamma delta epsilon epsilon zeta eta theta theta iota kappa lambda mu nu xi omicron pi rho sigma sigma "
     "tau upsilon phi phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
    strict=True,
))
_SYMBOLS = {**_GREEK, "\u2113": "l", "\u210f": "h bar", "\u221e": "infinity", "\u2205": "the empty set",
            "\u2115": "N", "\u2124": "Z", "\u211a": "Q", "\u211d": "R", "\u2102": "C"}
_FUNCTIONS = {"sin": "sine", "cos": "cosine", "tan": "tangent", "cot": "cotangent", "sec": "secant", "csc": "cosecant",
              "ln": "natural log", "lim": "the limit", "det": "determinant", "exp": "exp"}
_ACCENTS = {"\u00af": "bar", "\u203e": "bar", "-": "bar", "_": "bar", "^": "hat", "\u02c6": "hat", "\u0302": "hat",
            "~": "tilde", "\u02dc": "tilde", "\u2192": "vector", "\u20d7": "vector", "\u02d9": "dot", ".": "dot",
            "\u00a8": "double dot", "\u2032": "prime", "\u23de": "", "\u23df": ""}
_POWERS = {"2": "squared", "3": "cubed", "\u2032": "prime", "\u2033": "double prime", "T": "transpose",
           "\u22a4": "transpose", "*": "star", "\u2217": "star", "\u2020": "dagger", "\u2218": "degrees", "\u00b0": "degrees"}
_ROOTS = {"2": "square root", "3": "cube root"}
_BIG_OPERATORS = {"\u2211": "the sum", "\u220f": "the product", "\u222b": "the integral", "\u222e": "the contour integral",
                  "\u22c3": "the union", "\u22c2": "the intersection", "lim": "the limit", "max": "the maximum",
                  "min": "the minimum", "sup": "the supremum", "inf": "the infimum"}
_SILENT = frozenset(("annotation", "annotation-xml", "mphantom", "none", "mprescripts", "mspace", "malignmark", "maligngroup"))


@dataclass
class MathNode:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[MathNode | str] = field(default_factory=list)

    def elements(self) -> list[MathNode]:
        return [c for c in self.children if isinstance(c, MathNode)]

    def text(self) -> str:
        return " ".join("".join(c if isinstance(c, str) else c.text() for c in self.children).split())


def is_spoken_alttext(alttext: str | None) -> bool:
    """Is the alttext words a listener can follow ("x squared plus one"), not TeX ("\\frac{a}{b}",
    "x^2") or a bare formula ("AB=I")?"""
    if not alttext or _TEX.search(alttext):
        return False
    words = [w for w in _WORD.findall(alttext) if w.lower() not in _FUNCTION_NAMES]
    letters = sum(ch.isalpha() for ch in alttext)
    return bool(words) and letters >= 0.5 * len("".join(alttext.split()))


def _join(parts: list[str]) -> str:
    text = " ".join(p for p in parts if p)
    return re.sub(r"\s+([,;])", r"\1", " ".join(text.split()))


def _token(node: MathNode) -> str:
    text = node.text()
    if node.tag == "mo":
        return _OPERATORS.get(text, text)
    if node.tag == "mi":
        if len(text) == 1:
            return _SYMBOLS.get(text, text)
        return _FUNCTIONS.get(text, text)
    if node.tag == "mn":
        return text
    return "".join(_SYMBOLS.get(ch, ch) if len(text) == 1 else ch for ch in text)


def _is_simple(node: MathNode | str) -> bool:
    """A single token (x, 2, sine), or a row holding just one."""
    if isinstance(node, str):
        return True
    if node.tag in ("mi", "mn", "mtext", "ms"):
        return True
    kids = node.elements()
    return node.tag in ("mrow", "mstyle") and len(kids) == 1 and _is_simple(kids[0])


def _operand(node: MathNode) -> str:
    """A part of a larger structure; a compound one is set off with commas."""
    spoken = speak(node)
    return spoken if _is_simple(node) else f"{spoken},"


def _power(sup: MathNode) -> str:
    """What a superscript adds: "squared", "inverse", "to the power of n"."""
    power = sup.text()
    if power in _POWERS:
        return _POWERS[power]
    if power in ("-1", "\u22121"):
        return "inverse"
    return f"to the power of {speak(sup)}"


def _script(base: MathNode, sup: MathNode) -> str:
    power = _power(sup)
    if _is_simple(base) or power.startswith("to the"):
        return f"{_operand(base) if power.startswith('to the') else speak(base)} {power}"
    return f"{speak(base)}, all {power}"


def _row(children: list[MathNode | str]) -> str:
    parts: list[str] = []
    kids = [c for c in children if isinstance(c, MathNode) and c.tag not in _SILENT]
    for i, node in enumerate(kids):
        if node.tag == "mo" and node.text() in ("(", "\u2061") and i > 0 and _is_function(kids[i - 1]):
            parts.append("of")
            continue
        if node.tag == "mtable" and i > 0 and kids[i - 1].tag == "mo" and kids[i - 1].text() in "([{|\u2016":
            parts.append(f"the matrix {speak(node)},")  # a bracketed table: rows of a matrix
            continue
        parts.append(speak(node))
    return _join(parts)


def _is_function(node: MathNode) -> bool:
    text = node.text()
    return node.tag == "mi" and (text in _FUNCTIONS or text in _FUNCTION_NAMES or text in ("f", "g", "h"))


def _fenced(node: MathNode, kids: list[MathNode]) -> str:
    separators = (node.attrs.get("separators") or ",").split() or [","]
    parts = []
    for i, kid in enumerate(kids):
        if i:
            parts.append(_OPERATORS.get(separators[min(i - 1, len(separators) - 1)], ","))
        parts.append(speak(kid))
    return _join(parts)


def _table(node: MathNode) -> str:
    rows = []
    for row in node.elements():
        cells = row.elements()
        if row.tag == "mlabeledtr":
            cells = cells[1:]  # the equation's label, e.g. "(3)"
        if row.tag in ("mtr", "mlabeledtr"):
            rows.append(", ".join(s for s in (speak(c) for c in cells) if s))
        else:
            rows.append(speak(row))
    return "; ".join(r for r in rows if r)


def _under_over(node: MathNode, kids: list[MathNode]) -> str:
    base = kids[0]
    symbol = base.text()
    if node.tag == "munderover" and len(kids) >= 3:
        name = _BIG_OPERATORS.get(symbol)
        if name:
            return f"{name} from {speak(kids[1])} to {speak(kids[2])} of"
        return f"{speak(base)} from {speak(kids[1])} to {speak(kids[2])}"
    if len(kids) < 2:
        return speak(base)
    script = kids[1]
    if node.tag == "mover" and script.text() in _ACCENTS:
        return f"{speak(base)} {_ACCENTS[script.text()]}".strip()
    name = _BIG_OPERATORS.get(symbol)
    if name:
        word = "as" if symbol in ("lim",) else "over"
        return f"{name} {word} {speak(script)} of"
    return f"{speak(base)} {'over' if node.tag == 'mover' else 'under'} {speak(script)}"


def speak(node: MathNode | str) -> str:
    """The words for one MathML element (and everything inside it)."""
    if isinstance(node, str):
        return " ".join(node.split())
    tag = node.tag
    if tag in _SILENT:
        return ""
    if tag in ("mi", "mn", "mo"):
        return _token(node)
    if tag in ("mtext", "ms"):
        return node.text()
    if tag == "mglyph":
        return node.attrs.get("alt") or ""
    kids = [k for k in node.elements() if k.tag not in ("annotation", "annotation-xml")]
    if tag == "semantics":
        return speak(kids[0]) if kids else ""
    if tag in ("maction",):
        return speak(kids[0]) if kids else ""
    if tag == "mfrac" and len(kids) >= 2:
        return f"{_operand(kids[0])} over {speak(kids[1])}"
    if tag == "msqrt":
        return f"the square root of {_row(node.children)}"
    if tag == "mroot" and len(kids) >= 2:
        index = kids[1].text()
        return f"the {_ROOTS.get(index, speak(kids[1]) + 'th root')} of {speak(kids[0])}"
    if tag == "msup" and len(kids) >= 2:
        return _script(kids[0], kids[1])
    if tag == "msub" and len(kids) >= 2:
        return f"{speak(kids[0])} sub {speak(kids[1])}"
    if tag == "msubsup" and len(kids) >= 3:
        if kids[0].text() in _BIG_OPERATORS:
            return f"{_BIG_OPERATORS[kids[0].text()]} from {speak(kids[1])} to {speak(kids[2])} of"
        return f"{speak(kids[0])} sub {speak(kids[1])}, {_power(kids[2])}"
    if tag in ("mover", "munder", "munderover") and kids:
        return _under_over(node, kids)
    if tag == "mmultiscripts" and kids:
        scripts = [speak(k) for k in kids[1:] if k.tag not in _SILENT]
        return _join([speak(kids[0]), *(f"with {s}" for s in scripts if s)])
    if tag == "mtable":
        return _table(node)
    if tag == "mfenced":
        return _fenced(node, kids)
    return _row(node.children)


def speak_math(node: MathNode) -> str:
    """A <math> element in words: its alttext when that is already words, else the markup spoken."""
    alttext = node.attrs.get("alttext")
    if is_spoken_alttext(alttext):
        return " ".join((alttext or "").split())
    spoken = speak(node)
    if re.search(r"\w", spoken) or not (alttext or node.text()):
        return spoken
    # Nothing in the markup to say (only a TeX annotation, say): never drop it silently.
    return " ".join(alttext.split()) if alttext and not _TEX.search(alttext) else "a formula"
