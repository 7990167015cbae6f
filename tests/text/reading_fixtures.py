"""One small EPUB per reading problem of issue 13 (each seen in a real book), for the
tests and for bench/books_bench.py. Every fixture has words that must be read and
words that must not ("JUNK" marks the latter)."""

from __future__ import annotations

from pathlib import Path

from tests.text.epub_factory import Doc, TocItem, write_epub

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
MATHML = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def svg_book(path: Path) -> Path:
    """1. Text inside inline SVG; the second book has no text outside SVG at all."""
    docs = [
        Doc("title.xhtml", f'<svg {SVG_NS} viewBox="0 0 600 800"><title>JUNK title element</title>'
                           '<desc>JUNK description</desc><rect width="600" height="800"/>'
                           '<text x="10" y="100">The Lantern Keeper</text>'
                           '<text x="10" y="200">A tale in <tspan font-style="italic">seven</tspan> nights</text></svg>'),
        Doc("ch1.xhtml", '<h1>The First Night</h1><p>The lamp was lit before dark.</p>'
                         f'<svg {SVG_NS}><style>JUNK css</style><text>A sign read: Keep Out</text>'
                         '<foreignObject><p>Fine print under the sign.</p></foreignObject></svg>'
                         '<p>Nobody kept out.</p>'),
    ]
    toc = [TocItem("Title", "title.xhtml"), TocItem("The First Night", "ch1.xhtml")]
    return write_epub(path, docs, toc, title="The Lantern Keeper")


def svg_only_book(path: Path) -> Path:
    docs = [Doc("p1.xhtml", f'<svg {SVG_NS}><text>Only drawn words here.</text></svg>'),
            Doc("p2.xhtml", f'<svg {SVG_NS}><image href="p.png"/><text>And on the second page.</text></svg>')]
    return write_epub(path, docs, [TocItem("Page One", "p1.xhtml"), TocItem("Page Two", "p2.xhtml")], title="Drawn")


def mathml_book(path: Path) -> Path:
    """2. MathML: alttext when it is words, else the markup spoken; never dropped."""
    body = (
        "<h1>Inverses</h1>"
        f'<p>A matrix is invertible when <math {MATHML} alttext="A B = I_n"><mi>A</mi><mi>B</mi><mo>=</mo>'
        "<msub><mi>I</mi><mi>n</mi></msub></math> for some matrix B.</p>"
        f'<p>The area is <math {MATHML} alttext="pi r squared"><mi>π</mi><msup><mi>r</mi><mn>2</mn></msup></math>.</p>'
        f'<p>Take <math {MATHML}><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mfrac><mi>a</mi><mi>b</mi></mfrac></math>'
        f' and <math {MATHML}><msqrt><mi>y</mi></msqrt></math> and the mean <math {MATHML}><mover><mi>x</mi>'
        "<mo>¯</mo></mover></math>.</p>"
        f'<math {MATHML} display="block"><munder><mo>lim</mo><mrow><mi>n</mi><mo>→</mo><mi>∞</mi></mrow></munder>'
        "<mfrac><mn>1</mn><mi>n</mi></mfrac><mo>=</mo><mn>0</mn></math>"
        f'<p>The identity <math {MATHML}><mrow><mo>(</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr>'
        "<mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>)</mo></mrow></math> is square.</p>"
        f'<p>In TeX: <math {MATHML} alttext="\\frac{{p}}{{q}}"><semantics><mfrac><mi>p</mi><mi>q</mi></mfrac>'
        '<annotation encoding="application/x-tex">JUNK \\frac{p}{q}</annotation></semantics></math>.</p>'
    )
    return write_epub(path, [Doc("ch1.xhtml", body)], [TocItem("Inverses", "ch1.xhtml")], title="Linear Algebra")


def notes_book(path: Path) -> Path:
    """3. A poet's notes section that the table of contents lists is a chapter; footnotes in a
    poem and an unlisted notes page are skipped by default."""
    docs = [
        Doc("poem1.xhtml", '<section epub:type="chapter"><h1>The Heron</h1>'
                           '<p>Grey heron on the weir<a epub:type="noteref" href="notes.xhtml#n1">1</a>,</p>'
                           '<p>still as a held breath.<a epub:type="noteref" href="#fn1">*</a></p>'
                           '<aside epub:type="footnote" id="fn1"><p>JUNK footnote about breath.</p></aside></section>'),
        Doc("poem2.xhtml", '<h1>Salt</h1><p>Salt on the lip of the tide.<a epub:type="noteref" '
                           'href="notes.xhtml#n2">2</a></p>'),
        Doc("notes.xhtml", '<section epub:type="endnotes" role="doc-endnotes"><h1>Notes on the Poems</h1><ol>'
                           '<li id="n1" epub:type="endnote"><p>The weir is at Byford mill.</p></li>'
                           '<li id="n2" epub:type="endnote"><p>Written at Aldeburgh in winter.</p></li></ol></section>',
            body_attrs='epub:type="backmatter"'),
        Doc("popups.xhtml", '<aside epub:type="rearnote" id="r1"><p>JUNK unlisted rearnote.</p></aside>'),
    ]
    toc = [TocItem("The Heron", "poem1.xhtml"), TocItem("Salt", "poem2.xhtml"),
           TocItem("Notes on the Poems", "notes.xhtml")]
    return write_epub(path, docs, toc, title="Tidewater Poems")


