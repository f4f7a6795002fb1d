"""Who says what: the values the documents give for what a question asks, grouped into claims.

For a question that asks for a figure, a name, a date or a place, every candidate
sentence qa would show (calibrated score at or above --min-score) that gives such a
value is read: the value from the build's entities (and, for figures, the words that
qualify them: "about 50", "more than 100"), who the sentence says gave it (its
statement's speaker; none when the outlet states it in its own voice). Sentences
giving the same value are one claim, with every document that reports it in its own
words; a figure read differently but resting on the same number from the same kind
of speaker ("over 400" from the government, beside its 400) joins that claim marked
compatible. The sources agree when one claim remains, and differ otherwise.

A value must say what was asked, not merely stand in a relevant sentence:
- a figure counts what was asked about: when the words after it name what it counts,
  they must be (a near-synonym of) the question's noun ("56 prisoners" answers "how
  many prisoners", "four Americans" does not);
- the words around a value (its part of the sentence: up to the next value) must carry
  the question's other words ("released", "leads"), exactly or as a near-synonym,
  unless it refers back with "the count", "a figure of" to the sentence before, which
  then carries them; when a sentence gives several values, the best carried wins;
- when the question names who gave the figure ("what does the government say"), only
  that speaker's values count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa import rules
from qa.annotate.dates import MONTHS
from qa.answer.amounts import FIGURE, VAGUE, compatible, read
from qa.answer.select import threshold
from qa.index.loaded import Index
from qa.index.notes import fold
from qa.index.word_vectors import MATCH
from qa.rank import model
from qa.rank.model import Candidate
from qa.records import Amount, Answer, Claim, ClaimSource, Entity, Passage
from qa.retrieve.query import Query
from qa.retrieve.question import NUMBER, Asked

KINDS = {"PERSON": "person", "ORG": "organization", "NORP": "organization", "GPE": "place", "LOC": "place",
         "FAC": "place", "DATE": "date", "TIME": "date"}
_GENERIC, _PEOPLE = rules.words("generic_nouns"), rules.words("people_nouns")
_DETERMINERS, _NOT_COUNTED = rules.words("counted_determiners"), rules.words("not_counted")
_TARGET = re.compile(r"\bhow (?:many|much) ((?:[a-z’'.-]+ ){0,3}?[a-z’'.-]+?)(?= (?:are|were|was|is|have|has|had|did|do|does|"
                     r"been|will|would|could|can|remain|still)\b|\?|$)|\b(?:number|count|tally|figure|total) of ([a-z’'. -]+)")
_AUX, _REPORTING = rules.words("question_function_words"), rules.words("attributing_words")
_WHO_IS = re.compile(r"^\s*(?:who|what)\s+(?:is|was|are|were)\s+(?:the\s+)?[A-Z]?[\w’'.-]+(?:\s+[\w’'.-]+){0,3}\s*\??\s*$",
                     re.IGNORECASE)
_KIND_WORD = re.compile(r"\b(?:what|which)\s+(?:is |was |were |are )?(?:the )?([a-z]+)")
_MONTH_BEFORE = re.compile(r"\b(?:" + "|".join(m for m in MONTHS if len(m) > 3) + r")\.? $", re.IGNORECASE)
# "a far higher figure of 400": a count compared with one given before, whose sentence says what it counts
_ANAPHORIC = re.compile(r"\b(?:higher|lower|larger|smaller|bigger|greater|different|similar|same|revised|new|own) "
                        r"(?:count|figure|tally|number|total|estimate|toll)s? of $", re.IGNORECASE)
CLAIM_POOL = 60  # the most relevant candidates whose values are gathered into claims
KEEP = 0.5  # a value is kept when its support times its sentence's score reaches this share of the best


@dataclass(frozen=True)
class _Found:
    row: int
    value: str
    start: int  # document offsets of the value
    end: int
    kind: str
    amount: Amount | None
    key: str  # what makes two values the same claim
    speaker: str | None
    scope: tuple[int, int] | None = None  # the clause of the reporting verb that credits a figure
    support: float = 0.0  # share of the question's other words its sentence carries
    nearness: float = 0.0  # the same, weighed by how near the value they stand


def target_noun(question: str) -> str | None:
    """The noun a "how many" question counts: "how many political prisoners were freed" -> prisoners."""
    match = _TARGET.search(question.lower())
    if not match:
        return None
    words = [w for w in (match.group(1) or match.group(2) or "").split() if w not in _AUX]
    return words[-1].strip(".’'") if words else None


def _counted(text: str, end: int, vague: bool = False, target: str | None = None) -> tuple[list[str], int]:
    """The words right after a figure that may name what it counts ("political prisoners"; after "of" for
    "dozens of prisoners"), and where they end: at the target noun when they reach it ("prisoners
    remain" counts prisoners; "remain" says what happened to them)."""
    words: list[str] = []
    stop, last = end, ""
    for m in _WORDS.finditer(text, end, min(len(text), end + 80)):
        word = m.group().lower().strip("’'")
        gap = text[stop:m.start()].strip(" ")
        if vague and not words and word == "of" and not gap:
            stop = m.end()
            continue
        if (gap and not (gap == "." and len(last) == 1)) or word in _NOT_COUNTED or len(words) == 3:
            break  # punctuation (not the dots of "U.S."), a verb or preposition, or enough words
        if word not in _DETERMINERS and len(word) > 1:  # not "the", nor the letters of "U.S."
            words.append(word)
        stop, last = m.end(), word
        if target is not None and word.rstrip("s") == target.rstrip("s"):
            break
    return words, stop


def _counts_the_target(index: Index, text: str, end: int, target: str | None, vague: bool = False,
                       capitalised: bool = False) -> bool:
    """Whether the words after a figure, if they name what it counts, name (a near-synonym of) the target:
    "at least five Spanish citizens" counts citizens; "four Americans" does not count prisoners."""
    words, _ = _counted(text, end, vague, target)
    if target is None or not words or any(w in _GENERIC for w in words):
        return True
    if any(w in _PEOPLE for w in words) and not capitalised:
        return True  # "about 50 people" released are prisoners; they are not all Americans
    stem = target.rstrip("s")
    if any(w.rstrip("s") == stem for w in words):
        return True
    known = [v for v in map(index.word_vector, words) if v is not None]
    aim = index.word_vector(target)
    if aim is None or not known:
        return True  # words the corpus vocabulary lacks cannot be judged
    return max(float(v @ aim) for v in known) >= MATCH


_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})(?:\s*([ap])\.?\s?m\b\.?)?", re.IGNORECASE)


