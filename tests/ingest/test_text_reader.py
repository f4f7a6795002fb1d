"""Plain text and Markdown in the encodings people actually save them in."""

from __future__ import annotations

import codecs

import pytest

from qa.ingest.metadata import describe, describe_sourced
from qa.ingest.readers import Unreadable, read
from tests.conftest import SEED

CURLY = "He said \u201cwe will not resign\u201d \u2014 and left. It\u2019s 5 \u20ac.\n"
SPANISH = "El se\u00f1or Mu\u00f1oz abri\u00f3 su caf\u00e9 en Caracas.\n\u00ab\u00a1Qu\u00e9 alegr\u00eda!\u00bb\n"


@pytest.mark.parametrize("text, data", [
    (SPANISH, SPANISH.encode("latin-1")),
    ("Caf\u00e9 in Caracas.\n", "Caf\u00e9 in Caracas.\n".encode("latin-1")),
    (CURLY, CURLY.encode("cp1252")),
    (SPANISH, codecs.BOM_UTF16_LE + SPANISH.encode("utf-16-le")),
    (SPANISH, codecs.BOM_UTF16_BE + SPANISH.encode("utf-16-be")),
    (SPANISH, SPANISH.encode("utf-16-le")),  # no byte order mark
    ("Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, powiedzia\u0142 minister.\n",
     "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, powiedzia\u0142 minister.\n".encode("cp1250")),
    ("\u041c\u0438\u043d\u0438\u0441\u0442\u0440 \u0441\u043a\u0430\u0437\u0430\u043b, \u0447\u0442\u043e \u0432\u0441\u0451 \u0445\u043e\u0440\u043e\u0448\u043e.\n",
     "\u041c\u0438\u043d\u0438\u0441\u0442\u0440 \u0441\u043a\u0430\u0437\u0430\u043b, \u0447\u0442\u043e \u0432\u0441\u0451 \u0445\u043e\u0440\u043e\u0448\u043e.\n".encode("cp1251")),
])
def test_encodings_decode_to_the_words_written(text, data):
    assert read(data, "a.txt").text == text


def test_a_utf8_byte_order_mark_stays_so_old_offsets_hold_and_front_matter_still_counts():
    data = codecs.BOM_UTF8 + b"---\ntitle: X\npublisher: Y\n---\nBody text.\n"
    result = read(data, "bom.md")
    assert result.text == data.decode("utf-8")
    assert (result.metadata.title, result.metadata.publisher) == ("X", "Y")
    assert result.format == "markdown"


def test_crlf_and_cr_become_lf_and_nothing_else_changes_in_utf8():
    data = "Line one\r\nLine two\rLine three\n\u00ad soft\x07bell\n".encode("utf-8")
    assert read(data, "a.txt").text == "Line one\nLine two\nLine three\n\u00ad soft\x07bell\n"


def test_other_encodings_are_normalised():
    words = "The caf\u00e9 owners said the council\u2019s plan was unfair to small businesses. " * 3
    data = f"Line one\r\nco\u00adoperate\x07bell\n{words}\n".encode("cp1252")
    assert read(data, "a.txt").text == f"Line one\ncooperate bell\n{words}\n"


@pytest.mark.parametrize("data", [b"PK\x03\x04\x00\x00binary", b"\x00\x01\x02", codecs.BOM_UTF8 + b"x\x00y"])
def test_binary_is_rejected(data):
    with pytest.raises(Unreadable, match="^looks binary$"):
        read(data, "a.txt")


@pytest.mark.parametrize("path", sorted(SEED.glob("*.txt")))
def test_seed_files_read_exactly_as_before_readers(path):
    result = read(path.read_bytes(), path.name)
    assert result.text == path.read_text(encoding="utf-8")
    meta = result.metadata
    assert (meta.title, meta.publisher, meta.date) == describe(result.text)
    assert result.format == "text" and result.pages == result.noise == result.quoted == ()


def test_metadata_origins_say_front_matter_or_what_in_the_text_states_it():
    text = "---\ntitle: Budget row\nauthor: Ana Ruiz\nurl: https://x.org/a\n---\nBy Jane Doe, CNN\nPublished: Jan 5, 2020\nBody.\n"
    meta = read(text.encode(), "a.md").metadata
    assert (meta.title, meta.publisher, meta.author, meta.date, meta.url) == (
        "Budget row", "CNN", "Ana Ruiz", "2020-01-05", "https://x.org/a")
    assert dict(meta.origins) == {"title": "front-matter", "publisher": "byline", "author": "front-matter",
                                  "date": "published-line", "url": "front-matter"}


@pytest.mark.parametrize("text, author", [
    ("Six Americans freed from Venezuelan prison\n\nBy Alejandra Jaramillo, CNN\nBody.\n", "Alejandra Jaramillo"),
    ("Headline of the story goes right here\nBy Maria de la Cruz\nBody.\n", "Maria de la Cruz"),
    ("By the numbers, the plan costs more.\n", None),
])
def test_a_byline_names_the_author(text, author):
    assert {k: v for k, v, _ in describe_sourced(text)}.get("author") == author
