"""Web pages: the article in, the site around it out, and what the page says about itself."""

from __future__ import annotations

import random

import pytest

from qa.ingest.readers import Unreadable, read
from qa.ingest.readers.html import FALLBACK_NOTE, extract
from scripts.make_documents import BOILERPLATE, news_page, paragraph

PARAGRAPHS = [
    "Six Americans who had been imprisoned in Venezuela were released on Tuesday, officials in Washington said.",
    "The talks began last autumn in Mexico City and involved envoys from both countries, three people said.",
    "Families of the freed men said they were overjoyed and thanked the negotiators for their persistence.",
    "The men are expected to fly home on Wednesday morning after medical checks in Caracas, the officials said.",
]


@pytest.fixture(scope="module")
def article():
    return read(news_page(3, paragraphs=PARAGRAPHS), "story.html")


def test_the_article_paragraphs_are_the_text_each_its_own_block(article):
    blocks = article.text.split("\n\n")
    assert blocks[0] == "Council approves harbour budget after long debate"  # the headline, its own line
    for p in PARAGRAPHS:
        assert p in blocks
    assert article.format == "html" and article.notes == ()


def test_none_of_the_site_around_the_article_is_in_the_text(article):
    for name, words in BOILERPLATE.items():
        if name != "nav":
            assert words.split(". ")[0] not in article.text, name
    assert not set(BOILERPLATE["nav"].split()) & set(article.text.split())
    for absent in ("More stories", "Comments", "Accept all cookies", "do not index me", "color: red"):
        assert absent not in article.text


def test_metadata_is_the_pages_own_with_the_publication_date_not_the_modified_one(article):
    meta = article.metadata
    assert (meta.title, meta.publisher, meta.author, meta.date, meta.url) == (
        "Council approves harbour budget after long debate", "The Daily Ledger", "Jane Doe", "2024-03-05",
        "https://ledger.example.com/politics/harbour-budget")
    assert set(meta.origins) == {(f, "html-meta") for f in ("title", "publisher", "author", "date", "url")}


def test_a_page_with_no_main_text_falls_back_to_its_visible_text_with_a_note():
    page = b"<html><body><footer><p>Polls close at eight tonight in every district.</p></footer></body></html>"
    result = read(page, "x.html")
    assert result.text == "Polls close at eight tonight in every district."
    assert result.notes == (FALLBACK_NOTE,)


def test_a_fragment_of_the_page_falls_back_too():
    page = (b"<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
            b"<div class='footer'>Polls close at eight tonight in every district.</div></body></html>")
    result = read(page, "x.html")
    assert result.text == "Home World\n\nPolls close at eight tonight in every district."
    assert result.notes == (FALLBACK_NOTE,)


def test_a_short_page_that_is_all_main_text_needs_no_fallback():
    result = read(b"<html><body><div>Polls close at eight.</div></body></html>", "x.html")
    assert (result.text, result.notes) == ("Polls close at eight.", ())


def test_a_latin1_declared_page_decodes_as_browsers_do():
    words = "El se\u00f1or Mu\u00f1oz abri\u00f3 su caf\u00e9 en Caracas el martes, dijeron los vecinos, tras a\u00f1os de espera."
    page = news_page(1, paragraphs=[words, "Un \u201cgran d\u00eda\u201d, dijo, y cost\u00f3 5 \u20ac." + " M\u00e1s texto." * 8],
                     charset="cp1252")
    page = page.replace(b'charset="cp1252"', b'charset="iso-8859-1"')
    text = read(page, "x.html").text
    assert words in text and "Un \u201cgran d\u00eda\u201d, dijo, y cost\u00f3 5 \u20ac." in text


def test_a_utf8_page_that_declares_latin1_is_still_utf8():
    page = news_page(2, paragraphs=["Caf\u00e9 owners in S\u00e3o Paulo protested on Monday. " * 3]).replace(
        b'charset="utf-8"', b'charset="iso-8859-1"')
    assert "Caf\u00e9 owners in S\u00e3o Paulo" in read(page, "x.html").text


def test_a_date_only_in_free_text_is_not_taken_for_the_publication_date():
    body = "<p>" + "The council met to discuss the budget for schools and roads in the district. " * 3 + "</p>"
    page = f"<html><head><title>Budget</title></head><body><article>{body}</article><footer>\u00a9 2023 Ledger</footer></body></html>"
    assert read(page.encode(), "x.html").metadata.date is None


def test_list_items_and_table_cells_are_blocks_of_their_own_without_markup():
    body = ("<p>" + "The results of the vote in each district were published on Monday by the commission. " * 2 + "</p>"
            "<ul><li>North district counted all of its ballots</li><li>South district counted half of them</li></ul>"
            "<table><tr><th>Candidate</th><th>Votes</th></tr><tr><td>Ana Ruiz</td><td>1,204</td></tr></table>")
    text = read(f"<html><body><article>{body}</article></body></html>".encode(), "x.html").text
    assert "North district counted all of its ballots\n\nSouth district counted half of them" in text
    assert "Candidate\n\nVotes\n\nAna Ruiz\n\n1,204" in text  # no sentence runs from one cell into the next
    assert "|" not in text and "- North" not in text


def test_empty_and_binary_files():
    assert read(b"", "x.html").text == ""
    with pytest.raises(Unreadable, match="^looks binary$"):
        read(b"\x00\x01\x02garbage", "x.html")


def test_varied_pages_keep_their_paragraphs_and_drop_their_boilerplate():
    for seed in range(12):
        rng = random.Random(seed)
        paragraphs = [paragraph(rng, 3) for _ in range(5)]
        result = read(news_page(seed, paragraphs=paragraphs), f"{seed}.html")
        assert all(p in result.text for p in paragraphs), seed
        assert not any(b in result.text for b in (BOILERPLATE["ad"], BOILERPLATE["cookie"], BOILERPLATE["comment"]))


PARA = "<p>Hash algorithms live in this module, and the sections below document each of them at length.</p>"
NOTE = "If you want the adler32 or crc32 hash functions, they are available in the zlib module."


def test_a_note_holding_a_link_inside_the_article_is_read_and_a_box_after_it_is_not():
    """Precision mode drops a short paragraph with a link (a Sphinx note) as it drops a "more stories" box;
    the balanced pass's blocks between two kept ones are the article's own."""
    page = (f"<html><head><title>hashlib</title></head><body><nav><a href='a'>Home</a> <a href='b'>News</a></nav>"
            f"<article><h1>hashlib</h1>{PARA}<div class='admonition note'><p>{NOTE.replace('zlib', '<a href=z>zlib</a>')}"
            f"</p></div>{PARA.replace('Hash', 'Other hash')}</article><div class='related'><h3>More stories</h3><ul>"
            "<li><a href='x'>Quake kills 40 in the north of the country</a></li>"
            "<li><a href='y'>Storm hits the coast again this week</a></li></ul></div></body></html>")
    text = extract(page).text
    assert NOTE in text and text.index(NOTE) < text.index("Other hash")
    assert "Quake kills" not in text and "More stories" not in text
