"""Who is speaking in a sentence, read off its dependency parse.

A journalist must be able to say "X said it", so attribution is found from
grammar, not from guesses: a reporting verb (one table of lemmas and their
forms, matched on lower-case words so no lemmatizer has to run) whose nominal
subject, or passive agent ("announced by the council"), is the speaker; or
"according to X". A reporting verb with no subject ("those said to be held")
is no statement; a conjoined or participial one shares its clause's subject
("X denied it, saying ..." is X saying). Of several, the root-most one outside quotation marks wins,
because a quote may itself contain "they said".

The speaker is the subject's noun phrase up to its first comma, without a
relative clause or appositive ("a person familiar with the matter, who spoke on
condition of anonymity" is "a person familiar with the matter"). An outlet that
relays the words ("told the New York Times", "confirmed ... to CNN", "according
to Reuters" beside a speaking subject) is recorded as `via`.

Works on one spaCy Doc (one sentence) and returns sentence-relative character
offsets; the pipeline maps them to document offsets and resolves pronouns.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

from qa import rules

FORMS = {form: lemma for lemma, forms in rules.table("reporting_verbs").items() for form in forms}
ACTIVE_ONLY, RAISING = rules.words("active_only"), rules.words("raising")
SPEECH_OBJECTS = {"post": rules.words("speech_objects")}
PRONOUNS, RELATIVE = rules.words("pronouns"), rules.words("relative_pronouns")
# A relayed statement reaches a reader through an outlet: a named organisation or one of these.
OUTLET_LABELS = {"ORG", "WORK_OF_ART"}
NAMED = {"PERSON", "ORG", "NORP", "GPE"}
OUTLET_NOUNS = rules.words("outlet_nouns")
NP_LEFT = {"det", "predet", "amod", "compound", "poss", "nummod", "quantmod", "nmod", "nn", "advmod", "npadvmod"}
SEPARATORS = {",", "(", "—", "–", ";", ":"}
QUOTES = {"“": 1, "”": -1, "«": 1, "»": -1}


@dataclass(frozen=True)
class Found:
    """A statement in sentence-relative character offsets."""

    speaker: tuple[int, int]
    verb: str
    via: tuple[int, int] | None
    pronoun: str | None  # the lower-cased pronoun when the speaker is one ("he"), else None


def may_report(lowered: str) -> bool:
    """Cheap pre-check on a lower-cased sentence: could it hold a statement at all?"""
    if "according to" in lowered or any(word in lowered for word in FALSITY):
        return True
    return any(word.strip(".,;:!?\"“”'’()") in FORMS for word in lowered.split())


def _depth(token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 100:
        token, depth = token.head, depth + 1
    return depth


def _quoted(doc) -> list[bool]:
    """For each token, whether it lies between quotation marks. A sentence whose first curly
    mark closes a quote began inside one (the quote opened in an earlier sentence)."""
    curly = [QUOTES[t.text] for t in doc if t.text in QUOTES]
    inside, flags = bool(curly) and curly[0] < 0, []
    for token in doc:
        mark = token.text
        if mark in QUOTES or mark == '"':
            inside = (QUOTES[mark] > 0) if mark in QUOTES else not inside
            flags.append(False)
        else:
            flags.append(inside)
    return flags


def _phrase(head) -> tuple[int, int]:
    """Token range [first, last] of `head`'s noun phrase, stopped at its first comma (unless a
    coordinated name follows: "Smith, Jones and Brown"), relative clause or participle clause."""
    doc = head.doc
    first, last = head.i, head.right_edge.i
    for child in reversed(list(head.lefts)):  # nearest first; a clause on the left is no part of the name
        if child.dep_ not in NP_LEFT or child.right_edge.i != first - 1:
            break
        first = child.left_edge.i
    conj_after = max((c.i for c in head.rights if c.dep_ == "conj"), default=-1)
    for token in doc[head.i + 1:last + 1]:
        if token.text in SEPARATORS and token.i > conj_after:
            last = token.i - 1
            break
        if token.dep_ == "relcl" or (token.dep_ == "acl" and token.head.i == head.i and token.tag_ in ("VBG", "VBN")):
            last = token.left_edge.i - 1
            break
        if token.dep_ == "prep" and token.head.i == head.i and _is_time(token):
            last = token.i - 1  # "a statement on Friday": when, not who
            break
    while first < last and (doc[first].is_punct or doc[first].is_space or doc[first].lower_ in RELATIVE):
        first += 1
    while last > first and (doc[last].is_punct or doc[last].is_space):
        last -= 1
    return first, max(last, first)


def _is_time(prep) -> bool:
    doc = prep.doc
    first, last = prep.i, prep.right_edge.i
    return any(ent.label_ in ("DATE", "TIME") and first < ent.end and ent.start <= last for ent in doc.ents)


def _named(head):
    """A description with a name in apposition is the name: "the rights group Foro Penal",
    "the company's chief executive, Jane Smith," -> the named one, which a journalist can cite."""
    if head.tag_ not in ("NN", "NNS") or head.ent_type_:
        return head
    for child in head.rights:
        if child.dep_ == "appos" and child.ent_type_ in NAMED:
            return child
    return head


def _chars(doc, tokens: tuple[int, int]) -> tuple[int, int]:
    """Character span of a token range, without white space at its edges (spaCy keeps runs of
    spaces as tokens of their own)."""
    first, last = tokens
    start, end = doc[first].idx, doc[last].idx + len(doc[last].text)
    words = doc.text[start:end]
    return start + len(words) - len(words.lstrip()), end - (len(words) - len(words.rstrip()))


def _is_outlet(doc, tokens: tuple[int, int]) -> bool:
    first, last = tokens
    if any(ent.label_ in OUTLET_LABELS and ent.start <= last and ent.end > first for ent in doc.ents):
        return True
    return any(doc[i].lower_ in OUTLET_NOUNS for i in range(first, last + 1))


def _subject(verb):
    """The speaking token of a reporting verb, or None."""
    children = list(verb.children)
    for child in children:
        if child.dep_ == "nsubj":
            if child.lower_ in RELATIVE and verb.dep_ == "relcl":
                return verb.head  # "the group, which said ..."
            if child.tag_ in ("EX", "WP", "WDT") or child.lower_ == "what":
                return None
            return child
    passive = any(child.dep_ in ("nsubjpass", "auxpass") for child in children)
    for child in children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            return objects[0] if objects else None
    if passive:
        return None
    head = verb.head
    if verb.dep_ == "acl" and head.dep_ == "ROOT" and head.tag_.startswith("NN") and any(
            child.dep_ == "ccomp" for child in itertools.chain(children, head.children)):
        # "The government, led by X, announced it would ...", "“...,” Trump posted": the parser
        # took the subject noun for the root and the main verb for its modifier
        return head
    # a shared subject: "... said X and added Y", "..., saying Y"
    shared = verb.dep_ == "conj" or (verb.dep_ in ("advcl", "xcomp") and verb.tag_ == "VBG")
    if shared and verb.head.i != verb.i and verb.head.tag_.startswith("VB"):
        return _subject(verb.head)
    return None


def _relayed(verb, lemma: str):
    """The outlet a verb's words went to: "told CNN", "confirmed ... to CNN", "in an interview with the BBC"."""
    doc = verb.doc
    for child in verb.children:
        candidates = []
        if lemma == "tell" and child.dep_ in ("dobj", "dative", "iobj"):
            candidates.append(child)
        if child.dep_ in ("prep", "dative") and child.lower_ == "to":
            candidates += [c for c in child.children if c.dep_ == "pobj"]
        if child.dep_ == "prep" and child.lower_ == "in":
            for pobj in (c for c in child.children if c.dep_ == "pobj" and c.lower_ == "interview"):
                for prep in (c for c in pobj.children if c.dep_ == "prep" and c.lower_ == "with"):
                    candidates += [c for c in prep.children if c.dep_ == "pobj"]
        for candidate in candidates:
            tokens = _phrase(candidate)
            if _is_outlet(doc, tokens):
                return tokens
    return None


