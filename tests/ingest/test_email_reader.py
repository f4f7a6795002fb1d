"""E-mail: the sender's words as text, earlier messages marked as someone else's."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from qa.ingest.readers import Unreadable, read
from scripts.make_documents import eml_html_only, eml_reply

PLAIN = ("The vote is on Thursday, I am told by two councillors.\n\nOn Mon, 4 Mar 2024, Bob wrote:\n"
         "> We heard it was postponed until April.\n> Can you confirm?\n\nAna\n")
HTML = "<html><body><p>HTML ALTERNATIVE words.</p></body></html>"


@pytest.fixture(scope="module")
def reply():
    return read(eml_reply(plain=PLAIN, html=HTML, attachment="agenda.pdf"), "reply.eml")


def test_the_plain_alternative_is_the_text(reply):
    assert reply.text == PLAIN.strip("\n")
    assert "HTML ALTERNATIVE" not in reply.text and reply.format == "email"


def test_lines_quoted_with_a_chevron_are_someone_elses(reply):
    assert [reply.text[a:b] for a, b in reply.quoted] == ["> We heard it was postponed until April.\n> Can you confirm?"]


def test_headers_are_the_metadata(reply):
    meta = reply.metadata
    assert (meta.title, meta.author, meta.date) == ("Re: Harbour budget vote", "Ana Ruiz", "2024-03-05")
    assert set(meta.origins) == {("title", "email-header"), ("author", "email-header"), ("date", "email-header")}


def test_attachments_are_named_in_a_note(reply):
    assert reply.notes == ("attachments not read: agenda.pdf",)


def test_an_html_only_message_goes_through_main_text_extraction():
    html = ("<html><body><div class='signature-nav'><a href='/u'>Unsubscribe</a></div><article>"
            "<p>The harbour figures for March are attached, and they show a rise of 4 percent over February.</p>"
            "<blockquote>Could you send the March figures before the meeting on Friday?</blockquote></article></body></html>")
    result = read(eml_html_only(html), "h.eml")
    assert "The harbour figures for March are attached" in result.text
    assert [result.text[a:b] for a, b in result.quoted] == ["Could you send the March figures before the meeting on Friday?"]
    assert (result.metadata.author, result.metadata.date) == ("bob@example.org", "2024-03-06")


def test_a_forwarded_message_keeps_its_headers_as_text_and_is_someone_elses():
    plain = ("See below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\n"
             "Date: Wed, 6 Mar 2024\nSubject: Harbour\n\nThe original words.\n")
    result = read(eml_reply(plain=plain, subject="Fwd: Harbour", sender="Carla <c@example.org>"), "f.eml")
    assert "From: Bob <bob@example.org>\nDate: Wed, 6 Mar 2024" in result.text
    assert [result.text[a:b] for a, b in result.quoted] == [
        "From: Bob <bob@example.org>\nDate: Wed, 6 Mar 2024\nSubject: Harbour\n\nThe original words."]
    assert result.metadata.author == "Carla"


def test_a_message_forwarded_as_an_attachment_is_read_and_marked():
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "Bob <bob@example.org>", "Harbour"
    inner.set_content("The inner message words.\n")
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "Carla <c@example.org>", "Fwd: Harbour"
    outer.set_content("Attached, as promised.\n")
    outer.add_attachment(inner)
    result = read(outer.as_bytes(), "fa.eml")
    assert result.text.startswith("Attached, as promised.\n\n---------- Forwarded message ----------\nFrom: Bob")
    assert result.text.endswith("The inner message words.")
    (a, b), = result.quoted
    assert result.text[a:b].startswith("---------- Forwarded message") and b == len(result.text)


def test_a_file_without_headers_is_not_an_email():
    with pytest.raises(Unreadable, match="^is not an e-mail message"):
        read(b"", "x.eml")
