"""Word files as read after accepting every tracked change, without placeholders or markup."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.readers import Unreadable, read
from scripts.make_documents import docx_memo

PARAGRAPHS = ["The committee approved the harbour budget on Monday.", "The vote was", "Dissent came from two members."]


@pytest.fixture(scope="module")
def memo():
    data = docx_memo(PARAGRAPHS, inserted="unanimous after all", deleted="narrowly lost", textbox="Box: costs rose 4%",
                     control="Summary control text", link=("see the full report", "https://example.com/report"),
                     image_alt="Photo of the minister", header="RUNNING HEADER TEXT",
                     footnote="Source: the 2023 audit, page 4.")
    return read(data, "memo.docx")


def test_tracked_insertions_are_in_and_deletions_out(memo):
    assert "The vote was unanimous after all" in memo.text
    assert "narrowly lost" not in memo.text


def test_text_boxes_and_content_controls_are_read_once(memo):
    assert memo.text.count("Box: costs rose 4%") == 1
    assert "Summary control text" in memo.text


def test_no_placeholders_markup_or_running_heads(memo):
    for absent in ("----", "media/", "image1", "Image alt text", "Photo of the minister", "<a href", "RUNNING HEADER"):
        assert absent not in memo.text
    assert "The committee approved the harbour budget on Monday. see the full report" in memo.text


def test_footnotes_follow_the_body_without_docx2pythons_markers(memo):
    assert memo.text.endswith("\n\nSource: the 2023 audit, page 4.")
    assert "footnote" not in memo.text.lower()


def test_paragraphs_are_blocks_of_their_own(memo):
    blocks = memo.text.split("\n\n")
    assert blocks[0] == "Budget memo"
    assert "Dissent came from two members." in blocks
    assert memo.format == "docx" and memo.pages == memo.noise == ()


def test_core_properties(memo):
    meta = memo.metadata
    assert (meta.title, meta.author, meta.date) == ("Budget memo", "Ana Ruiz", "2022-11-03")
    assert set(meta.origins) == {("title", "docx-core"), ("author", "docx-core"), ("date", "docx-core")}


def test_a_damaged_file_is_unreadable():
    data = docx_memo(PARAGRAPHS)
    with pytest.raises(Unreadable, match=r"^is not a valid \.docx \("):
        read(data[:300], "m.docx")
    with pytest.raises(Unreadable, match=r"^is not a valid \.docx \("):
        read(b"plain words", "m.docx")


def test_a_zip_that_is_not_a_word_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(Unreadable, match=r"^is not a valid \.docx \(no word/document.xml\)$"):
        read(out.getvalue(), "m.docx")


def test_a_password_protected_or_old_word_file():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    with pytest.raises(Unreadable, match="^is encrypted with a password$"):
        read(ole + "EncryptedPackage".encode("utf-16-le"), "m.docx")
    with pytest.raises(Unreadable, match=r"old Word \.doc"):
        read(ole, "m.docx")
