"""Hit@1 and hit@3 on questions written from real files, and how those files are read.

The questions (tests/data/real/questions.jsonl) were written from Debian's Python 3.11 HTML docs, a
30-page cut of the gnuplot manual and a mixed folder (HTML, PDF, e-mail, Markdown, text) before qa
was run on them; tests/data/real/questions-manifest.json says which package, version, file and pages
each set holds. The packages are fetched with apt-get download into --work and unpacked there (or
taken from --debs), never committed. Per set: an index built by the code this runs from, each
question asked with min_score 0 and top_k 3 (a hit: the extract's quote holds one of the answers,
white space squashed), the answers the readers lost (not in the text read from the question's
file: no ranking can find them), and the share of sentence spans the readers class as headings and of body spans that are
fragments (scripts/measure_reading.py).

    .venv/bin/python scripts/eval_real.py                       # this checkout's code
    .venv/bin/python scripts/eval_real.py --code ../other -v    # another checkout's qa/, with the misses
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"
QUESTIONS = REAL / "questions.jsonl"
MANIFEST = REAL / "questions-manifest.json"
TOP_K = 3


def load_questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def fetch(package: str, version: str, work: Path, debs: Path | None) -> Path:
    """The unpacked tree of a package: its .deb from --debs or work/deb (apt-get download, the
    manifest's version first), unpacked once into work/x/PACKAGE."""
    tree = work / "x" / package
    if (tree / ".unpacked").is_file():
        return tree
    found = sorted(p for folder in (debs, work / "deb") if folder for p in folder.glob(f"{package}_*.deb"))
    if not found:
        deb = work / "deb"
        deb.mkdir(parents=True, exist_ok=True)
        for wanted in (f"{package}={version}", package):
            if subprocess.run(["apt-get", "download", wanted], cwd=deb, capture_output=True).returncode == 0:
                break
        else:
            raise SystemExit(f"cannot fetch {package} with apt-get download (run apt-get update?)")
        found = sorted(deb.glob(f"{package}_*.deb"))
    got = subprocess.run(["dpkg-deb", "-f", str(found[0]), "Version"], capture_output=True, text=True).stdout.strip()
    if got != version:
        print(f"note: {package} {got} is not the {version} the questions were written from", file=sys.stderr)
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    subprocess.run(["dpkg-deb", "-x", str(found[0]), str(tree)], check=True)
    (tree / ".unpacked").touch()
    return tree


def cut_pdf(source: Path, first: int, last: int, target: Path) -> None:
    import pypdfium2 as pdfium

    whole, part = pdfium.PdfDocument(source), pdfium.PdfDocument.new()
    part.import_pages(whole, list(range(first - 1, last)))
    part.save(target)


def set_folder(name: str, spec: dict, packages: dict, work: Path, debs: Path | None) -> Path:
    """The set's folder, made afresh from the manifest."""
    folder = work / "sets" / name
    shutil.rmtree(folder, ignore_errors=True)
    for entry in spec["files"]:
        target = folder / entry["as"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if "local" in entry:
            source = REAL / entry["local"]
        else:
            source = fetch(entry["package"], packages[entry["package"]], work, debs) / entry["path"]
        if "pages" in entry:
            first, last = entry["pages"]
            cut_pdf(source, first, last, target)
        else:
            shutil.copyfile(source, target)
    return folder


def squash(text: str) -> str:
    return " ".join(text.split())


def answered(question: dict, text: str) -> bool:
    """The text holds one of the answers, a line break read as a space (a wrap does not change what a quote says)."""
    return any(squash(a) in squash(text) for a in question["answers"])


def lost(folder: Path, questions: list[dict]) -> int:
    """How many answers the readers lose: not in the text read from the question's file."""
    from qa.ingest.readers import read

    texts = {name: read((folder / name).read_bytes(), name).text for name in {q["file"] for q in questions}}
    return sum(not answered(q, texts[q["file"]]) for q in questions)


def run_set(name: str, folder: Path, questions: list[dict], index: Path, verbose: bool) -> dict:
    from qa import api

    shutil.rmtree(index, ignore_errors=True)
    api.build(folder, index)
    loaded = api.open_index(index)
    hit1 = hit3 = 0
    for q in questions:
        extracts = api.ask(loaded, q["question"], top_k=TOP_K, min_score=0.0).extracts
        at = next((rank for rank, e in enumerate(extracts, 1) if answered(q, e.quote)), None)
        hit1 += at == 1
        hit3 += at is not None
        if verbose and at != 1:
            top = extracts[0] if extracts else None
            where = getattr(top, "citation", top).path if top else "-"
            quote = " ".join(top.quote.split())[:150] if top else "(refused)"
            print(f"  {q['id']} {'hit@' + str(at) if at else 'miss'}: {q['question']}\n"
                  f"      want {q['answers'][0]!r} in {q['file']}\n      got  {where}: {quote}")
    return {"n": len(questions), "hit1": hit1, "hit3": hit3, "lost": lost(folder, questions)}


def measure_reading():
    """scripts/measure_reading.py of this checkout, over whichever qa/ was imported first."""
    spec = importlib.util.spec_from_file_location("measure_reading", Path(__file__).with_name("measure_reading.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose qa/ builds and answers (default: this one)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval-real"), help="folder for the packages, sets and indexes")
    parser.add_argument("--debs", type=Path, help="a folder already holding the packages' .deb files")
    parser.add_argument("--sets", default="html,pdf,mixed", help="comma-separated sets to run")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each question not answered at rank 1")
    args = parser.parse_args(argv)
    code = args.code.resolve()
    if not (code / "qa" / "__init__.py").is_file():
        raise SystemExit(f"{args.code}: no qa/ package there")
    sys.path.insert(0, str(code))
    import qa

    if Path(qa.__file__).resolve().parent != code / "qa":
        raise SystemExit(f"qa was already imported from {Path(qa.__file__).parent}, not {code / 'qa'}")
    manifest, questions = load_manifest(), load_questions()
    names = [s for s in args.sets.split(",") if s]
    unknown = [s for s in names if s not in manifest["sets"]]
    if unknown:
        raise SystemExit(f"unknown set {unknown[0]!r}: the sets are {', '.join(manifest['sets'])}")
    measure = measure_reading().measure
    print(f"code: {code}")
    print(f"{'set':6} {'n':>3} {'hit@1':>6} {'hit@3':>6} {'lost':>5} {'spans':>6} {'headings':>9} {'fragments':>10}")
    label = code.name or "root"
    for name in names:
        folder = set_folder(name, manifest["sets"][name], manifest["packages"], args.work, args.debs)
        asked = [q for q in questions if q["set"] == name]
        got = run_set(name, folder, asked, args.work / "indexes" / f"{name}-{label}", args.verbose)
        read = measure(folder)
        print(f"{name:6} {got['n']:3d} {got['hit1']:6d} {got['hit3']:6d} {got['lost']:5d} {read['spans']:6d} {read['headings']:9.1%} "
              f"{read['fragments']:10.1%}", flush=True)


if __name__ == "__main__":
    main()
