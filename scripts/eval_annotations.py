"""Measure the annotation stage against hand labels of the seed articles.

    PYTHONPATH=. .venv/bin/python scripts/eval_annotations.py [--labels tests/data] [--corpus corpus]

Each corpus file is read as an index build reads it (qa.ingest.documents, so the document
date is the one the index would store), split with qa.ingest.sentences.split_sentences,
and annotated with qa.annotate.pipeline.annotate.

Speakers (statements.jsonl, one line per labelled sentence; a null speaker is a
labelled negative). Only labelled sentences are scored. A predicted speaker is
correct when its span overlaps the labelled speaker span and either
  - the two texts are equal once a leading determiner or "whose" and trailing
    punctuation are stripped, case ignored ("The group" = "the group"), or
  - both spans have the same syntactic head (Span.root in the spaCy parse of
    the sentence): "the Venezuela human rights group Foro Penal" and "Foro
    Penal" are both headed by "Penal".
A wrong speaker is a false positive and a false negative. The strict score
(the main labelled speaker only) is the headline; the lenient one also accepts
a secondary speaker the labeller listed under "also". `via` is scored on the
correct statements. Pronoun antecedents are scored where the labelled speaker
is a pronoun and "refers_to" names the antecedent (the label's other uses of
"refers_to", for coreference of full noun phrases, are outside this stage).

Dates (dates.jsonl, one line per labelled mention). A label is matched with the
predicted mention that overlaps it most; it is correct when the resolved value
is the labelled one (date, from, to; a one-day period counts as that day), and
an unresolved label is correct when the prediction is unresolved or missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.annotate import pipeline  # noqa: E402
from qa.ingest.boilerplate import answerable, classify  # noqa: E402
from qa.ingest.documents import read_document  # noqa: E402
from qa.ingest.sentences import split_sentences  # noqa: E402

LEADING = re.compile(r"^(?:the|a|an|whose)\s+", re.IGNORECASE)


def norm(words: str) -> str:
    return LEADING.sub("", words.strip().strip(".,;:“”\"'’")).casefold()


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def head(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return None if span is None or not len(span) else span.root.i


def same_speaker(text: str, sentence: tuple[int, int], predicted: tuple[int, int], labelled: tuple[int, int]) -> bool:
    if not overlap(predicted, labelled):
        return False
    if norm(text[predicted[0]:predicted[1]]) == norm(text[labelled[0]:labelled[1]]):
        return True
    doc = pipeline.model()(text[sentence[0]:sentence[1]])
    base = sentence[0]
    one = head(doc, predicted[0] - base, predicted[1] - base)
    return one is not None and one == head(doc, labelled[0] - base, labelled[1] - base)


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load(corpus: Path):
    out = {}
    for path in sorted(corpus.glob("*.txt")):
        loaded = read_document(path, corpus)
        out[path.name] = (loaded.text, split_sentences(loaded.text), loaded.document.date)
    names = list(out)
    notes = pipeline.annotate([out[n] for n in names])
    return {name: (*out[name], note) for name, note in zip(names, notes)}


def note_at(doc, start: int, end: int):
    _, spans, _, notes = doc
    best = max(range(len(spans)), key=lambda i: overlap(spans[i], (start, end)))
    return spans[best], notes[best]


def statements(docs, rows) -> None:
    scores = {"strict": [0, 0, 0], "lenient": [0, 0, 0]}
    via = [0, 0, 0]
    refs = [0, 0]
    exact = 0
    failures = []
    for row in rows:
        text = docs[row["path"]][0]
        sentence, notes = note_at(docs[row["path"]], row["start"], row["end"])
        found = notes.statement
        predicted = (found.speaker.start, found.speaker.end) if found else None
        labels = [] if row["speaker"] is None else [(row["speaker_start"], row["speaker_end"])]
        also = [(a["speaker_start"], a["speaker_end"]) for a in row.get("also") or () if a.get("speaker_start") is not None]
        for mode, allowed in (("strict", labels), ("lenient", labels + also if labels else also)):
            tp, fp, fn = scores[mode]
            right = predicted is not None and any(same_speaker(text, sentence, predicted, lab) for lab in allowed)
            if right:
                tp += 1
            else:
                fp += predicted is not None
                fn += bool(labels)
            scores[mode] = [tp, fp, fn]
            if mode == "strict" and not right and (predicted or labels):
                got = text[predicted[0]:predicted[1]] + f" ({found.verb})" if predicted else None
                failures.append((row["path"][:3], row["sentence"][:90], row["speaker"], got))
            if mode == "strict" and right:
                exact += norm(text[predicted[0]:predicted[1]]) == norm(row["speaker"])
                got_via = text[found.via.start:found.via.end] if found.via else None
                if got_via or row.get("via"):
                    ok = bool(got_via and row.get("via") and norm(got_via) == norm(row["via"]))
                    via = [via[0] + ok, via[1] + (got_via is not None and not ok), via[2] + (row.get("via") is not None and not ok)]
                    if not ok:
                        failures.append((row["path"][:3], row["sentence"][:90], f"via {row.get('via')}", f"via {got_via}"))
                if norm(row["speaker"]) in ("he", "she", "it", "they") and row.get("refers_to"):
                    ref = text[found.refers_to.start:found.refers_to.end] if found.refers_to else ""
                    ok = bool(ref) and (norm(row["refers_to"]) in norm(ref) or norm(ref) in norm(row["refers_to"]))
                    refs = [refs[0] + ok, refs[1] + 1]
                    if not ok:
                        failures.append((row["path"][:3], row["sentence"][:90], f"refers_to {row['refers_to']}", f"refers_to {ref or None}"))
    positives = sum(r["speaker"] is not None for r in rows)
    print(f"## Speakers: {len(rows)} labelled sentences, {positives} with a speaker, {len(rows) - positives} without\n")
    print("| score | TP | FP | FN | precision | recall | F1 |\n|---|---|---|---|---|---|---|")
    for mode, (tp, fp, fn) in scores.items():
        p, r, f = f1(tp, fp, fn)
        print(f"| {mode} | {tp} | {fp} | {fn} | {p:.3f} | {r:.3f} | {f:.3f} |")
    print(f"\nstrict correct speakers whose text equals the label's (after the determiner rule): {exact}; "
          f"by the same-head rule: {scores['strict'][0] - exact}")
    p, r, f = f1(*via)
    print(f"\nvia (on correct speakers): TP {via[0]}, FP {via[1]}, FN {via[2]}: precision {p:.2f}, recall {r:.2f}")
    print(f"pronoun antecedents: {refs[0]} of {refs[1]} right\n")
    print("Failures (file, sentence, label, prediction):\n")
    for failure in failures:
        print("- " + " | ".join(str(x) for x in failure))
    labelled = {(row["path"], row["start"], row["end"]) for row in rows}
    unscored = []
    for name, (text, spans, _, notes) in docs.items():
        for (start, end), note in zip(spans, notes):
            if note.statement and (name, start, end) not in labelled and body(text, spans, start):
                speaker = note.statement.speaker
                unscored.append(f"- {name[:3]} | {text[start:end][:90]} | {text[speaker.start:speaker.end]}")
    print(f"\nStatements predicted in body sentences that carry no label (not scored): {len(unscored)}\n")
    print("\n".join(unscored))


def body(text: str, spans, start: int) -> bool:
    kinds = dict(zip((s for s, _ in spans), classify(text, spans)))
    return answerable(kinds[start])


def value(day, first, last):
    if day is None and first is not None and first == last:
        return (first, None, None)
    return (day, first, last)


def dates(docs, rows) -> None:
    right, spans_exact, failures = 0, 0, []
    for row in rows:
        text, _, doc_date, notes = docs[row["path"]]
        mentions = [m for n in notes for m in n.dates]
        best = max(mentions, key=lambda m: overlap((m.start, m.end), (row["start"], row["end"])), default=None)
        if best is not None and not overlap((best.start, best.end), (row["start"], row["end"])):
            best = None
        want = value(row["date"], row["from"], row["to"])
        got = value(best.date, best.start_date, best.end_date) if best else (None, None, None)
        spans_exact += best is not None and (best.start, best.end) == (row["start"], row["end"])
        if got == want:
            right += 1
        else:
            words = text[best.start:best.end] if best else None
            failures.append((row["path"][:3], row["text"], f"doc {doc_date} / label {row['doc_date']}", f"want {want}",
                             f"got {got} from {words!r}"))
    print(f"\n## Dates: {len(rows)} labelled mentions\n")
    print(f"accuracy {right}/{len(rows)} = {right / len(rows):.3f}; predicted span identical to the label's: {spans_exact}\n")
    print("Failures:\n")
    for failure in failures:
        print("- " + " | ".join(failure))
    unscored = []
    for name, (text, spans, _, notes) in docs.items():
        marks = [(r["start"], r["end"]) for r in rows if r["path"] == name]
        for (start, _), note in zip(spans, notes):
            for m in note.dates:
                if m.resolved and body(text, spans, start) and not any(overlap((m.start, m.end), x) for x in marks):
                    unscored.append(f"- {name[:3]} | {text[m.start:m.end]!r} = {value(m.date, m.start_date, m.end_date)}")
    print(f"\nResolved dates predicted in body sentences that carry no label (not scored): {len(unscored)}\n")
    print("\n".join(unscored))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=ROOT / "tests" / "data")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()
    docs = load(args.corpus)
    print(f"analysis {pipeline.ANALYSIS_ID}\n")
    read = lambda name: [json.loads(line) for line in (args.labels / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    statements(docs, read("statements.jsonl"))
    dates(docs, read("dates.jsonl"))


if __name__ == "__main__":
    main()
