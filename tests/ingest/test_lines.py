"""Where a sentence of a rebuilt text begins in its file: qa.ingest.lines.locate."""

from __future__ import annotations

from qa.ingest.lines import locate


def lines_of(source: str, text: str, sentences: list[str], markup: bool = True) -> list[int | None]:
    spans = [(text.index(s), text.index(s) + len(s)) for s in sentences]
    found = dict(locate(source, text, spans, markup))
    return [found.get(start) for start, _ in spans]


PAGE = """<html><head><title>The port said the ferry leaves at noon</title></head>
<body>
<p>Nothing here.</p>
<p><img alt="The port said the ferry leaves at noon"> An unrelated caption.</p>
<p>The <b>port</b> said the fe<i>rr</i>y
leaves at noon&nbsp;today.</p>
<p>AT&amp;T&#8217;s  ships&mdash;all six of them&mdash;stay in port.</p>
<div>Third</div><div>sentence here now, after two blocks.</div>
</body></html>"""
TEXT = ("Nothing here.\n\nAn unrelated caption.\n\nThe port said the ferry leaves at noon today.\n\n"
        "AT&T’s ships—all six of them—stay in port.\n\nThird sentence here now, after two blocks.")


def test_words_are_found_across_tags_entities_and_line_breaks_but_not_in_the_head_or_an_attribute():
    assert lines_of(PAGE, TEXT, ["The port said the ferry leaves at noon today.",
                                 "AT&T’s ships—all six of them—stay in port.",
                                 "Third sentence here now, after two blocks."]) == [5, 7, 8]


def test_words_must_be_parted_where_the_sentence_parts_them():
    page = "<html><body><p>Portsaid the ferry leaves at noon.</p></body></html>"
    assert lines_of(page, "Port said the ferry leaves at noon.", ["Port said the ferry leaves at noon."]) == [None]
    spaced = "<html><body><p>Po rt said the ferry leaves at noon.</p></body></html>"
    assert lines_of(spaced, "Port said the ferry leaves at noon.", ["Port said the ferry leaves at noon."]) == [None]


def test_sentences_are_looked_for_in_order_and_one_that_is_not_there_has_no_line():
    page = "<html><body>\n<p>One two three four five six.</p>\n<p>Seven eight nine ten eleven twelve.</p>\n</body></html>"
    text = "Seven eight nine ten eleven twelve.\n\nOne two three four five six.\n\nNot in the file at all here."
    assert lines_of(page, text, ["One two three four five six.", "Seven eight nine ten eleven twelve.",
                                 "Not in the file at all here."]) == [None, 3, None]  # not before the one found
    assert lines_of(page, text.replace("Seven", "Sevens"), ["One two three four five six."]) == [2]


def test_an_email_address_in_angle_brackets_is_text_and_quoting_chevrons_part_words():
    mail = "From: a@b.org\n\nWrite to Ann <ann@port.org> about the ferry times.\n> the ferry leaves\n> at noon today\n"
    text = "Write to Ann <ann@port.org> about the ferry times.\n\nthe ferry leaves at noon today"
    assert lines_of(mail, text, ["Write to Ann <ann@port.org> about the ferry times.", "the ferry leaves at noon today"],
                    markup=False) == [3, 4]
