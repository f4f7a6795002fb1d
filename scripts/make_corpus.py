"""Generate a large synthetic corpus from the seed articles' sentences.

Each generated document is a shuffled mix of real body sentences from corpus/,
with a date marker and a headline, so chunking, BM25 and embedding see
realistic text. Deterministic for a given --seed.

    python scripts/make_corpus.py OUT_DIR --docs 2000
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.ingest.boilerplate import BODY, classify
from qa.ingest.sentences import split_sentences

SEED = Path(__file__).resolve().parent.parent / "corpus"


def seed_sentences(seed_dir: Path = SEED) -> list[str]:
    out = []
    for path in sorted(seed_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = split_sentences(text)
        out += [text[s:e] for (s, e), k in zip(spans, classify(text, spans)) if k == BODY]
    return out


def spliced(rng: random.Random, sentences: list[str]) -> str:
    """A new sentence: the start of one seed sentence joined to the end of another."""
    a, b = (s.rstrip(".").split() for s in rng.sample(sentences, 2))
    return " ".join(a[: rng.randint(3, max(3, len(a) - 1))] + b[rng.randint(1, max(1, len(b) - 3)) :]) + "."


def make_document(rng: random.Random, sentences: list[str], number: int, paragraphs: int = 8,
                  distinct: bool = False) -> str:
    """With `distinct`, every sentence is spliced anew, so (nearly) every chunk is different text,
    as in real articles; otherwise whole seed sentences repeat across documents, and a build,
    which embeds each distinct chunk text once, has far less to do."""
    day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = [f" date {day} Report {number}: " + rng.choice(sentences)]
    for _ in range(paragraphs):
        if distinct:
            lines.append(" ".join(spliced(rng, sentences) for _ in range(rng.randint(2, 4))))
        else:
            picked = rng.sample(sentences, rng.randint(1, 3))
            lines.append(" ".join(picked) + f" (Item {number}-{rng.randint(0, 10**6)}.)")
    return "\n\n".join(lines) + "\n"


def generate(out: Path, docs: int, seed: int = 0, paragraphs: int = 8, distinct: bool = False) -> list[Path]:
    rng = random.Random(seed)
    sentences = [s for s in seed_sentences() if len(s.split()) >= 6]
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        path = out / f"gen_{i:06d}.txt"
        path.write_text(make_document(rng, sentences, i, paragraphs, distinct), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the documents into")
    parser.add_argument("--docs", type=int, default=2000, help="how many documents")
    parser.add_argument("--paragraphs", type=int, default=8, help="paragraphs per document")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--distinct", action="store_true", help="splice every sentence anew so chunks do not repeat")
    args = parser.parse_args()
    paths = generate(args.out, args.docs, args.seed, args.paragraphs, args.distinct)
    print(f"wrote {len(paths)} documents to {args.out}")


if __name__ == "__main__":
    main()