def _relayed_by_speaker(head):
    """"an official who spoke to CNN", "a source speaking to Reuters": the outlet named beside the speaker."""
    for clause in head.rights:
        if clause.dep_ in ("relcl", "acl") and clause.lower_ in ("spoke", "speaking", "talked", "talking", "told"):
            found = _relayed(clause, "tell" if clause.lower_ == "told" else "speak")
            if found:
                return found
    return None


def _according(token) -> tuple[tuple[int, int], object | None] | None:
    """"according to X" at `token` -> (X's token range, X's head token or None)."""
    doc = token.doc
    if token.lower_ != "according" or token.i + 2 >= len(doc) or doc[token.i + 1].lower_ != "to":
        return None
    objects = [_named(c) for c in doc[token.i + 1].children if c.dep_ == "pobj"]
    if objects:
        return _phrase(objects[0]), objects[0]
    # a misparse ("According to X, the result ..." read with X as the subject): X runs to the comma
    first = last = token.i + 2
    while last + 1 < len(doc) and doc[last + 1].text not in SEPARATORS and not doc[last + 1].tag_.startswith("VB"):
        last += 1
    return (first, last), None


def _not_speech(verb, lemma: str) -> bool:
    """A reporting verb's form used for something else: raising ("said to be"), or "posted profits"."""
    doc = verb.doc
    if lemma in RAISING and verb.i + 1 < len(doc) and doc[verb.i + 1].lower_ == "to" and doc[verb.i + 1].dep_ == "aux":
        return True
    objects = SPEECH_OBJECTS.get(lemma)
    return objects is not None and any(c.dep_ == "dobj" and c.lower_ not in objects for c in verb.children)


