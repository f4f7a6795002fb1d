"""What the per-file budget costs, and that PDF running heads cost linear time.

    .venv/bin/python scripts/bench_budget.py

Prints, on this machine (it may be shared: the load average is printed too):
- CPU seconds to find the running heads of 2,000, 4,000 and 10,000 generated pages;
- seconds to read 200 small news pages in this process and through the budgeted worker
  (started once, before the timing, as a build starts it once).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.ingest.budget import budget, read_within  # noqa: E402
from qa.ingest.readers import read  # noqa: E402
from qa.ingest.readers.pdf import _content, running_heads  # noqa: E402
from scripts.make_documents import news_page  # noqa: E402


def heads(pages: int) -> float:
    texts = [f"Annual Report 2023\nOn page {i} the harbour counted boats.\nMore words here.\nPage {i} of {pages}"
             for i in range(pages)]
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    began = time.process_time()
    noise = running_heads(texts, starts)
    for text, start in zip(texts, starts):
        _content(text, start, noise)
    return time.process_time() - began


def main() -> None:
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for pages in (2_000, 4_000, 10_000):
        print(f"running heads of {pages:>6,} pages: {heads(pages):.2f} s CPU")
    pages = [(f"page{i}.html", news_page(i)) for i in range(200)]
    read(*reversed(pages[0]))  # the library's import is not the reading
    read_within(pages[0][1], pages[0][0])  # nor is starting the worker
    for name, reader in (("in this process", read), ("through the worker", read_within)):
        began = time.perf_counter()
        for path, data in pages:
            reader(data, path)
        print(f"200 news pages {name}: {time.perf_counter() - began:.2f} s")
    limits = budget()
    print(f"budget: {limits.seconds:g} s and {limits.memory_mb:g} MB per file")


if __name__ == "__main__":
    main()
