"""E-mails whose declared charset lies or is unknown, e-mails with short or machine-written bodies, and
pages nested deeper than the HTML parser builds a tree: read, with a note saying how, never gibberish
or "has no text"."""

from __future__ import annotations

import base64
import json
import quopri

import pytest

from qa.ingest.readers import read
from tests.hostile.conftest import FAKE, qa, where

LATIN = "Le capitaine du port de Quillmouth a compté 412 bateaux à la marina dimanche, a déclaré l'office.\n"


def message(body: bytes, charset: str | None, encoding: str = "8bit", subtype: str = "plain") -> bytes:
    payload = {"8bit": body, "quoted-printable": quopri.encodestring(body), "base64": base64.encodebytes(body)}[encoding]
    label = f"; charset={charset}" if charset is not None else ""
    return (f"From: Port Office <port@example.com>\nSubject: Boats\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n"
            f"MIME-Version: 1.0\nContent-Type: text/{subtype}{label}\nContent-Transfer-Encoding: {encoding}\n\n"
            ).encode() + payload


@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable", "base64"])
@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "utf-16be", "utf-32", "x-no-such-charset", "unknown-8bit",
                                     "us-ascii", "utf-8", '"utf-8"', None])
def test_a_charset_label_that_does_not_fit_the_body_falls_back_to_detection(charset, encoding):
    got = read(message(LATIN.encode("latin-1"), charset, encoding), "m.eml")
    assert "412 bateaux à la marina" in got.text and "�" not in got.text, got.text
    assert len(got.notes) == 1 and "charset detected" in got.notes[0], got.notes


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-8", "iso-8859-1", "cp1252"])
def test_a_charset_label_that_fits_is_taken_without_a_note(charset):
    body = LATIN.encode(charset.replace("utf-16-le", "utf-16-le"))
    got = read(message(body, charset, "base64"), "m.eml")
    assert got.text.strip() == LATIN.strip() and got.notes == ()


BOUNCE = b"""From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>
To: <joe@example.org>
Date: Tue, 6 Mar 2001 12:00:00 -0500
Subject: Returned mail: User unknown
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

This is a MIME-encapsulated message

--B
Content-Type: %s

The original message was received at Tue, 6 Mar 2001 11:59:58 -0500
from joe@localhost
   ----- The following addresses had permanent fatal errors -----
<nobody@example.com>

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: RFC822; nobody@example.com
Action: failed

--B
Content-Type: message/rfc822

From: Joe <joe@example.org>
Subject: hello

Hello there, are you still at this address?

--B--
"""
SHORT = [
    ("blah.eml", b"From: Joe <joe@example.com>\nSubject: test\n\nBlah blah blah\n"),
    ("hi.eml", b"From: Joe <joe@example.com>\nSubject: hi\nContent-Type: text/plain; charset=us-ascii\n\nSee you at 5\n"),
    ("bounce.eml", BOUNCE % b"text/plain"),
    ("bounce-headers.eml", BOUNCE % b"text/rfc822-headers"),
    ("enriched.eml", b"From: a@b.c\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\n"
                     b"Content-Type: text/enriched\n\nThe ferry leaves at noon\n--Z--\n"),
]


def test_short_and_machine_written_messages_are_read_and_quotable(tmp_path, fake_encoder, record_property):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for name, data in SHORT:
        (corpus / name).write_bytes(data)
    built = qa("index", "build", *where(corpus, index), *FAKE)
    assert built.exit_code == 0 and "skipped" not in built.stderr, built.stderr
    for name, _data in SHORT:
        shown = json.loads(qa("show", name, "--json", *where(corpus, index)).stdout)
        kinds = {s["kind"] for s in shown["sentences"]}
        assert kinds & {"body", "quoted"}, (name, shown)
    record_property("cases", len(SHORT))


def deep(levels: int, inner: str = "<p>The Quillmouth harbour master counted 412 boats on Sunday.</p>") -> str:
    return "<html><head><title>Deep</title></head><body>" + "<div>" * levels + inner + "</div>" * levels + "</body></html>"


@pytest.mark.parametrize("levels", [300, 50_000, 100_000])
def test_pages_nested_deeper_than_the_parser_are_read_with_a_note(levels, tmp_path, fake_encoder):
    page = read(deep(levels).encode(), "deep.html")
    assert page.text == "The Quillmouth harbour master counted 412 boats on Sunday."
    assert any("nested over" in note for note in page.notes)
    mail = read(message(deep(levels).encode(), "utf-8", "base64", "html"), "deep.eml")
    assert mail.text == page.text and any("nested over" in note for note in mail.notes)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "deep.html").write_text(deep(levels), encoding="utf-8")
    built = qa("index", "build", *where(corpus, index), *FAKE)
    assert built.exit_code == 0, built.stderr
    docs = json.loads(qa("docs", "--json", *where(corpus, index)).stdout)
    assert [d["citation"]["path"] for d in docs["documents"]] == ["deep.html"] and docs["skipped"] == []
