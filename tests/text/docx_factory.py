"""Real Word documents for the reader tests, written with python-docx (MIT, test extra only).
What python-docx cannot write (footnotes, tracked changes, field codes, text boxes) is added as
the WordprocessingML Word itself writes, and the footnotes part is registered in the package's
content types and relationships as Word registers it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = (
    f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/>'
    "</w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> Dawn means early morning.</w:t></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)


def _xml(fragment: str):
    return parse_xml(fragment)


def _add_footnotes_part(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" '
                    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            target.writestr(info, content)
        target.writestr("word/footnotes.xml", FOOTNOTES)
    return out.getvalue()


def word_book(path: Path) -> Path:
    """Title, text before the first heading, three Heading 1 chapters (one through a custom style
    based on Heading 1), a Heading 2 section, a table, a footnote, hidden text, a tracked deletion
    and insertion, a field code, and a text box."""
    doc = Document()
    doc.core_properties.title = "Word Tales"
    doc.core_properties.author = "Wendy Word"
    doc.core_properties.language = "en-GB"
    doc.add_paragraph("Word Tales", style="Title")
    doc.add_paragraph("A foreword before the first chapter.")
    doc.add_heading("Chapter One", level=1)
    p = doc.add_paragraph("The storm began at dawn.")
    p._p.append(_xml(f'<w:r {_NS}><w:footnoteReference w:id="1"/></w:r>'))
    p.add_run(" Rain fell.")
    hidden = p.add_run(" Hidden words.")
    hidden.font.hidden = True
    changes = doc.add_paragraph("The keeper ")
    changes._p.append(_xml(f'<w:del {_NS} w:id="7" w:author="Ed"><w:r><w:delText>never </w:delText></w:r></w:del>'))
    changes._p.append(_xml(f'<w:ins {_NS} w:id="8" w:author="Ed"><w:r><w:t xml:space="preserve">always </w:t></w:r></w:ins>'))
    changes.add_run("climbed the tower on page ")
    changes._p.append(_xml(f'<w:r {_NS}><w:fldChar w:fldCharType="begin"/></w:r>'))
    changes._p.append(_xml(f'<w:r {_NS}><w:instrText xml:space="preserve"> PAGEREF keeper \\h </w:instrText></w:r>'))
    changes._p.append(_xml(f'<w:r {_NS}><w:fldChar w:fldCharType="separate"/></w:r>'))
    changes._p.append(_xml(f'<w:r {_NS}><w:t>4</w:t></w:r>'))
    changes._p.append(_xml(f'<w:r {_NS}><w:fldChar w:fldCharType="end"/></w:r>'))
    changes.add_run(".")
    doc.add_heading("A Section", level=2)
    boxed = doc.add_paragraph("Beside this paragraph stands a box.")
    boxed._p.append(_xml(
        f'<w:r {_NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        "<w:p><w:r><w:t>Text in the box.</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Text in the box.</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    ))
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Cell one"
    table.cell(0, 1).text = "Cell two"
    doc.add_heading("Chapter Two", level=1)
    doc.add_paragraph("The boats came home.")
    custom = doc.styles.add_style("Chapter Heading", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = doc.styles["Heading 1"]
    doc.add_paragraph("Chapter Three", style="Chapter Heading")
    doc.add_paragraph("The end.")
    doc.add_heading("Index", level=1)
    doc.add_paragraph("harbour, 2")
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(_add_footnotes_part(buffer.getvalue()))
    return path


def plain_docx(path: Path, paragraphs: list[str]) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path