def _date_key(p: Passage, start: int, end: int) -> str:
    text = p.words(start, end)
    clock = _CLOCK.search(text)
    if clock and int(clock[1]) < 24 and int(clock[2]) < 60:  # "4:17 a.m." and "04:17" are one time
        hour = int(clock[1]) % 12 + (12 if (clock[3] or "").lower() == "p" else 0) if clock[3] else int(clock[1])
        return f"time:{hour:02d}:{clock[2]}"
    for d in p.dates:
        if d.start < end and start < d.end and (d.date or d.start_date):
            return f"date:{d.date or d.start_date}:{d.end_date or ''}"
    words = fold(text)
    months = re.findall(r"[a-z]+", words)
    days = re.findall(r"\d+", words)
    return f"date:{' '.join(sorted(months))}:{' '.join(days)}"  # "3 january" and "january 3" alike


def _speaker(p: Passage) -> str | None:
    """Who the sentence says is speaking. A pronoun stands for its antecedent only when it opens the
    sentence ("He added, ..."); one inside it ("prisoners it says were held") reports something else."""
    if p.statement is None or p.antecedent is None:
        return p.speaker()
    return p.antecedent if len(_WORDS.findall(p.words(p.start, p.statement.speaker.start))) <= 2 else None


_WORDS = re.compile(r"[^\W\d_][\w’'-]*", re.UNICODE)
NEAR = 6  # words: a word this far from a value counts half


def _matcher(index: Index, wanted: list[str]) -> Callable[[str], frozenset[str]]:
    """match(word) -> the wanted words a sentence word says, by stem or as a near-synonym (word vectors)."""
    stems = {w: set(index.terms(w)) for w in wanted}
    vectors = {w: v for w in wanted if (v := index.word_vector(w)) is not None}
    cache: dict[str, frozenset[str]] = {}

    def match(word: str) -> frozenset[str]:
        word = word.lower()
        if word not in cache:
            own = set(index.terms(word))
            hit = {w for w in wanted if stems[w] & own}
            mine = index.word_vector(word)
            if mine is not None:
                hit |= {w for w, v in vectors.items() if float(v @ mine) >= MATCH}
            cache[word] = frozenset(hit)
        return cache[word]

    return match