class _Candidate(NamedTuple):
    quoted: bool
    depth: int
    position: int  # the reporting verb's token index
    tokens: tuple[int, int]  # the speaker's token range
    head: object | None  # the speaker's head token, when the parse gave one
    lemma: str  # "according to" for that phrase
    verb: object | None = None


def find_statement(doc) -> Found | None:
    """The main statement of a parsed one-sentence Doc, or None."""
    quoted = _quoted(doc)
    candidates: list[_Candidate] = []
    for token in doc:
        source = _according(token)
        if source is not None:
            if not (_no_one(source[1]) or doc[source[0][0]].lower_ in NO_ONE):
                candidates.append(_Candidate(quoted[token.i], _depth(token), token.i, *source, "according to"))
            continue
        lemma = FORMS.get(token.lower_)
        if lemma is None or not token.tag_.startswith("VB"):
            continue
        if _not_speech(token, lemma):
            continue
        speaker = _subject(token)
        if speaker is None or (lemma in ACTIVE_ONLY and (token.tag_ == "VBN" or speaker.dep_ == "pobj")):
            continue
        if lemma not in DENYING and _unasserted(token, lemma, speaker):
            continue  # "the navy did not say", "no official said": no one is speaking
        speaker = _named(speaker)
        candidates.append(_Candidate(quoted[token.i], _depth(token), token.i, _phrase(speaker), speaker, lemma, token))
    pool = [c for c in candidates if not c.quoted] or candidates
    if not pool:
        return None
    main = min(pool, key=lambda c: (c.depth, c.position))
    via = _relayed(main.verb, main.lemma) if main.verb is not None else None
    if via is None and main.head is not None:
        via = _relayed_by_speaker(main.head)
    if via is None and main.verb is not None:
        # "X said ..., according to Reuters" / "X said ..., the AP reported": the outlet relays what X said
        via = next((c.tokens for c in candidates if c.verb is None
                    or (c is not main and c.lemma == "report" and _is_outlet(doc, c.tokens))), None)
    speaker, relayed = _chars(doc, main.tokens), via and _chars(doc, via)
    if speaker[0] >= speaker[1]:  # only white space: no one is named
        return None
    return Found(speaker, main.lemma, relayed if relayed and relayed[0] < relayed[1] else None, _pronoun(doc, main.tokens))


def _pronoun(doc, tokens: tuple[int, int]) -> str | None:
    first, last = tokens
    word = doc[first].lower_
    return word if first == last and word in PRONOUNS else None



# What takes a figure back from the one its clause names: the grammar of denial, not any story's wording.
NO_ONE, DENYING, FALSITY = rules.words("no_one"), rules.words("denying"), rules.words("falsity")


def _no_one(head) -> bool:
    return head is not None and (head.lower_ in NO_ONE or (head.lower_ == "one" and head.i > 0 and head.doc[head.i - 1].lower_ == "no")
                                 or any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in head.children))


def _unasserted(verb, lemma: str, speaker) -> bool:
    """A reporting verb whose words the sentence does not give as its speaker's: negated ("did not
    say"), a denial ("denied that"), no one speaking ("no official said"), hearsay named by a noun
    ("rumours that the mayor said"), or a clause called false."""
    if lemma in DENYING or _no_one(speaker) or any(c.dep_ == "neg" for c in verb.children):
        return True
    if verb.dep_ in ("acl", "ccomp") and verb.head.tag_.startswith("NN") and any(c.dep_ == "mark" for c in verb.children):
        return True
    return _called_false(verb)


