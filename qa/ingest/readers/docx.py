"""Word documents as their reader sees them after accepting every tracked change.

docx2python keeps the runs of a tracked insertion (<w:ins>) and never reads a
tracked deletion (its words are <w:delText>, not <w:t>), which is what "accept all
changes" shows; text boxes and content controls are read in place. Before it reads
the file, three things it would otherwise put into the text are taken out of the
XML: the alternative (VML) copy of each text box, which would repeat its words;
the targets of hyperlinks, which it writes as <a href="..."> markup; and the
references of images, which it writes as ----media/image1.png---- placeholders.
Headers and footers are left out (they are running heads, not the document's
words); footnotes and endnotes follow the body, without docx2python's numbering.
"""

from __future__ import annotations

import io
import re
import zipfile

from qa.ingest.readers.base import Layout, ReadResult, Unreadable, iso_date, library_version, metadata, normalise

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_PARTS = re.compile(r"^word/(document|footnotes|endnotes)\d*\.xml$")
_NOTE_PREFIX = re.compile(r"^(?:footnote|endnote)-?\d+\)\t")
_PLACEHOLDER = re.compile(r"----(?:media/\S+?|(?:foot|end)note-?\d+)----|----Image alt text---->[^<]*<")  # in case any slip through


class DocxReader:
    name = "docx2python"
    suffixes: tuple[str, ...] = (".docx",)

    @property
    def version(self) -> str:
        return library_version("docx2python")  # read when a build records it, not on every start

    def read(self, data: bytes, path: str) -> ReadResult:
        import warnings

        from docx2python import docx2python

        cleaned = _clean(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "no core-properties file": an answer, not a problem
                with docx2python(io.BytesIO(cleaned)) as content:
                    body = _paragraphs(content.body)
                    notes = [_NOTE_PREFIX.sub("", p) for p in _paragraphs(content.footnotes) + _paragraphs(content.endnotes)]
                    props = content.core_properties
        except (KeyError, ValueError, AttributeError, zipfile.BadZipFile) as exc:
            raise Unreadable(f"is not a valid .docx ({_one_line(exc)})") from None
        paragraphs = [p for p in (normalise(_PLACEHOLDER.sub("", p)).strip() for p in body + notes) if p]
        meta = metadata("docx-core", title=props.get("title"), author=props.get("creator"),
                        date=iso_date(props.get("created") or ""))
        return ReadResult(text="\n\n".join(paragraphs), format="docx", metadata=meta, layout=Layout(wrapped=False))


def _clean(data: bytes) -> bytes:
    """The package with text-box fallbacks, hyperlink targets and image references removed from its text parts."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Unreadable("is encrypted with a password")
        raise Unreadable("is not a valid .docx (an old Word .doc file?)")
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        if "word/document.xml" not in names:
            raise Unreadable("is not a valid .docx (no word/document.xml)")
        out = io.BytesIO()
        with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                part = source.read(info.filename)
                target.writestr(info, _clean_part(part) if _PARTS.match(info.filename) else part)
        return out.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise Unreadable(f"is not a valid .docx ({_one_line(exc)})") from None


def _clean_part(xml: bytes) -> bytes:
    from lxml import etree

    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise Unreadable(f"is not a valid .docx (broken XML: {_one_line(exc)})") from None
    for fallback in root.iter(f"{{{_MC}}}Fallback"):
        fallback.clear()
    for link in list(root.iter(f"{{{_W}}}hyperlink")):
        parent = link.getparent()
        at = parent.index(link)
        parent[at:at + 1] = list(link)  # the link's runs stay where the link was
    for el in root.iter():
        if _is_image(el):
            for attr in (f"{{{_R}}}embed", f"{{{_R}}}id", "descr"):
                el.attrib.pop(attr, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _is_image(el) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.endswith(("}blip", "}imagedata")) or tag == f"{{{_WP}}}docPr"


def _paragraphs(nested) -> list[str]:
    """docx2python's tables > rows > cells > paragraphs, flattened in reading order."""
    if isinstance(nested, str):
        return [nested]
    return [p for item in nested for p in _paragraphs(item)]


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
