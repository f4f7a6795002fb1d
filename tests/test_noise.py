"""Boilerplate rules, checked on the seed files: what must never be quoted, and what must stay."""

from __future__ import annotations

import pytest

from qa.ingest.boilerplate import BODY, BOILERPLATE, CAPTION, classify, split_credits
from qa.ingest.sentences import split_sentences
from tests.conftest import SEED


def kinds_of(name: str) -> dict[str, str]:
    text = (SEED / name).read_text(encoding="utf-8")
    spans = split_credits(text, split_sentences(text))  # as the build cuts them
    return {text[s:e]: k for (s, e), k in zip(spans, classify(text, spans))}


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("000_c49348b2c4adda7c.txt", "Your support helps us"),  # donation appeal
        ("000_c49348b2c4adda7c.txt", "Your donation allows us"),
        ("000_c49348b2c4adda7c.txt", "The Independent is trusted by Americans"),  # inside the appeal paragraph
        ("001_00a02d510dd7c0aa.txt", "PUBLISHED 1 HOUR AGO"),
        ("001_00a02d510dd7c0aa.txt", "(Carlos Becerra/Getty Images)"),  # a photo's credit
        ("001_00a02d510dd7c0aa.txt", "(Photo by XNY/Star Max/GC Images)"),
        ("001_00a02d510dd7c0aa.txt", "MORE STORIES"),
        ("001_00a02d510dd7c0aa.txt", "27 minutes ago"),
        ("001_00a02d510dd7c0aa.txt", "The LA County Sheriff"),  # a "more stories" link
        ("001_00a02d510dd7c0aa.txt", "STRAIGHT TO YOUR INBOX"),
        ("003_b1416d0a348ab539.txt", "Go deeper"),
        ("003_b1416d0a348ab539.txt", "Foro Penal is a Venezuelan human rights organization"),  # topic blurb
        ("003_b1416d0a348ab539.txt", "Below, we explore the key questions"),
        ("004_1fbe0b5a43a135b8.txt", "Updated: 01 FEB 25"),
        ("004_1fbe0b5a43a135b8.txt", "date 2025-02-01"),
    ],
)
def test_boilerplate_is_recognised(name, start):
    matches = [k for s, k in kinds_of(name).items() if s.startswith(start)]
    assert matches and set(matches) == {BOILERPLATE}


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("000_c49348b2c4adda7c.txt", "As of Tuesday evening, the Venezuela human rights group Foro Penal"),
        ("001_00a02d510dd7c0aa.txt", "As of Tuesday evening, Venezuelan human rights group Foro Penal"),
        ("001_00a02d510dd7c0aa.txt", "President Donald Trump weighed in"),
        ("002_4d4eadfbfc2e7dd7.txt", "At least three Americans had been freed"),
        ("003_b1416d0a348ab539.txt", "Human rights groups estimate 800 to 1,200"),  # last body line before "Go deeper"
        ("004_1fbe0b5a43a135b8.txt", "By Alejandra Jaramillo and Chris Lau, CNN"),  # a byline can answer "who wrote"
        ("004_1fbe0b5a43a135b8.txt", "In December 2023, the US secured"),
    ],
)
def test_article_text_is_kept(name, start):
    matches = [k for s, k in kinds_of(name).items() if s.startswith(start)]
    assert matches == [BODY]


def test_a_repeated_caption_is_boilerplate_even_without_a_credit():
    text = ("Body sentence one is here and it is long enough to matter.\n"
            "Protesters gather outside the prison in the capital as families wait for news\n"
            "Another body sentence follows with more words in it.\n"
            "Protesters gather outside the prison in the capital as families wait for news\n")
    spans = split_sentences(text)
    kinds = [k for (s, e), k in zip(spans, classify(text, spans)) if text[s:e].startswith("Protesters")]
    assert kinds[-1] == BOILERPLATE


def test_a_photo_caption_is_content_labelled_caption_and_its_credit_is_not():
    kinds = kinds_of("001_00a02d510dd7c0aa.txt")
    helipad = [k for s, k in kinds.items() if "after landing at a Manhattan helipad" in s]
    assert helipad and set(helipad) == {CAPTION}
    assert kinds["(Carlos Becerra/Getty Images)"] == BOILERPLATE
    text = (SEED / "001_00a02d510dd7c0aa.txt").read_text(encoding="utf-8")
    spans = split_credits(text, split_sentences(text))
    relatives = [k for (s, e), k in zip(spans, classify(text, spans)) if text[s:e].startswith("Relatives of detainees embrace")]
    assert relatives == [CAPTION, BOILERPLATE]  # printed twice on the page: shown once