def _support(says: Callable[[str], frozenset[str]], wanted: list[str], text: str, start: int, end: int,
             previous: str | None) -> tuple[float, float]:
    """How well the words around a value carry the question's other words: (the share of them its
    sentence, or the sentence before it refers to, holds; the same with each weighed by its nearest
    occurrence, 1 beside the value and half at NEAR words, which tells apart two values of one sentence)."""
    if not wanted:
        return 1.0, 1.0
    best = dict.fromkeys(wanted, 0.0)
    spans = [(m.start(), m.end(), m.group()) for m in _WORDS.finditer(text)]
    first = next((i for i, (a, _b, _w) in enumerate(spans) if a >= start), len(spans))  # the value's first word
    last = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][1] <= end), first - 1)  # and its last
    for i, (a, _b, word) in enumerate(spans):
        if start <= a < end:
            continue
        gap = first - i - 1 if i < first else i - last - 1
        weight = 1.0 / (1.0 + max(gap, 0) / NEAR)
        for w in says(word) & best.keys():
            best[w] = max(best[w], weight)
    if previous is not None:
        for m in _WORDS.finditer(previous):
            for w in says(m.group()) & best.keys():
                best[w] = max(best[w], 0.5)
    return sum(v > 0 for v in best.values()) / len(wanted), sum(best.values()) / len(wanted)


def other_words(question: str, asked: Asked, target: str | None) -> list[str]:
    """The question's content words that are not its wh-words, what it counts, a name it mentions or a
    reporting verb: what a value's part of the sentence should carry ("released" in "how many were released")."""
    from qa.index.word_vectors import words_of

    named = {w for name in asked.names for w in name.split()}
    kind = _KIND_WORD.search(question.lower())  # "what date", "which city": the kind of answer, not a word to carry
    out = []
    for w in words_of(question):  # what the figure counts is checked apart; its qualifiers ("political") stay
        if w in named or w in _REPORTING or w in _AUX or w == target or fold(w) in named or (kind and w == kind.group(1)):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def predicate_words(question: str, target: str | None, wanted: list[str]) -> list[str]:
    """The words a "how many X ..." question says about X after naming it ("were released", "remain"):
    a figure answers only when its sentence says them too, so "800 political prisoners remain" does
    not answer how many were released, though it counts prisoners."""
    if target is None:
        return []
    match = re.search(rf"\b{re.escape(target)}\b", question.lower())
    if match is None:
        return []
    after = set(_WORDS.findall(question.lower()[match.end():]))
    return [w for w in wanted if w in after]


