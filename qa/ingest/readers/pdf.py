"""PDF text, page by page, with the printed page labels and the running heads marked.

A quote from a PDF is cited by page, so each page's start is kept, and by the label
printed on it ("xiv", "A-3") when the PDF defines labels. Running headers and
footers repeat on every page and would otherwise be the best match for any
question about the report's title, so the lines that recur in the first or last
two lines of at least 60% of the pages (and of at least 3) are reported as noise;
digits are folded before comparing so "Page 3 of 10" matches "Page 4 of 10", and a
line that is only a page number ("3", "- 4 -", "iv") counts as the same line on
every page. There is no OCR: a page without a text layer is said so in a note.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from qa.ingest.readers.base import Page, ReadResult, Unreadable, iso_date, library_version, line_spans, metadata, normalise

NO_TEXT_NOTE = "page {} has no text layer (no OCR here)"
BROKEN_NOTE = "page {} could not be read (PDFium failed on it)"
_ZONE = 2  # lines at the top and at the bottom of a page where running heads live
_SHARE, _AT_LEAST = 0.6, 3
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE_NUMBER = re.compile(rf"^[\W_]*(?:page\s*)?(?:\d+|{_ROMAN})(?:\s*(?:of|/)\s*\d+)?[\W_]*$", re.IGNORECASE)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


class PdfReader:
    name = "pypdfium2"
    suffixes: tuple[str, ...] = (".pdf",)

    @property
    def version(self) -> str:
        return library_version("pypdfium2")  # read when a build records it, not on every start

    def read(self, data: bytes, path: str) -> ReadResult:
        import pypdfium2 as pdfium

        doc = _open(pdfium, data)
        texts: list[str] = []
        labels: list[str | None] = []
        broken: list[int] = []
        try:
            for index in range(len(doc)):
                texts.append(_page_text(pdfium, doc, index, broken))
                labels.append(doc.get_page_label(index) or None)
            info = doc.get_metadata_dict(skip_empty=True)
        finally:
            doc.close()
        pages, pos = [], 0
        for number, (text, label) in enumerate(zip(texts, labels), start=1):
            pages.append(Page(number, label, pos))
            pos += len(text) + 1  # the "\f" between pages
        noise = running_heads(texts, [p.start for p in pages])
        notes = tuple(BROKEN_NOTE.format(p.number) if p.number in broken else NO_TEXT_NOTE.format(p.number)
                      for p, text in zip(pages, texts) if not _content(text, p.start, noise))
        meta = metadata("pdf-info", title=info.get("Title"), author=info.get("Author"),
                        date=_info_date(info.get("CreationDate")))
        return ReadResult(text="\f".join(texts), format="pdf", metadata=meta, pages=tuple(pages), noise=noise, notes=notes)


def _page_text(pdfium, doc, index: int, broken: list[int]) -> str:
    """One page's text; a page PDFium cannot load is empty (and noted) rather than the end of the document."""
    try:
        page = doc[index]
    except pdfium.PdfiumError:
        broken.append(index + 1)
        return ""
    try:
        textpage = page.get_textpage()
        try:
            return normalise(textpage.get_text_range()).replace("\f", "\n")  # "\f" separates pages, only
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        broken.append(index + 1)
        return ""
    finally:
        page.close()


def _open(pdfium, data: bytes):
    from pypdfium2 import raw

    try:
        return pdfium.PdfDocument(data, password="")  # an empty user password is no lock
    except pdfium.PdfiumError as exc:
        if exc.err_code == raw.FPDF_ERR_PASSWORD:
            raise Unreadable("is encrypted with a password") from None
        if exc.err_code == raw.FPDF_ERR_SECURITY:
            raise Unreadable("is encrypted with a scheme PDFium does not support") from None
        raise Unreadable(f"is not a valid PDF ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    match = re.search(r"PDFium: ([^)]+)", str(exc))
    return f"PDFium: {match.group(1).lower()}" if match else str(exc).rstrip(".")


def _key(line: str) -> str:
    line = " ".join(line.split()).lower()
    return "#" if _PAGE_NUMBER.match(line) else re.sub(r"\d+", "#", line)


def _zones(text: str, start: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of the first and the last _ZONE non-blank lines of a page (on a short page, the same lines)."""
    lines = [(a, b) for a, b in line_spans(text, start) if text[a - start:b - start].strip()]
    return lines[:_ZONE], lines[-_ZONE:]


def running_heads(texts: list[str], starts: list[int]) -> tuple[tuple[int, int], ...]:
    """Spans of the lines that repeat at the top or the bottom of most pages."""
    needed = max(_AT_LEAST, _SHARE * len(texts))
    spans = []
    for side in (0, 1):
        keyed = [[((a, b), _key(text[a - start:b - start])) for a, b in _zones(text, start)[side]]
                 for text, start in zip(texts, starts)]
        counts = Counter(key for page in keyed for key in {k for _, k in page})
        spans += [span for page in keyed for span, key in page if counts[key] >= needed]
    return tuple(sorted(set(spans)))


def _content(text: str, start: int, noise: tuple[tuple[int, int], ...]) -> bool:
    """Does the page say anything besides its running heads? (`noise` is sorted: only this page's are looked at,
    so a long PDF costs its length, not its length squared.)"""
    chars = list(text)
    first = bisect.bisect_left(noise, (start, start))
    for a, b in noise[first:bisect.bisect_right(noise, (start + len(text), start + len(text)))]:
        if b <= start + len(text):
            chars[a - start:b - start] = " " * (b - a)
    return bool("".join(chars).strip())


def _info_date(value: str | None) -> str | None:
    """CreationDate is "D:YYYYMMDDHHmmSS..." in the spec; some producers write ISO dates instead."""
    if not value:
        return None
    match = _PDF_DATE.match(value.strip())
    if match and match.group(2) and match.group(3):
        return iso_date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")
    return iso_date(value)
