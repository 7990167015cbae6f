"""The EPUB package: container.xml -> OPF file -> metadata, manifest,
spine, table-of-contents files and cover image."""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .book import BookError
from .epub_toc import Landmark, local_name, resolve_href
from .input_limits import check_zip, read_zip_member
from .markup_guard import guard_markup

# encryption.xml also lists fonts that are merely obfuscated, which is not DRM.
_FONT_OBFUSCATION = frozenset(("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"))


@dataclass
class ManifestItem:
    id: str
    path: str  # archive path
    media_type: str
    properties: frozenset[str] = frozenset()

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass
class Package:
    opf_path: str
    title: str | None
    author: str | None
    manifest: dict[str, ManifestItem]
    spine: list[ManifestItem]  # linear reading order
    ncx: ManifestItem | None
    nav: ManifestItem | None
    cover: ManifestItem | None
    warnings: list[str] = field(default_factory=list)
    language: str | None = None  # the first dc:language
    year: str | None = None  # from the first dc:date
    genre: str | None = None  # the first dc:subject
    description: str | None = None  # dc:description, markup removed
    guide: list[Landmark] = field(default_factory=list)  # EPUB 2 <guide> references (cover, toc, text, index...)


class Archive:
    """A zip archive with forgiving member lookup (some EPUBs get the case of
    their file names wrong)."""

    def __init__(self, zf: zipfile.ZipFile, path: Path):
        self.zf = zf
        self.path = path
        check_zip(zf, path, "EPUB")  # zip bombs are refused before anything is unpacked
        self.names = set(zf.namelist())
        self.by_lower = {name.lower(): name for name in self.names}

    def find(self, member: str) -> str | None:
        if member in self.names:
            return member
        return self.by_lower.get(member.lower())

    def read(self, member: str) -> bytes | None:
        name = self.find(member)
        if name is None:
            return None
        # Unpacked within the limits, and markup cleaned of entity tricks (see markup_guard).
        return guard_markup(read_zip_member(self.zf, self.zf.getinfo(name), self.path, "EPUB"))


