"""E-mail messages (.eml): the sender's words, with everyone else's marked.

The headers are the metadata (Subject, From, Date), never text to quote. The body is
the text/plain alternative when there is one, because it is what the sender
typed; an HTML-only message goes through the same main-text extraction as a web
page. Replies carry earlier messages, and a journalist must not quote those as the
sender's: lines quoted with ">", <blockquote> blocks, and everything after a
forwarded or original-message marker are reported in `quoted`. A forwarded
message's own headers stay in the text, as they were written.
"""

from __future__ import annotations

import codecs
import platform
import re

from qa.ingest.readers.base import ReadResult, Unreadable, iso_date, line_spans, metadata, normalise

_FORWARD = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:forwarded message|original message|mensaje original|message d'origine|ursprüngliche nachricht)"
    r"[ \t]*-{2,}|begin forwarded message:)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


class EmailReader:
    name = "email"  # the standard library's parser
    suffixes: tuple[str, ...] = (".eml",)

    def __init__(self) -> None:
        self.version = platform.python_version()

    def read(self, data: bytes, path: str) -> ReadResult:
        from email import policy
        from email.parser import BytesParser

        message = BytesParser(policy=policy.default).parsebytes(data)
        if not message.keys():
            raise Unreadable("is not an e-mail message (it has no headers)")
        text, blockquotes, notes = _body(message)
        # (text, the spans in it that quote someone else); a forwarded message is quoted whole
        parts: list[tuple[str, tuple[tuple[int, int], ...]]] = [(text, tuple(blockquotes))]
        for inner in _forwarded(message):
            inner_text, _, _ = _body(inner)
            whole = _headers_as_text(inner) + "\n\n" + inner_text
            parts.append((whole, ((0, len(whole)),)))
        joined: list[str] = []
        quoted: list[tuple[int, int]] = []
        pos = 0
        for part_text, quotes in parts:
            if not part_text.strip():
                continue
            pos += 2 if joined else 0
            quoted += [(pos + a, pos + b) for a, b in quotes]
            joined.append(part_text)
            pos += len(part_text)
        text = "\n\n".join(joined)
        quoted += _quoted_lines(text)
        skipped = _attachments(message)
        if skipped:
            notes += (f"attachments not read: {', '.join(skipped)}",)
        meta = metadata("email-header", title=_header(message, "Subject"), author=_sender(message),
                        date=_date(message))
        return ReadResult(text=text, format="email", metadata=meta, quoted=_merge(quoted, text), notes=notes)


def _body(message) -> tuple[str, tuple[tuple[int, int], ...], tuple[str, ...]]:
    part = message.get_body(preferencelist=("plain", "html")) or _any_text(message)
    if part is None:
        return "", (), ("the message has no text or HTML body",)
    content, notes = _content(part)
    if part.get_content_subtype() == "html":
        from qa.ingest.readers.html import extract

        page = extract(content, with_metadata=False)
        return page.text, page.quotes, notes + page.notes
    return normalise(content).strip("\n"), (), notes


def _any_text(message):
    """A body that is neither text/plain nor text/html: a bounce's text/rfc822-headers, a text/enriched note."""
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_attachment():
            return part
    return None


def _content(part) -> tuple[str, tuple[str, ...]]:
    """The part's text, and a note when its declared charset was unknown or wrong and the charset was detected.
    A wide charset (UTF-16, UTF-32) on a body without a NUL byte is wrong: its line breaks and spaces would be."""
    try:
        payload = part.get_payload(decode=True) or b""
    except (LookupError, ValueError, AssertionError):  # a broken transfer encoding
        payload = b""
    declared = part.get_content_charset()
    charset = declared or "us-ascii"
    try:
        codecs.lookup(charset)
    except LookupError:
        return _detected(payload, f"its charset {declared!r} is unknown")
    if codecs.lookup(charset).name.startswith(("utf-16", "utf-32")) and b"\x00" not in payload:
        return _detected(payload, f"it is labelled {declared!r} but is not")
    try:
        return payload.decode(charset), ()
    except UnicodeDecodeError:
        if declared is None:
            return _detected(payload, "it declares no charset and is not ASCII")
        return _detected(payload, f"it is labelled {declared!r} but is not")


def _detected(payload: bytes, why: str) -> tuple[str, tuple[str, ...]]:
    from qa.ingest.readers.text import decode

    try:
        return decode(payload)[1], (f"the body was read in the charset detected from its bytes: {why}",)
    except Unreadable:
        return payload.decode("utf-8", errors="replace"), (f"the body was read as UTF-8 with undecodable bytes "
                                                            f"replaced: {why}, and no charset could be detected",)


def _forwarded(message) -> list:
    """Messages attached whole (message/rfc822), as forwarding "as attachment" does."""
    if not message.is_multipart():
        return []
    return [p.get_payload(0) for p in message.walk() if p.get_content_type() == "message/rfc822" and p.get_payload()]


def _headers_as_text(message) -> str:
    lines = [f"{name}: {message[name]}" for name in ("From", "Date", "Subject", "To") if message[name]]
    return "\n".join(["---------- Forwarded message ----------", *lines])


def _attachments(message) -> list[str]:
    names = []
    for part in message.walk():
        if part.is_attachment() and part.get_content_type() != "message/rfc822":
            names.append(part.get_filename() or part.get_content_type())
    return names


def _quoted_lines(text: str) -> list[tuple[int, int]]:
    spans = [(a, b) for a, b in line_spans(text) if text[a:b].lstrip().startswith(">")]
    marker = _FORWARD.search(text)
    if marker:
        spans.append((marker.end() + 1, len(text)))
    return [(a, b) for a, b in spans if a < b]


def _merge(spans: list[tuple[int, int]], text: str) -> tuple[tuple[int, int], ...]:
    """Overlapping spans, and spans apart by nothing but line breaks, as one."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and not text[merged[-1][1]:a].strip("\n"):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


def _header(message, name: str) -> str | None:
    try:
        value = message[name]
    except (ValueError, IndexError, TypeError):  # a header the parser cannot make sense of
        return None
    return str(value) if value else None


def _sender(message) -> str | None:
    try:
        header = message["From"]
        address = header.addresses[0] if header is not None and header.addresses else None
    except (ValueError, IndexError, TypeError, AttributeError):
        return _header(message, "From")
    if address is None:
        return _header(message, "From")
    return address.display_name or address.addr_spec or None


def _date(message) -> str | None:
    try:
        header = message["Date"]
        return iso_date(getattr(header, "datetime", None))
    except (ValueError, IndexError, TypeError):
        return None