def media_book(path: Path) -> Path:
    """4. Fallback content of video, audio, canvas and object is not read."""
    body = (
        "<h1>Moving Pictures</h1><p>Watch the tide come in.</p>"
        '<video src="tide.mp4" controls=""><p>JUNK Your Reading System does not support video</p></video>'
        '<audio src="gulls.mp3"><p>JUNK Your Reading System does not support audio</p></audio>'
        '<canvas id="c">JUNK canvas fallback</canvas>'
        '<object data="listing.xml" type="application/xml"><pre>JUNK &lt;listing&gt; escaped code</pre></object>'
        '<iframe src="x.xhtml">JUNK iframe</iframe><p hidden="">JUNK hidden paragraph</p>'
        '<p style="display: none">JUNK invisible</p><p>The gulls cried overhead.</p>'
    )
    return write_epub(path, [Doc("ch1.xhtml", body)], [TocItem("Moving Pictures", "ch1.xhtml")], title="Media")


def table_book(path: Path) -> Path:
    """5. Table cells are kept apart (a short pause), rows end as sentences."""
    body = (
        "<h1>Terms</h1><p>Some layout words:</p><table><caption>Layout terms</caption>"
        "<tr><th>Area</th><th>EPUB 3 Specification</th></tr>"
        "<tr><td>centering</td><td>中央そろえ</td><td>chūō soroe</td></tr>"
        "<tr><td>ruby</td><td><p>furigana</p></td><td></td></tr></table><p>That is all.</p>"
    )
    return write_epub(path, [Doc("ch1.xhtml", body)], [TocItem("Terms", "ch1.xhtml")], title="Tables")


def switch_book(path: Path) -> Path:
    """6. Only the epub:default branch of an epub:switch is read."""
    body = (
        '<h1>Chemistry</h1><p>Water is <epub:switch id="s1"><epub:case required-namespace='
        '"http://www.xml-cml.org/schema"><cml:molecule>JUNK CML</cml:molecule></epub:case>'
        "<epub:default>H two O</epub:default></epub:switch> in any language.</p>"
    )
    return write_epub(path, [Doc("ch1.xhtml", body)], [TocItem("Chemistry", "ch1.xhtml")], title="Switch")


def ruby_book(path: Path) -> Path:
    """7. Ruby: the base text is read, not the reading above it."""
    body = ("<h1>山路</h1><p><ruby>山路<rp>(</rp><rt>やまみち</rt><rp>)</rp></ruby>を登りながら、"
            "<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>を考えた。</p>")
    return write_epub(path, [Doc("ch1.xhtml", body)], [TocItem("山路", "ch1.xhtml")], title="草枕", language="ja")


def anthology_book(path: Path) -> Path:
    """8. Many TOC entries point into one file; nested TOC levels under a part heading."""
    stories = "".join(
        f'<h2 id="s{n}">Story {n}: {name}</h2><p>{name} begins here.</p><p>{name} ends here.</p>'
        for n, name in enumerate(("The Fox", "The Crow", "The Hare", "The Owl"), 1)
    )
    docs = [
        Doc("stories.xhtml", '<h1 id="p1">Part One</h1>' + stories[: stories.index('<h2 id="s3"')]
            + '<h1 id="p2">Part Two</h1>' + stories[stories.index('<h2 id="s3"'):]),
        Doc("more.xhtml", '<h2 id="a">Story 5</h2><p>The badger digs.</p><h2 id="b">Story 6</h2><p>The mole sleeps.</p>'),
    ]
    toc = [
        TocItem("Part One", "stories.xhtml#p1", [TocItem("Story 1: The Fox", "stories.xhtml#s1"),
                                                 TocItem("Story 2: The Crow", "stories.xhtml#s2")]),
        TocItem("Part Two", "stories.xhtml#p2", [TocItem("Story 3: The Hare", "stories.xhtml#s3"),
                                                 TocItem("Story 4: The Owl", "stories.xhtml#s4")]),
        TocItem("Part Three", "", [TocItem("Story 5", "more.xhtml#a"), TocItem("Story 6", "more.xhtml#b")]),
    ]
    return write_epub(path, docs, toc, title="Fables")


