"""How fast each reader turns generated documents into text.

    .venv/bin/python scripts/bench_readers.py

Documents are generated first (fpdf2, python-docx, the e-mail library) and only
the reading is timed, after one warm-up read per format so that importing the
library is not counted. The PDF figure is pages per second over one 200-page
report (the median of three reads); the others are documents per second. The
machine may be shared, so the load average is printed with the figures.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.ingest.readers import read, reader_for  # noqa: E402
from scripts.make_documents import docx_memo, news_page, paragraph, pdf_report, report_pages, sample_reply  # noqa: E402


def _documents(scale: float) -> dict[str, list[tuple[str, bytes]]]:
    rng = random.Random(7)

    def n(count: int) -> int:
        return max(3, round(count * scale))

    return {
        "pdf": [("report.pdf", pdf_report(report_pages(n(200), seed=1, per_page=3), labels=True))],
        "html": [(f"page{i}.html", news_page(i)) for i in range(n(500))],
        "docx": [(f"memo{i}.docx", docx_memo([paragraph(rng, 3) for _ in range(8)], inserted="added later",
                                              deleted="struck out", image_alt="A photo")) for i in range(n(200))],
        "email": [(f"mail{i}.eml", sample_reply(i)) for i in range(n(200))],
        "text": [(f"note{i}.txt", "\n\n".join(paragraph(rng, 4) for _ in range(6)).encode()) for i in range(n(200))],
    }


def _time(docs: list[tuple[str, bytes]]) -> tuple[float, int, int, int]:
    """Seconds to read every document, with the pages, characters and notes they gave."""
    began = time.perf_counter()
    pages = chars = notes = 0
    for path, data in docs:
        result = read(data, path)
        pages += len(result.pages)
        chars += len(result.text)
        notes += len(result.notes)
    return time.perf_counter() - began, pages, chars, notes


def run(scale: float = 1.0) -> list[dict]:
    """One row per format; `scale` shrinks the document counts (a test runs it at 0.02)."""
    rows = []
    for fmt, docs in _documents(scale).items():
        reader = reader_for(docs[0][0])
        read(docs[0][1], docs[0][0])  # warm-up: the library's import is not the reader's speed
        runs = 3 if fmt == "pdf" else 1
        timings = [_time(docs) for _ in range(runs)]
        seconds = statistics.median(t[0] for t in timings)
        _, pages, chars, notes = timings[0]
        units, unit = (pages, "pages/s") if fmt == "pdf" else (len(docs), "documents/s")
        rows.append({"format": fmt, "reader": reader.name, "version": reader.version, "documents": len(docs),
                     "pages": pages or None, "characters": chars, "notes": notes, "seconds": round(seconds, 3),
                     "rate": round(units / seconds, 1), "unit": unit})
    return rows


def main() -> None:
    rows = run()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} on {platform.machine()}, one process; load average {load}\n")
    print(f"{'format':<7} {'reader':<26} {'docs':>5} {'pages':>6} {'chars':>10} {'notes':>5} {'seconds':>8}  rate")
    for r in rows:
        name = f"{r['reader']} {r['version']}"
        print(f"{r['format']:<7} {name:<26} {r['documents']:>5} {r['pages'] or '':>6} {r['characters']:>10} "
              f"{r['notes']:>5} {r['seconds']:>8.2f}  {r['rate']:,.1f} {r['unit']}")


if __name__ == "__main__":
    main()
