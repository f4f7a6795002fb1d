"""Rerun the hostile-input and fault tests and print the closing table of issues #15 and #24.

    python scripts/hostile_table.py [--fast]      (--fast: without the tests that load the real model)

A case is one hostile input tried: a hypothesis example, a write made to fail, a Ctrl-C, a
damaged manifest under one command, one command over a hostile corpus. Tests that count their
cases record them (`record_property("cases", n)`); every other test is one case.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["tests/hostile", "tests/test_corruption.py", "tests/test_crash.py", "tests/test_concurrency.py"]
# tests that run every command (build, update, status, docs, ask) over one hostile corpus
EVERY_COMMAND = {"test_a_file_name_that_is_not_utf8_is_skipped_by_name", "test_a_path_longer_than_path_max_is_skipped_by_name",
                 "test_dangling_links_loops_and_folders_named_like_documents_are_named",
                 "test_a_folder_that_cannot_be_listed_is_named", "test_links_out_of_the_corpus_are_read_only_with_follow_symlinks",
                 "test_files_over_the_size_limit_are_never_read"}
ROWS = [  # (area, failure class, test files, test names)
    ("Output", "control characters in paths, titles, publishers, quotes, messages", "output|chat",
     r"no_field_can|newlines|titles_and|error_messages_escape|forged_file_names"),
    ("Output", "sentence and quote length", "output|chat", r"sentence_is_longer|huge_line|one_line_megabyte|megabyte_one_line|old_index|one_line_document"),
    ("Output", "question length", "output|chat", r"question_over_the_limit|ten_megabyte|over_long_question"),
    ("Input", "invalid UTF-8 / UTF-16, byte order marks, NULs on stdin and in argv", "input",
     r"utf8_on_stdin|utf16|byte_order|nul_char|argv|any_bytes|any_question_|empty_or_blank|api_cleans"),
    ("Input", "file names that are not UTF-8, paths over PATH_MAX", "corpus_files", r"not_utf8|path_max"),
    ("Input", "FIFOs, devices, procfs and sysfs files (kmsg)", "corpus_files", r"fifos_devices"),
    ("Input", "unreadable folders, dangling links, loops, folders named *.txt", "corpus_files",
     r"dangling|cannot_be_listed|without_permission"),
    ("Input", "files rewritten during builds", "corpus_files", r"rewritten"),
    ("Input", "links out of the corpus, --follow-symlinks", "corpus_files", r"links_out"),
    ("Input", "size limit, stat before read", "corpus_files", r"size_limit"),
    ("Faults", "ENOSPC and EIO at each write, real full and read-only disks, encoder export", "faults",
     r"failed_write|full_disk|export_that|really_full|read_only|nearly_full"),
    ("Faults", "versions sharing encoder files", "faults", r"backup"),
    ("Faults", "CURRENT and .lock not files, manifest shapes, model spellings, index path a file", "faults", r"."),
    ("Signals and chat", "Ctrl-C in a cold ask, status, docs, a build, an update; SIGTERM in annotation", "signals",
     r"ctrl_c|sigterm"),
    ("Signals and chat", "stdin answered as it arrives, a reader that goes away", "input", r"arrives|goes_away"),
    ("Signals and chat", "filter dialog keys, crash exit code, pastes, error lines", "chat", r"."),
    ("Chat saves (#24)", "~user names, over-long names, FIFOs and devices, the index and the corpus, failing writes",
     "saves", r"."),
    ("Calendar (#24)", "relative dates at 0001-01-01 and 9999-12-31, sources.csv dates outside the calendar",
     "calendar", r"."),
    ("Messages (#24)", "unreadable corpus under ask, denied permissions, kernel file systems, newlines in paths, --help",
     "messages", r"."),
    ("Readers (#24)", "e-mail charsets that lie or are unknown, short and bounce messages, HTML nested 300-100k deep",
     "mail_and_pages", r"."),
    ("Readers (#24)", "per-file time and memory budgets (HTML attributes and paragraphs, .docx bombs), PDF running heads",
     "budgets", r"."),
    ("sources.csv (#24)", "unclosed quotes, blank lines, duplicate rows and columns, 100k unused rows, links, metadata-only "
     "updates", "sources_csv", r"."),
    ("Chat (#24)", "terminals down to 20x4: the question box stays visible", "small_screens", r"."),
    ("Store (before #15)", "damaged files, kills during builds, reads during updates", "corruption|crash|concurrency", r"."),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="leave out the tests that load the real model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
                   f"--junitxml={report}", *FILES, *(["-m", "not model"] if args.fast else [])]
        env = {**os.environ, "QA_HOSTILE_ROUNDS": "60"}  # 60 Ctrl-Cs per command, not the suite's 12
        log = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env).stdout
        cases = ET.parse(report).getroot().iter("testcase")
    examples = {m.group(1): int(m.group(2)) for m in re.finditer(r"::(\w+):\n(?:.*\n){0,6}?\s+- (\d+) passing", log)}
    rows: OrderedDict[tuple[str, str], list[int]] = OrderedDict(((a, w), [0, 0, 0, 0]) for a, w, _f, _n in ROWS)
    for case in cases:
        name, module = case.get("name", ""), (case.get("classname") or "").rsplit(".", 1)[-1].removeprefix("test_")
        base = name.split("[")[0]
        kids = {child.tag for child in case}
        recorded = {p.get("name"): p.get("value") for p in case.iter("property")}
        n = int(recorded.get("cases") or 0) or examples.get(base, 0) or (5 if base in EVERY_COMMAND else 1)
        row = next(rows[(a, w)] for a, w, files, names in ROWS if re.fullmatch(files, module) and re.search(names, name))
        if "skipped" in kids:
            row[3] += 1
            continue
        row[0] += n
        row[2 if kids & {"failure", "error"} else 1] += n
    print("| area | failure class | cases tried | correct | failed | tests skipped |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (area, what), (tried, correct, failed, skipped) in rows.items():
        print(f"| {area} | {what} | {tried} | {correct} | {failed} | {skipped} |")
    total = [sum(row[i] for row in rows.values()) for i in range(4)]
    print(f"| **all** | | **{total[0]}** | **{total[1]}** | **{total[2]}** | {total[3]} |")


if __name__ == "__main__":
    main()