def _called_false(token) -> bool:
    """Whether a predicate above `token` calls the clause holding it false ("... were false", "X denied ...")."""
    for _ in range(MAX_CLIMB):
        head = token.head
        if head.i == token.i:
            return False
        if any(c.dep_ in ("acomp", "attr") and c.lower_ in FALSITY for c in head.children) and token.dep_ in (
                "nsubj", "nsubjpass", "csubj", "ccomp"):
            return True
        if FORMS.get(head.lower_) in DENYING and token.dep_ == "ccomp":
            return True
        token = head
    return False


NOT_FIGURES = {"DATE", "TIME", "ORDINAL"}
REPORTING_NOUNS = rules.words("reporting_nouns")
MAX_CLIMB = 12


def _credited(verb):
    """The speaker token of a reporting verb on a figure's path: its subject, or for an absolute
    or participial clause ("with Foro Penal confirming only 56") the noun it modifies."""
    speaker = _subject(verb)
    if speaker is None and verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.tag_.startswith("NN"):
        speaker = verb.head
    return speaker


def _figures(doc) -> list[tuple[int, int]]:
    """Token ranges [first, last] of the numbers in a sentence (tagged CD, or the recogniser's figures),
    leaving out dates, times and ordinals: the recogniser misses many a plain "900"."""
    taken = {i for ent in doc.ents if ent.label_ in NOT_FIGURES for i in range(ent.start, ent.end)}
    out: list[tuple[int, int]] = []
    for token in doc:
        if token.i in taken or token.tag_ != "CD":
            continue
        if out and out[-1][1] == token.i - 1:
            out[-1] = (out[-1][0], token.i)  # "1.5 million", "twenty one"
        else:
            out.append((token.i, token.i))
    return out


def figure_credits(doc) -> list[tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]]:
    """Who each figure is credited to by its own clause, in sentence character offsets:
    [((figure start, end), (speaker start, end), (scope start, end) or None)], the scope being the
    reporting verb's clause (its subtree). From the figure up its chain of heads, the first
    reporting verb with a speaker ("Foro Penal confirmed that 56 ..."), reporting noun with an owner
    ("the government's claim of 400") or "according to X" gives it; a figure reached by none is
    left to the sentence's statement. A sentence with two sources ("with Foro Penal confirming only
    56 ... compared to the government's claim of 400") so credits each figure to its own.
    A figure its clause takes back (denied, not said, said by no one, called false) is credited to no
    one: an empty speaker span at the figure (`Credit.asserted` is False)."""
    out: list[tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]] = []
    for first_token, last_token in _figures(doc):
        token = doc[last_token]
        speaker, tokens, scope = None, None, None
        denied = _called_false(token)
        for _ in range(MAX_CLIMB):
            according = next((found for found in map(_according, token.children) if found is not None), None)
            if according is not None:
                tokens = according[0]
                denied = denied or _no_one(according[1]) or doc[tokens[0]].lower_ in NO_ONE
                break
            lemma = FORMS.get(token.lower_)
            if lemma is not None and token.tag_.startswith("VB") and not _not_speech(token, lemma):
                speaker = _credited(token)
                if speaker is not None:
                    scope = _chars(doc, (token.left_edge.i, token.right_edge.i))
                    denied = denied or _unasserted(token, lemma, speaker)
                    break
            if token.lower_ in REPORTING_NOUNS and token.tag_.startswith("NN"):
                speaker = next((c for c in token.children if c.dep_ == "poss" and c.tag_ != "PRP$"), None)
                if speaker is not None:
                    break
            if token.head.i == token.i:
                break
            token = token.head
        if speaker is not None:
            tokens = _phrase(_named(speaker))
        if tokens is None and not denied:
            continue
        if denied:
            out.append((_chars(doc, (first_token, last_token)), (doc[first_token].idx, doc[first_token].idx), None))
            continue
        assert tokens is not None
        first, last = tokens
        while last > first and doc[last].dep_ == "case":  # "the government's": the owner, not the 's
            last -= 1
        figure = _chars(doc, (first_token, last_token))
        span = _chars(doc, (first, last))
        if span[0] < span[1] and not (span[0] < figure[1] and figure[0] < span[1]):
            out.append((figure, span, scope))
    return out
