"""What "He added, ..." points back to: the antecedent of a pronoun speaker.

A quote attributed to "he" is useless to a journalist unless it can be tied to a
name. News copy names the speaker and then continues with a pronoun, so the
antecedent is the speaker of the nearest earlier statement (a few sentences
back at most) that the pronoun can stand for, else the last fitting named
entity. Fit is judged on the phrase's last word (its head in English noun
phrases) and on a named entity ending there: "he" cannot be "the ministry",
"it" cannot be "a senior official". Only earlier sentences are searched.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.annotate.records import Entity, Span, Statement

LOOK_BACK = 4  # sentences
RESOLVED = ("he", "she", "it", "they")  # "we" and "I" speak from inside a quote and name no one
NOT_A_PERSON = {"ORG", "GPE", "NORP", "FAC", "LOC"}
NON_HUMAN_HEADS = {
    "government", "administration", "ministry", "department", "group", "organization", "organisation", "agency",
    "company", "party", "office", "court", "council", "committee", "commission", "union", "army", "military",
    "police", "embassy", "campaign", "network", "newspaper", "statement", "report", "un", "authority", "country",
}
HUMAN_HEADS = {
    "official", "spokesperson", "spokesman", "spokeswoman", "source", "person", "president", "minister", "leader",
    "man", "woman", "senator", "secretary", "envoy", "mayor", "governor", "aunt", "uncle", "mother", "father",
    "son", "daughter", "wife", "husband", "lawyer", "activist", "director", "chief", "head", "ambassador",
    "prosecutor", "judge", "witness", "resident", "analyst", "expert", "sister", "brother", "relative",
}
FALLBACK_LABELS = {"he": {"PERSON"}, "she": {"PERSON"}, "it": {"ORG", "GPE"}, "they": {"ORG", "NORP", "GPE", "PERSON"}}


def _fits(pronoun: str, span: Span, text: str, entities: Sequence[Entity]) -> bool:
    words = text[span.start:span.end].lower().split()
    head = words[-1].strip(".,'’\"”") if words else ""
    named = {e.label for e in entities if e.end == span.end and e.start >= span.start}
    if pronoun in ("he", "she"):
        return head not in NON_HUMAN_HEADS and not (named & NOT_A_PERSON) and head not in ("it", "they", "we")
    if pronoun == "it":
        return head not in HUMAN_HEADS and "PERSON" not in named and head not in ("he", "she", "they", "i")
    return True


def antecedent(pronoun: str, k: int, statements: Sequence[Statement | None], pronouns: Sequence[str | None],
               entities: Sequence[Sequence[Entity]], text: str) -> Span | None:
    """For a pronoun speaking in sentence k of a document: the span it most likely refers to, or None.

    `statements`, `pronouns` and `entities` hold, per earlier sentence of the document, its
    statement, its speaker's pronoun (or None) and its entities, in document offsets."""
    if pronoun not in RESOLVED:
        return None
    everything = [e for group in entities for e in group]
    for j in range(k - 1, max(-1, k - 1 - LOOK_BACK), -1):
        statement = statements[j]
        if statement is None:
            continue
        target = statement.refers_to if pronouns[j] else statement.speaker
        if target is not None and _fits(pronoun, target, text, everything):
            return target
    wanted = FALLBACK_LABELS[pronoun]
    for j in range(k - 1, max(-1, k - 1 - LOOK_BACK), -1):
        for entity in reversed(entities[j]):
            if entity.label in wanted:
                return Span(entity.start, entity.end)
    return None
