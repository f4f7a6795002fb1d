"""Score "who says what": the values, speakers and agreement `qa ask` shows, against
tests/data/claims.jsonl over corpus/, or a story's claims.jsonl over its own folder (--set).

recall: share of expected values shown (a shown claim, or a source of one, whose value
reads the same: the same figure, or the same name or date once folded); precision:
share of shown claims that are expected; attribution: share of the matched values
whose speaker is the expected one (both none, or the same words once a leading "the"
is dropped, or one naming the other: "Venezuelan human rights group Foro Penal" for
"Foro Penal"); agreement: share of questions whose agree/differ is the expected one.
Questions whose expected values are free text (why, yes or no) are beyond what claims
read and are reported apart. Every claim's quote is checked to be the document's text
at its offsets, holding its value (the verbatim invariant).

A second table counts (figure, source) pairs. pairs: share of expected values shown
with their expected speaker (both none, or the same words as above). wrong rows: rows
of the table (a claim's source) whose value is no expected value of the question, or
whose named speaker is none of those expected for that value (an unnamed speaker, the
outlet's own voice, is not wrong, only unattributed).

    python scripts/eval_claims.py [-v]
    python scripts/eval_claims.py --set cebu-quake-2025 -v
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.answer.amounts import read  # noqa: E402
from qa.index.notes import fold  # noqa: E402
from scripts import evalsets  # noqa: E402


def same_value(expected: dict, value: str) -> bool:
    if expected["kind"] == "number":
        got = read(value)
        return got is not None and expected["amount"] is not None and (got.low, got.high, got.approximate) == (
            expected["amount"]["low"], expected["amount"]["high"], expected["amount"]["approximate"])
    return fold(value) == fold(expected["value"]) or fold(expected.get("normalized") or "") == fold(value)


def same_speaker(expected: str | None, got: str | None) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    a, b = fold(expected), fold(got)
    return a == b or a in b or b in a


def wrong_rows(values: list[dict], shown) -> list:
    """The shown sources whose value is not expected, or whose named speaker is not one expected for it."""
    out = []
    for s in shown:
        same = [e for e in values if same_value(e, s.value)]
        speakers = {e["attributed_to"] for e in same} | {src["attributed_to"] for e in same for src in e["sources"]}
        if not same or (s.attributed_to is not None and not any(same_speaker(w, s.attributed_to) for w in speakers if w)):
            out.append(s)
    return out


def check_verbatim(index, claims) -> None:
    for claim in claims:
        for s in claim.sources:
            text = index.texts[index.doc_numbers[s.citation.doc_id]]
            assert text[s.citation.start:s.citation.end] == s.quote, f"claim quote not verbatim: {s}"
            assert text[s.value_start:s.value_end] == s.value and s.value in s.quote, f"value not in its quote: {s}"
            if s.attributed_to is not None:
                assert s.attributed_to in text, f"speaker not verbatim: {s}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval"), help="folder for the cached index")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every question's expected and shown claims")
    parser.add_argument("--set", default="eval", choices=("eval", *evalsets.STORY_SETS),
                        help="the bundled corpus (eval) or a story of tests/data/stories")
    args = parser.parse_args()
    index = api.open_index(evalsets.index_for(args.set, args.work))
    rows = [json.loads(line) for line in evalsets.claims_file(args.set).read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = {"expected": 0, "found": 0, "rows": 0, "wrong": 0}
    totals = {"scope": {"expected": 0, "found": 0, "shown": 0, "right": 0, "attributed": 0, "agreement": 0, "questions": 0},
              "free text": {"expected": 0, "found": 0, "shown": 0, "right": 0, "attributed": 0, "agreement": 0, "questions": 0}}
    for row in rows:
        answer = api.ask(index, row["question"])
        check_verbatim(index, answer.claims)
        part = totals["free text" if all(v["kind"] == "other" for v in row["values"]) else "scope"]
        part["questions"] += 1
        part["agreement"] += answer.agreement == row["agreement"]
        shown = [(c, s) for c in answer.claims for s in c.sources]
        wrong = wrong_rows(row["values"], [s for _, s in shown])
        pairs["expected"] += len(row["values"])
        pairs["found"] += sum(any(same_value(e, s.value) and same_speaker(e["attributed_to"], s.attributed_to) for _, s in shown)
                              for e in row["values"])
        pairs["rows"] += len(shown)
        pairs["wrong"] += len(wrong)
        for expected in row["values"]:
            part["expected"] += 1
            hit = next(((c, s) for c, s in shown if same_value(expected, s.value)), None)
            if hit:
                part["found"] += 1
                part["attributed"] += same_speaker(expected["attributed_to"], hit[1].attributed_to)
        for claim in answer.claims:
            part["shown"] += 1
            part["right"] += any(same_value(e, s.value) for e in row["values"] for s in claim.sources)
        if args.verbose:
            print(f"{row['id']} {row['question']}\n   want {row['agreement']}: "
                  f"{[(v['value'], v['attributed_to']) for v in row['values']]}\n   got  {answer.agreement}: "
                  f"{[(c.value, c.attributed_to, [s.citation.path[:3] for s in c.sources]) for c in answer.claims]}", file=sys.stderr)
            for s in wrong:
                print(f"   WRONG {s.value!r} {s.attributed_to!r} {s.citation.path}: {s.quote[:120]}", file=sys.stderr)
    print("| questions | n | recall | precision | attribution | agreement |\n|---|---|---|---|---|---|")
    for name, t in totals.items():
        if t["questions"]:
            print(f"| {name} | {t['questions']} | {t['found'] / max(t['expected'], 1):.3f} | {t['right'] / max(t['shown'], 1):.3f} | "
                  f"{t['attributed'] / max(t['found'], 1):.3f} | {t['agreement'] / t['questions']:.3f} |")
    print(f"\n| set | expected pairs | pairs recall | rows shown | wrong rows |\n|---|---|---|---|---|\n"
          f"| {args.set} | {pairs['expected']} | {pairs['found'] / max(pairs['expected'], 1):.3f} | {pairs['rows']} | {pairs['wrong']} |")


if __name__ == "__main__":
    main()
