"""PDF text, page by page, with the printed page labels and the running heads marked.

A quote from a PDF is cited by page, so each page's start is kept, and by the label
printed on it ("xiv", "A-3") when the PDF defines labels. Running headers and
footers repeat on every page and would otherwise be the best match for any
question about the report's title, so the lines that recur in the first or last
two lines of at least 60% of the pages (and of at least 3), or of 40% of the pages
of a run such as a chapter, are reported as noise; digits are folded before comparing
so "Page 3 of 10" matches "Page 4 of 10", a page number on either side is dropped so
alternate pages' heads match, and a line that is only a page number ("3", "- 4 -",
"iv") counts as the same line on every page. Only a short line that is not a
sentence can be a running head: a body sentence repeated on every page is kept. There is no OCR: a page without a text layer is said so in a note.
"""

from __future__ import annotations

import bisect
import re

from qa.ingest.readers.base import Layout, Page, ReadResult, Unreadable, iso_date, library_version, line_spans, metadata, normalise

NO_TEXT_NOTE = "page {} has no text layer (no OCR here)"
BROKEN_NOTE = "page {} could not be read (PDFium failed on it)"
_ZONE = 2  # lines at the top and at the bottom of a page where running heads live
_SHARE, _AT_LEAST = 0.6, 3
_RUN_SHARE = 0.4  # a chapter's running head: on 2 pages in 5 from its first page to its last at least
_MOST_WORDS = 12
_MOST_NAME_WORDS = 12  # a few authors' names, not a paragraph
_NOT_A_NAME = re.compile(r"licen[cs]|copyright|permission|\(c\)|©|https?://|all rights", re.IGNORECASE)
_SIDE_NUMBER = re.compile(r"^(?:#\s+)+|(?:\s+#)+$")
_SENTENCE = re.compile(r"""[.!?][”"'’)\]]*$""")
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
        meta = metadata("pdf-info", title=info.get("Title"), author=_name(info.get("Author")),
                        date=_info_date(info.get("CreationDate")))
        return ReadResult(text="\f".join(texts), format="pdf", metadata=meta, pages=tuple(pages), noise=noise, notes=notes,
                          layout=Layout(blocks=noise))  # a running head is a line of its own, never part of a sentence


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
    """A line's form: digits folded, and a page number on either side dropped, so that "gnuplot 5.4 21" on
    a right-hand page and "52 gnuplot 5.4" on a left-hand one have the same form."""
    line = " ".join(line.split()).lower()
    if _PAGE_NUMBER.match(line):
        return "#"
    return _SIDE_NUMBER.sub("", re.sub(r"\d+", "#", line)) or "#"


def _furniture(line: str) -> bool:
    """Short, and not a sentence: a running head never reads "The results for 2023 are below."."""
    words = line.split()
    return len(words) <= _MOST_WORDS and not (len(words) >= 4 and _SENTENCE.search(line.strip()))


def _zones(text: str, start: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of the first and the last _ZONE non-blank lines of a page (on a short page, the same lines)."""
    lines = [(a, b) for a, b in line_spans(text, start) if text[a - start:b - start].strip()]
    return lines[:_ZONE], lines[-_ZONE:]


def running_heads(texts: list[str], starts: list[int]) -> tuple[tuple[int, int], ...]:
    """Spans of the short lines whose form repeats at the top or the bottom of the pages: on most pages
    of the document, or on many of the pages of a run (a chapter's title over its pages)."""
    needed = max(_AT_LEAST, _SHARE * len(texts))
    spans = []
    for side in (0, 1):
        keyed = [[((a, b), _key(text[a - start:b - start])) for a, b in _zones(text, start)[side]
                  if _furniture(text[a - start:b - start])] for text, start in zip(texts, starts)]
        pages: dict[str, list[int]] = {}
        for number, page in enumerate(keyed):
            for key in {k for _, k in page}:
                pages.setdefault(key, []).append(number)

        heads = {key for key, seen in pages.items()
                 if len(seen) >= needed or (len(seen) >= _AT_LEAST and len(seen) >= _RUN_SHARE * (seen[-1] - seen[0] + 1))}
        spans += [span for page in keyed for span, key in page if key in heads]
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


def _name(value: str | None) -> str | None:
    """An author's name; a producer that puts a licence or a paragraph in the Author field names no one."""
    if not value or len(value.split()) > _MOST_NAME_WORDS or _NOT_A_NAME.search(value):
        return None
    return value


def _info_date(value: str | None) -> str | None:
    """CreationDate is "D:YYYYMMDDHHmmSS..." in the spec; some producers write ISO dates instead."""
    if not value:
        return None
    match = _PDF_DATE.match(value.strip())
    if match and match.group(2) and match.group(3):
        return iso_date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")
    return iso_date(value)