def empty_chapters_book(path: Path) -> Path:
    """9. Book pages with a title and no text; paragraphs of punctuation only."""
    docs = [
        Doc("book1.xhtml", "<h1>Book I</h1>"),
        Doc("canto1.xhtml", "<h2>Canto 1</h2><p>Sing of the long road home.</p><p>* * *</p><p>……</p>"
                            "<p>The ships were burned.</p>"),
        Doc("book2.xhtml", '<h1>Book II</h1><div class="orn">❦</div>'),
        Doc("canto2.xhtml", "<h2>Canto 2</h2><p>The sea again.</p>"),
        Doc("end.xhtml", "<h1>The End</h1>"),
    ]
    toc = [TocItem("Book I", "book1.xhtml"), TocItem("Canto 1", "canto1.xhtml"),
           TocItem("Book II", "book2.xhtml"), TocItem("Canto 2", "canto2.xhtml"), TocItem("The End", "end.xhtml")]
    return write_epub(path, docs, toc, title="The Long Road")


def front_back_book(path: Path) -> Path:
    """10. The nav document in the spine is a contents chapter (matter "toc"); front and back
    matter from landmarks, epub:type and titles."""
    docs = [
        Doc("titlepage.xhtml", "<h1>The Orchard</h1><p>by Ann Author</p>", body_attrs='epub:type="frontmatter titlepage"'),
        Doc("copyright.xhtml", "<p>Copyright 2020 Ann Author. All rights reserved.</p>"),
        Doc("dedication.xhtml", '<section epub:type="dedication"><p>For my mother.</p></section>'),
        Doc("ch1.xhtml", "<h1>Blossom</h1><p>The trees flowered in April.</p>"),
        Doc("ch2.xhtml", "<h1>Fruit</h1><p>The apples came in September.</p>"),
        Doc("alsoby.xhtml", "<h1>Also by Ann Author</h1><p>The Hedge. The Meadow.</p>"),
        Doc("about.xhtml", "<h1>About the Author</h1><p>Ann Author lives in Kent.</p>"),
        Doc("index.xhtml", "<h1>Index</h1><p>apples, 2</p><p>trees, 1</p>"),
    ]
    toc = [TocItem("Title Page", "titlepage.xhtml"), TocItem("Copyright", "copyright.xhtml"),
           TocItem("Dedication", "dedication.xhtml"), TocItem("Blossom", "ch1.xhtml"), TocItem("Fruit", "ch2.xhtml"),
           TocItem("Also by Ann Author", "alsoby.xhtml"), TocItem("About the Author", "about.xhtml"),
           TocItem("Index", "index.xhtml")]
    landmarks = [("copyright-page", "copyright.xhtml"), ("bodymatter", "ch1.xhtml"), ("index", "index.xhtml")]
    return write_epub(path, docs, toc, title="The Orchard", landmarks=landmarks, nav_in_spine=True)


def epub2_guide_book(path: Path) -> Path:
    """10 (EPUB 2): an HTML contents page in the spine and the guide's types."""
    docs = [
        Doc("cover.xhtml", "<p>The Orchard: a novel</p>"),
        Doc("contents.xhtml", '<h1>Contents</h1><p><a href="ch1.xhtml">Blossom</a></p>'),
        Doc("ch1.xhtml", "<h1>Blossom</h1><p>The trees flowered in April.</p>"),
        Doc("colophon.xhtml", "<p>Set in Caslon.</p>"),
    ]
    toc = [TocItem("Blossom", "ch1.xhtml"), TocItem("Colophon", "colophon.xhtml")]
    guide = [("cover", "cover.xhtml"), ("toc", "contents.xhtml"), ("text", "ch1.xhtml")]
    return write_epub(path, docs, toc, version=2, title="The Orchard", guide=guide)


FIXTURES = {
    "1-svg-text": svg_book, "1-svg-only": svg_only_book, "2-mathml": mathml_book, "3-notes-section": notes_book,
    "4-media-fallback": media_book, "5-table-cells": table_book, "6-epub-switch": switch_book, "7-ruby": ruby_book,
    "8-one-file-anthology": anthology_book, "9-empty-chapters": empty_chapters_book,
    "10-toc-page-and-matter": front_back_book, "10-epub2-guide": epub2_guide_book,
}


def write_fixtures(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder / f"{name}.epub") for name, make in FIXTURES.items()}
