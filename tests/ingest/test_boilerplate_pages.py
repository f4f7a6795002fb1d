"""Boilerplate rules on news pages they were not written for (tests/data/boilerplate, sources in its README).

Each page's site furniture (appeals, sign-up lines, related-story lists, comment forms, date lines) must
never be offered as an answer, and each of its article sentences must stay body text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.boilerplate import BODY, answerable, classify, split_credits
from qa.ingest.sentences import split_sentences

PAGES = Path(__file__).resolve().parent.parent / "data" / "boilerplate"

# page -> (the starts of its furniture sentences, the starts of its article sentences)
EXPECTED = {
    "lensnola-budget.txt": (
        ["Join our newsletter", "Sign up today for free", "Success!", "You're on the list"],
        ["With a noticeable absence of strife or dissent"]),
    "wina-council-budget.txt": (
        ["Latest Stories", "53 mins ago", "Today in entertainment history", "A look back at", "12 hours ago",
         "The cicadas are coming", "Billions of cicadas"],
        ["City Councilors have made", "The council will provide", "They will also restore", "There are funding requests",
         "The council will adopt"]),
    "hereshreveport-flooding.txt": (
        ["Want to target the right audience", "Sponsor our site", "Click the button below to sponsor"],
        ["Cityville has been grappling", "The National Weather Service issued", "Local officials have reported"]),
    "phatznewsroom-christie.txt": (
        ["This gallery contains"],
        ["TRENTON, N.J. (AP)", "Christie was not charged"]),
    "maineedge-briefs.txt": (
        ["This e-mail address is being protected", "You need JavaScript", "Rate this item"],
        ["BATON ROUGE, La.", "News outlets report", "It's unclear if he has"]),
    "ap-statement.txt": (
        ["© 2013 The Associated Press", "All rights reserved", "All contents ©"],
        ["The Associated Press acted carefully"]),
    "observerxtra-politics.txt": (
        ["Subscribe to get full access", "Free and paid subscriptions", "Subscribe Now"],
        []),
    # fetched after the phrases were last changed
    "hamtramck-district.txt": (
        ["Leave a Reply", "Your email address will not be published"],
        ["The news lately coming out", "Over 30 teachers have resigned", "The district is now in the hands"]),
    "reuters-delta-fire.txt": (
        [],
        ["LOS ANGELES (Reuters)", "The Delta Fire was burning", "A representative from the Shasta County"]),
    "breezecourier-speak-out.txt": (
        ["Skip to content", "Leave a Comment"],
        ["In defense of the school board", "The process has been very transparent"]),
    "avpress-wildfire.txt": (
        ["date 2021-07-01"],
        ["WEED, Calif.", "The fire covered more than", "Containment was estimated"]),
}


def kinds_of(name: str) -> list[tuple[str, str]]:
    text = (PAGES / name).read_text(encoding="utf-8")
    spans = split_credits(text, split_sentences(text))
    return [(text[s:e], kind) for (s, e), kind in zip(spans, classify(text, spans))]


def test_every_page_has_its_source_noted():
    sources = (PAGES / "README.md").read_text(encoding="utf-8")
    assert {p.name for p in PAGES.glob("*.txt")} == set(EXPECTED)
    assert all(f"| {name} | http" in sources for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_furniture_is_never_an_answer_and_article_sentences_are_body(name):
    furniture, article = EXPECTED[name]
    kinds = kinds_of(name)

    def kinds_starting(start: str) -> list[str]:
        found = [kind for sentence, kind in kinds if sentence.startswith(start)]
        assert found, f"no sentence of {name} starts with {start!r}"
        return found

    assert [s for s in furniture if any(answerable(k) for k in kinds_starting(s))] == []
    assert [s for s in article if set(kinds_starting(s)) != {BODY}] == []


@pytest.mark.parametrize("paragraph", [
    "CBS set the base rate for a 30-second advertisement at $5,000,000, a record high price for a Super Bowl ad.",
    "Residents were asked to donate blood at the two hospitals after the collapse.",
    "To subscribe or unsubscribe via the World Wide Web, visit the list's page or send a message to its owner.",
])
def test_an_articles_own_sentence_using_an_appeal_word_is_body(paragraph):
    assert classify(paragraph, [(0, len(paragraph))]) == ["body"]


def test_a_section_headed_comments_in_a_manual_is_not_the_tail_of_a_page():
    text = ("Comments\n\nThe comment character # may appear almost anywhere in a command line, and gnuplot will "
            "ignore the rest of that line.\n\nA # does not have this effect inside a quoted string.")
    spans = split_sentences(text)
    assert classify(text, spans) == ["heading", "body", "body"]
