"""MathML in words, through the EPUB extractor (issue 13, item 2)."""

from __future__ import annotations

import pytest

from backend.text.epub_html import parse_document
from backend.text.mathml_speech import is_spoken_alttext


def say(mathml: str, alttext: str | None = None) -> str:
    alt = f' alttext="{alttext}"' if alttext is not None else ""
    doc = parse_document(f'<p><math xmlns="http://www.w3.org/1998/Math/MathML"{alt}>{mathml}</math></p>'.encode())
    assert doc.formulas == 1
    return doc.paragraphs[0].text


@pytest.mark.parametrize(
    ("mathml", "words"),
    [
        ("<mi>x</mi>", "x"),
        ("<mn>3.5</mn>", "3.5"),
        ("<mrow><mi>a</mi><mo>+</mo><mi>b</mi><mo>=</mo><mi>c</mi></mrow>", "a plus b equals c"),
        ("<mi>A</mi><mi>B</mi><mo>=</mo><msub><mi>I</mi><mi>n</mi></msub>", "A B equals I sub n"),
        ("<msup><mi>x</mi><mn>2</mn></msup>", "x squared"),
        ("<msup><mi>x</mi><mn>3</mn></msup>", "x cubed"),
        ("<msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup>", "e to the power of i pi"),
        ("<msup><mrow><mo>(</mo><mi>a</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow><mn>2</mn></msup>", "a plus b, all squared"),
        ("<msup><mi>A</mi><mrow><mo>-</mo><mn>1</mn></mrow></msup>", "A inverse"),
        ("<msup><mi>A</mi><mi>T</mi></msup>", "A transpose"),
        ("<mfrac><mi>a</mi><mi>b</mi></mfrac>", "a over b"),
        ("<mfrac><mrow><mi>a</mi><mo>+</mo><mn>1</mn></mrow><mn>2</mn></mfrac>", "a plus 1, over 2"),
        ("<msqrt><mn>2</mn></msqrt>", "the square root of 2"),
        ("<mroot><mi>x</mi><mn>3</mn></mroot>", "the cube root of x"),
        ("<mover><mi>x</mi><mo>¯</mo></mover>", "x bar"),
        ("<mover><mi>v</mi><mo>→</mo></mover>", "v vector"),
        ("<munder><mo>lim</mo><mrow><mi>x</mi><mo>→</mo><mn>0</mn></mrow></munder><mi>f</mi>", "the limit as x to 0 of f"),
        ("<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mi>i</mi>",
         "the sum from i equals 1 to n of i"),
        ("<msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup><mi>x</mi>", "the integral from 0 to 1 of x"),
        ("<mtable><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr><mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd>"
         "</mtr></mtable>", "a, b; c, d"),
        ("<mi>sin</mi><mo>\u2061</mo><mi>θ</mi>", "sine of theta"),
        ("<mi>f</mi><mo>(</mo><mi>x</mi><mo>)</mo>", "f of x"),
        ("<mi>x</mi><mo>≤</mo><mi>y</mi>", "x is less than or equal to y"),
        ("<mphantom><mi>JUNK</mi></mphantom><mi>y</mi>", "y"),
        ("<mtext>if and only if</mtext>", "if and only if"),
        ("<mfenced><mi>a</mi><mi>b</mi></mfenced>", "a, b"),
    ],
)
def test_presentation_mathml_in_words(mathml, words):
    assert say(mathml) == words


def test_alttext_that_is_words_wins():
    assert say("<msup><mi>x</mi><mn>2</mn></msup>", alttext="x squared plus nothing") == "x squared plus nothing"


@pytest.mark.parametrize("alttext", ["\\frac{a}{b}", "x^2", "AB=I", "A B = I_n", "f(x)", "sin x", ""])
def test_alttext_that_is_a_formula_is_not_read(alttext):
    assert not is_spoken_alttext(alttext)
    assert say("<mfrac><mi>a</mi><mi>b</mi></mfrac>", alttext=alttext) == "a over b"


def test_only_a_tex_annotation_is_never_dropped_silently():
    tex = '<semantics><annotation encoding="application/x-tex">\\frac{a}{b}</annotation></semantics>'
    assert say(tex) == "a formula"
    assert say(tex, alttext="one half") == "one half"


def test_math_sits_in_its_sentence():
    doc = parse_document(b'<p>So <math><mi>x</mi></math>, then <math><mn>2</mn></math>and more.</p>')
    assert doc.paragraphs[0].text == "So x, then 2 and more."


def test_display_math_is_its_own_paragraph():
    doc = parse_document(b'<p>Before</p><math display="block"><mi>y</mi><mo>=</mo><mn>1</mn></math><p>After</p>')
    assert [p.text for p in doc.paragraphs] == ["Before", "y equals 1", "After"]