def _values(index: Index, p: Passage, asked: Asked, target: str | None, wanted_words: list[str],
            says: Callable[[str], frozenset[str]], predicate: Sequence[str] = (), capitalised: bool = False) -> list[_Found]:
    # offsets into the sentence's own text; a value's are document offsets (+ s0)
    row, text, s0, s1 = p.row, p.text, p.start, p.start + len(p.text)
    speaker = _speaker(p)
    entities: Sequence[Entity] = p.entities
    credits = p.credits  # figures credited by their own clause ("the government's claim of 400")
    found: list[_Found] = []
    if asked.wants & NUMBER:
        other_count, bare = False, []  # a figure naming nothing it counts, in a sentence counting something else
        dates = [(d.start - s0, d.end - s0) for d in p.dates]
        ordinal = [(e.start - s0, e.end - s0) for e in entities if e.label == "ORDINAL"]
        for match in FIGURE.finditer(text):
            start, end = match.start(), match.end()
            if any(a < end and start < b for a, b in dates + ordinal) or _MONTH_BEFORE.search(text, max(0, start - 12), start):
                continue  # a date, or a day of a month the recogniser missed ("JANUARY 5:")
            amount = read(match.group())
            if amount is None or match.group().lower() in asked.folded.split():
                continue
            vague = match.group().lower() in VAGUE
            if not _counts_the_target(index, text, end, target, vague, capitalised):
                other_count = True
                continue
            if match.group().lower() == "one" and text[end:end + 4].lower() == " of ":
                continue  # "one of several demands" is no count
            credit = next((c for c in credits if c.figure.start < end + s0 and start + s0 < c.figure.end), None)
            if credit is not None and not credit.asserted:
                continue  # denied, never said, or said by no one: no one's figure
            credited = credit.speaker if credit else None
            scope = (credit.scope.start, credit.scope.end) if credit and credit.scope else None
            if not _counted(text, end, vague, target)[0]:
                bare.append(len(found))
            found.append(_Found(row, match.group(), start + s0, end + s0, "number", amount,
                                f"number:{amount.low}:{amount.high}:{amount.approximate}",
                                p.words(credited.start, credited.end) if credited else speaker, scope))
        if other_count:  # "56 political prisoners freed compared to the government's claim of 400": 400 prisoners too
            found = [v for i, v in enumerate(found) if i not in bare]
    statement = p.statement
    if asked.said and asked.wants & {"PERSON", "ORG"} and statement is not None:  # "who said ...": its speaker
        span = statement.speaker
        value = p.words(span.start, span.end)
        if fold(value) not in asked.folded:
            kind = next((KINDS.get(e.label, "other") for e in entities if span.start <= e.start and e.end <= span.end), "person")
            found.append(_Found(row, value, span.start, span.end, kind, None, f"{kind}:{fold(value)}", None))
    for e in entities:
        if e.label not in asked.wants or e.label in NUMBER or (e.label == "NORP" and asked.wants != {"NORP"}):
            continue  # a nationality answers only "what nationality", not "who"
        if found and found[0].start <= e.start and e.end <= found[0].end:
            continue  # the name inside a speaker already found
        value = p.words(e.start, e.end)
        folded = fold(value)
        if not folded or folded in asked.folded or any(name in folded or folded in name for name in asked.names):
            continue
        kind = KINDS.get(e.label, "other")
        key = _date_key(p, e.start, e.end) if kind == "date" else f"{kind}:{folded}"
        found.append(_Found(row, value, e.start, e.end, kind, None, key, speaker))
    if not found:
        return found
    previous = index.passage(row - 1).text if index.same_document(row - 1, row) else None
    scored = []
    for v in found:
        anaphoric = previous if _ANAPHORIC.search(text, max(0, v.start - s0 - 40), v.start - s0) else None
        # what a figure counts ("more than 800 political prisoners") is no evidence of what happened to them
        own_end = _counted(text, v.end - s0, v.value.lower() in VAGUE, target)[1] + s0 if v.kind == "number" else v.end
        support, nearness = _support(says, wanted_words, text, v.start - s0, own_end - s0, anaphoric)
        if v.kind == "number" and predicate:
            c0, c1 = _clause(text, *((v.scope[0] - s0, v.scope[1] - s0) if v.scope else (0, s1 - s0)), v.start - s0, own_end - s0)
            if not _support(says, list(predicate), text[c0:c1], v.start - s0 - c0, own_end - s0 - c0, anaphoric)[0]:
                continue  # it counts what was asked about, but its clause says nothing of what was asked of it
        scored.append(_Found(**{**v.__dict__, "support": support, "nearness": nearness}))
    if not scored:
        return scored
    best: dict[str, float] = {}  # a sentence gives one value for the thing asked, per source it credits
    for v in scored:
        best[_speaker_head(v.speaker)] = max(best.get(_speaker_head(v.speaker), 0.0), v.nearness)
    return [v for v in scored if v.support > 0 and v.nearness == best[_speaker_head(v.speaker)]]


_CLAUSE_END = re.compile(r"\s[—–-]\s|[;:()]")


def _clause(text: str, s0: int, s1: int, start: int, end: int) -> tuple[int, int]:
    """The part of the sentence text[s0:s1] holding text[start:end], between dashes, semicolons,
    colons or brackets: "more than 100 ... had been released – a figure that ... still ... held"."""
    before = [m.end() for m in _CLAUSE_END.finditer(text, s0, start)]
    after = _CLAUSE_END.search(text, end, s1)
    return (before[-1] if before else s0), (after.start() if after else s1)


def _asked_speaker(question: str, asked: Asked, values: list[_Found]) -> set[str]:
    """The words naming who gave the figure, when the question asks what someone said or confirmed and
    names one of the speakers found ("what does the government say", "has Foro Penal confirmed")."""
    from qa.index.word_vectors import words_of

    words = set(words_of(question))
    if not set(_WORDS.findall(question.lower())) & _REPORTING:  # words_of drops "said", "according"
        return set()
    spoken = {_speaker_head(v.speaker) for v in values if v.speaker}
    named = {w for name in asked.names for w in name.split()}
    return (words | named) & spoken - _REPORTING


def _speaker_head(speaker: str | None) -> str:
    words = fold(speaker).split() if speaker else []
    return words[-1] if words else ""


def _dated_as_asked(p: Passage, question: str) -> bool:
    """False when the question names a year that the sentence's own dates, or else its document's
    date, contradict ("released in 2025" is not answered by a January 2026 release)."""
    years = set(re.findall(rf"\b{rules.YEAR}\b", question))
    if not years:
        return True
    found = [day for d in p.dates if (day := d.date or d.start_date)]
    if not found:
        found = [p.citation.date] if p.citation.date else []
    return not found or any(day[:4] in years for day in found)


