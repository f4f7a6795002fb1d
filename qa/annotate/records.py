"""What the annotation stage says about one sentence, and its compact JSON form.

Every offset is a DOCUMENT offset (into the full text, as sentence spans are),
so a consumer can quote `text[start:end]` without knowing how the sentence was
cut out. The records are stored in the index as JSON lines, so they carry a
compact, explicit JSON form (never pickle): short keys, empty parts left out,
spans as [start, end] pairs.
"""

from __future__ import annotations

from typing import Any

from qa.records import Credit, DateMention, Entity, SentenceNotes, Span, Statement

__all__ = ["EMPTY", "Credit", "DateMention", "Entity", "SentenceNotes", "Span", "Statement", "notes_from_json", "notes_to_json"]


EMPTY = SentenceNotes()


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def _unspan(pair: list[int] | None) -> Span | None:
    return None if pair is None else Span(int(pair[0]), int(pair[1]))


def notes_to_json(notes: SentenceNotes) -> dict[str, Any]:
    """{"e": [[label, start, end], ...], "s": {...}, "d": [[start, end, date, start_date, end_date], ...],
    "c": [[figure start, end, speaker start, end(, scope start, end)], ...]}."""
    out: dict[str, Any] = {}
    if notes.entities:
        out["e"] = [[e.label, e.start, e.end] for e in notes.entities]
    if notes.statement:
        s = notes.statement
        statement: dict[str, Any] = {"who": _span(s.speaker), "verb": s.verb}
        if s.via:
            statement["via"] = _span(s.via)
        if s.refers_to:
            statement["ref"] = _span(s.refers_to)
        out["s"] = statement
    if notes.dates:
        out["d"] = [[d.start, d.end, d.date, d.start_date, d.end_date] for d in notes.dates]
    if notes.credits:
        out["c"] = [[c.figure.start, c.figure.end, c.speaker.start, c.speaker.end]
                    + ([c.scope.start, c.scope.end] if c.scope else []) for c in notes.credits]
    return out


def notes_from_json(obj: dict[str, Any]) -> SentenceNotes:
    """The inverse of notes_to_json."""
    entities = tuple(Entity(str(label), int(start), int(end)) for label, start, end in obj.get("e", ()))
    statement = None
    if obj.get("s"):
        s = obj["s"]
        who = s["who"]
        statement = Statement(Span(int(who[0]), int(who[1])), str(s["verb"]), _unspan(s.get("via")), _unspan(s.get("ref")))
    dates = tuple(DateMention(int(a), int(b), day, first, last) for a, b, day, first, last in obj.get("d", ()))
    credits = tuple(Credit(Span(int(c[0]), int(c[1])), Span(int(c[2]), int(c[3])),
                           Span(int(c[4]), int(c[5])) if len(c) > 4 else None) for c in obj.get("c", ()))
    return SentenceNotes(entities, statement, dates, credits)
