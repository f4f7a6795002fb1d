"""Who speaks, on hand-written sentences (never the seed articles, which the evaluation uses)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The ministry said on Friday that 12 people died.", ("The ministry", "say", None, None)),
    ("“We will not stop,” the mayor told reporters.", ("the mayor", "tell", None, None)),  # reporters are no outlet
    ("According to the police, three men were arrested.", ("the police", "according to", None, None)),
    ("A spokesperson for the company confirmed the deal to Reuters.",
     ("A spokesperson for the company", "confirm", "Reuters", None)),
    ("It was announced by the council that the bridge would close.", ("the council", "announce", None, None)),
    ("A source told the Financial Times that the deal was off.", ("A source", "tell", "the Financial Times", None)),
    ("Officials, who spoke on condition of anonymity, said the plan was delayed.", ("Officials", "say", None, None)),
    ("The company said profits fell, according to Bloomberg.", ("The company", "say", "Bloomberg", None)),
    ("“It is over,” said Maria Lopez, the team's coach.", ("Maria Lopez", "say", None, None)),
    ("Health Minister Jane Doe says the hospital will reopen.", ("Health Minister Jane Doe", "say", None, None)),
    ("Police expect more arrests.", ("Police", "expect", None, None)),
    ("Smith, Jones and Brown said they would appeal.", ("Smith, Jones and Brown", "say", None, None)),
    ("An official who spoke to the BBC said the border was closed.", ("An official", "say", "the BBC", None)),
    ("The union will meet on Thursday, a spokesman said.", ("a spokesman", "say", None, None)),
    ("The mayor, who was elected in 2020, denied the claims on Wednesday.", ("The mayor", "deny", None, None)),
    ("The minister was criticised by opposition leaders for the delay.",
     ("opposition leaders", "criticize", None, None)),
    ("Flights resumed on Monday, according to a statement on Tuesday.",
     ("a statement", "according to", None, None)),  # when it was said is no part of who said it
    ("Regulators approve merger, company says", ("company", "say", None, None)),  # a headline
])
def test_speaker(said, sentence, expected):
    assert said(sentence) == [expected]


@pytest.mark.parametrize("sentence", [
    "The bridge will close next week.",
    "Three men were arrested in the city.",
    "Those said to be held remain in prison.",  # a reporting verb with no subject
    "The report was published on Monday.",  # "report" the noun
    "More arrests are expected.",  # "expect" only as "X expects"
    "The company posted record profits last quarter.",  # "post" not as speech
    "Prices rose sharply in March.",
])
def test_no_statement(said, sentence):
    assert said(sentence) == [None]


def test_a_pronoun_points_back_to_the_previous_speaker(said):
    text = "The prime minister, Keir Starmer, said the talks were useful. He added that talks would continue."
    assert said(text) == [("Keir Starmer", "say", None, None), ("He", "add", None, "Keir Starmer")]


def test_a_pronoun_skips_a_speaker_it_cannot_stand_for(said):
    text = ("Anna Berg spoke at the opening on Monday. The ministry said the plan was approved. "
            "She added that work would begin soon.")
    assert said(text)[2] == ("She", "add", None, "Anna Berg")


def test_a_pronoun_with_nobody_before_it_stays_unresolved(said):
    assert said("He added that talks would continue.") == [("He", "add", None, None)]


def test_the_main_statement_is_the_one_outside_the_quote(said):
    text = "“They told us it was safe,” the resident said."
    assert said(text) == [("the resident", "say", None, None)]


@pytest.mark.parametrize(("sentence", "speaker"), [
    ("The company's chief executive, Jane Smith, said profits rose.", "Jane Smith"),
    ("The environmental group Greenpeace said the spill was worse than reported.", "Greenpeace"),
    ("The spokesman said the talks had failed.", "The spokesman"),  # no name beside it
])
def test_a_name_in_apposition_is_the_speaker(said, sentence, speaker):
    assert said(sentence)[0][0] == speaker


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The minister told the BBC in an interview that the plan would go ahead.",
     ("The minister", "tell", "the BBC", None)),
    ("A UN spokesperson told Al Jazeera that aid deliveries had resumed.",
     ("A UN spokesperson", "tell", "Al Jazeera", None)),
    ("Officials in Kyiv said Russian forces had shelled the city overnight, the Associated Press reported.",
     ("Officials in Kyiv", "say", "the Associated Press", None)),
    ("“This is a disgrace,” the senator wrote on X.", ("the senator", "write", None, None)),  # a platform, no outlet
    ("Speaking to reporters on Monday, the governor said the state would recover.",
     ("the governor", "say", None, None)),
    ("Police said a man had been arrested, adding that the investigation was continuing.",
     ("Police", "say", None, None)),
])
def test_outlets_that_relay_and_those_that_do_not(said, sentence, expected):
    assert said(sentence) == [expected]


@pytest.mark.parametrize(("sentence", "credits"), [
    # two sources in one sentence: each figure is credited to its own clause
    ("The reporter notes the delay, with the union confirming only 12 strikers hired compared to the company's claim of 300.",
     {"12": "the union", "300": "the company"}),
    ("The ministry disputed the union's count, claiming a far higher figure of 900 workers hired on Monday.",
     {"900": "The ministry"}),
    ("According to the mayor, the city has hired at least seven engineers.", {"seven": "the mayor"}),
    ("The league says the club has signed about 20 players out of what fans say is a squad of more than 40.",
     {"20": "The league", "40": "fans"}),
])
def test_each_figure_is_credited_to_who_its_clause_says_gave_it(notes_of, sentence, credits):
    [(text, notes)] = notes_of(sentence)
    found = {text[c.figure.start:c.figure.end]: text[c.speaker.start:c.speaker.end] for c in notes.credits}
    assert found == credits


def test_a_figure_credited_by_a_verb_keeps_that_verbs_clause(notes_of):
    [(text, notes)] = notes_of("The league says the club has signed about 20 players out of what fans say is a squad of more than 40.")
    scopes = {text[c.figure.start:c.figure.end]: text[c.scope.start:c.scope.end] for c in notes.credits}
    assert scopes["40"] == "what fans say is a squad of more than 40" and "signed" in scopes["20"]


def test_a_figure_in_the_outlets_own_words_is_credited_to_no_one(notes_of):
    [(_text, notes)] = notes_of("The city hired three engineers on Friday, and the union welcomed them.")
    assert notes.credits == ()
