"""Whether a date mention sits in a past, present or future clause, from the parse.

"Thursday" is last Thursday in "met on Thursday" and next Thursday in "will meet
on Thursday", so a date's governing verb is read: a modal "will"/"shall", a head
such as "is expected to" / "plans to", or "ahead of" on the way up make it
future; VBD / VBN (or "did", "had", "was" as auxiliaries) make it past; anything
else is present. Tags are the tagger's Penn tags, so no attribute ruler is needed.

Every future reading needs one of the words in FUTURE_CUE, which lets the
pipeline skip the parse of sentences that contain none of them.
"""

from __future__ import annotations

import itertools
import re

FUTURE_CUE = re.compile(r"\b(?:will|wo|won|shall|ll|going|expect\w*|schedul\w*|set|due|plan\w*|intend\w*|"
                        r"slated|poised|aim\w*|ahead)\b")
FUTURE_AUX = {"will", "wo", "shall", "'ll", "’ll", "ll"}
FUTURE_HEADS = {"expected", "expect", "expects", "scheduled", "set", "due", "plans", "plan", "planned", "planning",
                "intends", "intend", "aims", "aim", "slated", "poised", "going"}
PAST_AUX = {"did", "had", "was", "were"}


def may_be_future(lowered: str) -> bool:
    """Cheap pre-check on a lower-cased sentence: could any clause in it be future?"""
    return FUTURE_CUE.search(lowered) is not None


def _verb_tense(verb) -> str:
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if aux & FUTURE_AUX or verb.lower_ in FUTURE_HEADS:
        return "future"
    if verb.dep_ == "xcomp" and verb.head.lower_ in FUTURE_HEADS:
        return "future"  # "is expected to meet", "plans to visit"
    if verb.tag_ in ("VBD", "VBN") or aux & PAST_AUX:
        return "past"
    return "present"


def tense_of(doc, start: int, end: int) -> str:
    """"past", "present" or "future" for the mention doc.text[start:end], from its governing verb."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return "present"
    for token in itertools.chain([span.root], span.root.ancestors):
        if token.lower_ == "of" and token.i > 0 and doc[token.i - 1].lower_ == "ahead":
            return "future"  # "ahead of a visit on Thursday"
        if token.tag_.startswith("VB") or token.tag_ == "MD":
            return _verb_tense(token)
    return "present"