def _parse_xml(archive: Archive, member: str, what: str) -> ET.Element:
    data = archive.read(member)
    if data is None:
        raise BookError(archive.path, f"it is not a valid EPUB ({what} '{member}' is missing)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise BookError(archive.path, f"it is not a valid EPUB ({what} '{member}' is broken: {exc})") from None


def _find_opf_path(archive: Archive) -> str:
    if archive.find("META-INF/container.xml"):
        root = _parse_xml(archive, "META-INF/container.xml", "the container file")
        for element in root.iter():
            if local_name(element.tag) == "rootfile" and element.get("full-path"):
                return element.get("full-path", "")
    # No usable container.xml: fall back to the only package file there is.
    opfs = sorted(name for name in archive.names if name.lower().endswith(".opf"))
    if not opfs:
        raise BookError(
            archive.path, "it is not a valid EPUB (it has no package file, META-INF/container.xml is missing)"
        )
    return opfs[0]


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _check_drm(archive: Archive, spine: list[ManifestItem]) -> None:
    if not archive.find("META-INF/encryption.xml"):
        return
    try:
        root = ET.fromstring(archive.read("META-INF/encryption.xml") or b"")
    except ET.ParseError:
        return
    spine_paths = {item.path.lower() for item in spine}
    for data in root.iter():
        if local_name(data.tag) != "EncryptedData":
            continue
        method = next((e.get("Algorithm", "") for e in data.iter() if local_name(e.tag) == "EncryptionMethod"), "")
        uris = [e.get("URI", "") for e in data.iter() if local_name(e.tag) == "CipherReference"]
        if method not in _FONT_OBFUSCATION and any(resolve_href("", u)[0].lower() in spine_paths for u in uris):
            raise BookError(archive.path, "it is protected by DRM (its text is encrypted)")


def read_package(archive: Archive) -> Package:
    opf_path = _find_opf_path(archive)
    root = _parse_xml(archive, opf_path, "the package file")
    if local_name(root.tag) != "package":
        raise BookError(archive.path, f"it is not a valid EPUB (the package file '{opf_path}' is not an OPF package)")
    base = posixpath.dirname(opf_path)

    title: str | None = None
    language: str | None = None
    creators: list[str] = []
    cover_meta: str | None = None
    details: dict[str, str] = {}  # date, subject, description: the first of each
    manifest: dict[str, ManifestItem] = {}
    spine_ids: list[str] = []
    toc_id: str | None = None
    guide: list[Landmark] = []
    for element in root.iter():
        name = local_name(element.tag)
        if name == "title" and title is None and _text(element):
            title = _text(element)
        elif name == "creator" and _text(element):
            creators.append(_text(element))
        elif name == "language" and language is None and _text(element):
            language = _text(element)
        elif name in ("date", "subject", "description") and name not in details and _text(element):
            details[name] = _text(element)
        elif name == "meta" and element.get("name") == "cover":
            cover_meta = element.get("content")
        elif name == "item" and element.get("id") and element.get("href"):
            path, _ = resolve_href(base, element.get("href", ""))
            manifest[element.get("id", "")] = ManifestItem(
                element.get("id", ""),
                path,
                (element.get("media-type") or "").lower(),
                frozenset((element.get("properties") or "").split()),
            )
        elif name == "spine":
            toc_id = element.get("toc")
        elif name == "reference" and element.get("type") and element.get("href"):
            guide.append(Landmark(element.get("type", "").lower(), *resolve_href(base, element.get("href", ""))))
        elif name == "itemref" and element.get("linear", "yes") != "no":
            # Non-linear items (pop-up notes, answer keys) are not part of
            # the reading order.
            spine_ids.append(element.get("idref", ""))

    warnings: list[str] = []
    spine: list[ManifestItem] = []
    for idref in spine_ids:
        if idref in manifest:
            spine.append(manifest[idref])
        else:
            warnings.append(f"The spine refers to '{idref}', which is not in the manifest; skipped it.")
    if not spine:
        raise BookError(archive.path, "it is not a valid EPUB (its reading order, the spine, is empty)")
    _check_drm(archive, spine)

    nav = next((item for item in manifest.values() if "nav" in item.properties), None)
    ncx = manifest.get(toc_id or "") or next(
        (item for item in manifest.values() if item.media_type == "application/x-dtbncx+xml"), None
    )
    return Package(
        opf_path=opf_path,
        title=title,
        author=", ".join(dict.fromkeys(creators)) or None,
        manifest=manifest,
        spine=spine,
        ncx=ncx,
        nav=nav,
        cover=_find_cover(manifest, cover_meta),
        warnings=warnings,
        language=language,
        year=book_year(details.get("date")),
        genre=details.get("subject"),
        description=plain_description(details.get("description")),
        guide=guide,
    )


def book_year(date: str | None) -> str | None:
    """The year of a dc:date ('2001-05-03', '2001', 'May 2001'), or None."""
    match = re.search(r"\b(\d{4})\b", date or "")
    return match[1] if match else None


def plain_description(text: str | None) -> str | None:
    """dc:description often holds escaped HTML: its text, whitespace collapsed, or None."""
    if not text:
        return None
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    plain = re.sub(r" ([.,;:!?])", r"\1", plain)  # "<b>castle</b>." leaves no space before the period
    return plain or None


def _find_cover(manifest: dict[str, ManifestItem], cover_meta: str | None) -> ManifestItem | None:
    for item in manifest.values():
        if "cover-image" in item.properties and item.is_image:
            return item  # EPUB 3
    if cover_meta:  # EPUB 2: <meta name="cover" content="item-id"/> (sometimes an href)
        item = manifest.get(cover_meta) or next(
            (i for i in manifest.values() if i.path.endswith(cover_meta.lstrip("./"))), None
        )
        if item is not None and item.is_image:
            return item
    return next(
        (i for i in manifest.values() if i.is_image and "cover" in (i.id + posixpath.basename(i.path)).lower()),
        None,
    )