def add(index: Index, query: Query, answer: Answer, ranked: list[Candidate], min_score: float | None) -> Answer:
    """The answer with who says what, read from the candidates qa would quote (at or above the threshold)."""
    if not answer.answered:
        return answer
    ranker, bar = model.load(), threshold(query, min_score)
    shown = [c for c in ranked[:CLAIM_POOL] if ranker.calibrated(c) >= bar]
    found, agreement = gather(index, query.asked, query.text, shown, ranker.calibrated)
    return replace(answer, claims=found, agreement=agreement)


def gather(index: Index, asked: Asked, question: str, shown: Sequence[Candidate],
           score: Callable[[Candidate], float]) -> tuple[tuple[Claim, ...], str | None]:
    """The claims for a question, and whether the sources agree; ((), None) when it asks for no value."""
    if not asked.wants or asked.statement or _WHO_IS.match(question):
        return (), None  # "who is Jorge Rodríguez" asks what he is, not for a name
    target = target_noun(question) if asked.wants & NUMBER else None
    wanted_words = other_words(question, asked, target)
    predicate = predicate_words(question, target, wanted_words)
    capitalised = target is not None and re.search(rf"\b{re.escape(target.capitalize())}\b", question) is not None
    says = _matcher(index, wanted_words)
    relevance = {c.row: score(c) for c in shown}
    passages = [index.passage(c.row) for c in shown]
    values = [v for p in passages if _dated_as_asked(p, question)
              for v in _values(index, p, asked, target, wanted_words, says, predicate, capitalised)]
    if values:  # the values best carried by the most relevant sentences; the rest are about something else
        def weight(v: _Found) -> float:
            # a figure's predicate spans its clause ("56 prisoners ... had been freed"); a name's role stands beside it
            return (v.support if v.kind == "number" else v.nearness) * relevance[v.row]

        top = max(map(weight, values))
        values = [v for v in values if weight(v) >= KEEP * top]
    speakers = _asked_speaker(question, asked, values)
    if speakers:
        values = [v for v in values if _speaker_head(v.speaker) in speakers]
    groups: dict[str, list[_Found]] = {}
    for v in values:
        groups.setdefault(v.key, []).append(v)
    # a compatible reading from the same kind of speaker joins the claim on the same figure; a surname
    # alone ("Rodríguez") joins the one full name found that ends with it ("Delcy Rodríguez")
    merged: dict[str, list[tuple[_Found, bool]]] = {}
    for key, items in sorted(groups.items(), key=lambda kv: -kv[0].count(" ")):  # fuller names first
        first = items[0]
        home = next((k for k, members in merged.items() if first.amount and members[0][0].amount
                     and compatible(first.amount, members[0][0].amount)
                     and _speaker_head(first.speaker) == _speaker_head(members[0][0].speaker)), None)
        if home is None and first.kind in ("person", "organization"):
            # a shorter name joins the one fuller name ending with it ("Rodríguez", "Delcy Rodríguez";
            # "Foro Penal", "Venezuelan human rights group Foro Penal"); an organisation's first word
            # alone the one starting with it ("Foro", "Foro Penal")
            kind, word = key.split(":", 1)
            fuller = [k for k in merged if k.startswith(kind + ":") and (k.endswith(" " + word) or (
                kind == "organization" and " " not in word and k.startswith(f"{kind}:{word} ")))]
            home = fuller[0] if len(fuller) == 1 else None
        if home is None:
            merged[key] = [(v, False) for v in items]
        else:
            merged[home] += [(v, True) for v in items]
    claims = []
    for members in merged.values():
        sources: dict[str, ClaimSource] = {}
        for v, is_compatible in members:
            p = index.passage(v.row)  # syndicated or repeated: one source per document
            sources.setdefault(p.citation.doc_id, ClaimSource(p.text, v.value, v.start, v.end, v.speaker, p.citation,
                                                              is_compatible))
        first = members[0][0]
        claims.append(Claim(first.value, first.kind, first.amount, first.speaker, tuple(sources.values())))
    if not claims:
        return (), None
    if len(claims) > 1:
        return tuple(claims), "differ"
    # agreement takes two: one document giving a value agrees with no one
    return tuple(claims), "agree" if len(claims[0].sources) > 1 else "single"
