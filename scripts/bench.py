"""Measure how fast qa is, figure by figure, against the targets of issue 6.

    .venv/bin/python scripts/bench.py --quick   # seed-corpus figures (a few minutes)
    .venv/bin/python scripts/bench.py           # plus 100,000 chunks, 1,000,000 vectors, 300 doc pages
    .venv/bin/python scripts/bench.py --docs    # only the build of 300 Python doc pages and an update

Timings are medians of several runs in fresh processes where start-up matters.
On a shared machine the wall times move with the load, so the table also shows
the load average and, for cold starts, the CPU time the process used. Generated
corpora, indexes and vectors are cached in --work (never in the repository), so
a second full run skips the long builds.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PY = sys.executable
QA = str(Path(sys.executable).with_name("qa"))
SEED = ROOT / "corpus"
QUESTION = "How many prisoners were freed?"
MODEL = "all-MiniLM-L6-v2"

rows: list[tuple[str, str, str, bool | None]] = []


def row(figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
    rows.append((figure, value, target, ok))
    mark = "" if ok is None else ("pass" if ok else "FAIL")
    print(f"  {figure}: {value} {('(target ' + target + ') ' + mark) if target else ''}", flush=True)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def median(values) -> float:
    return statistics.median(values)


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def runs_of(cmd: list[str], runs: int, check: bool = False) -> tuple[list[float], list[float]]:
    """Wall and CPU (user+sys) seconds of `runs` fresh processes, after one warm-up run (OS cache)."""
    walls, cpus = [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if check and done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
        if i:  # the first run only fills the OS cache
            walls.append(wall)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def qa_cli(*args: str) -> str:
    done = subprocess.run([QA, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"qa {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


# ---------------------------------------------------------------- seed corpus


def seed_index(work: Path) -> Path:
    """The bundled corpus indexed by `qa index build` (rebuilt each run: the format may have moved on)."""
    index = work / "seed-index"
    shutil.rmtree(index, ignore_errors=True)
    say("building the seed index with qa index build")
    began = time.perf_counter()
    qa_cli("index", "build", "--corpus", str(SEED), "--index", str(index))
    row("seed corpus: qa index build (new process, model load included)", f"{time.perf_counter() - began:.1f} s")
    return index


def startup_figures(index: Path, runs: int) -> None:
    say(f"cold starts, {runs} runs each")
    walls, cpus = runs_of([QA, "ask", QUESTION, "--index", str(index), "--corpus", str(SEED)], runs, check=True)
    row("cold `qa ask` (median wall)", f"{median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)})", "<= 1.0 s", median(walls) <= 1.0)
    row("cold `qa ask` (median CPU user+sys)", f"{median(cpus):.2f} s")
    walls, _ = runs_of([PY, "-c", "import sentence_transformers"], runs)
    row("`python -c 'import sentence_transformers'` (median wall, same run)", f"{median(walls):.2f} s")
    walls, _ = runs_of([QA, "--help"], runs, check=True)
    row("`qa --help` (median wall)", f"{median(walls):.2f} s", "< 0.3 s", median(walls) < 0.3)


def _qa_from(tree: Path) -> list[str]:
    """A `qa` command that runs the code in `tree` (today's entry point, or an older one) in this venv."""
    entry = "qa.main" if (tree / "qa" / "main.py").is_file() else "qa.cli"
    # numpy first: older trees import it from two threads at once, which can fail (fixed since)
    code = f"import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'qa'; import numpy; from {entry} import main; main()"
    return [PY, "-c", code, str(tree)]


def baseline_figures(work: Path, rev: str, index: Path, runs: int) -> None:
    """Cold `qa ask` of this tree against revision `rev`, alternating runs in the same minutes."""
    tree = work / f"baseline-{rev}"
    if not (tree / "qa").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for code in (ROOT, tree):  # both start from bytecode, as `make setup` leaves an install (no compiling per run)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "qa")], check=True, capture_output=True)
    old_index = work / f"baseline-{rev}-index"
    shutil.rmtree(old_index, ignore_errors=True)
    say(f"building the seed index with the code of {rev}")
    subprocess.run([*_qa_from(tree), "index", "build", "--corpus", str(SEED), "--index", str(old_index)], cwd=ROOT,
                   check=True, capture_output=True)
    ask = ["ask", QUESTION, "--corpus", str(SEED)]
    commands = {"now": [*_qa_from(ROOT), *ask, "--index", str(index)], rev: [*_qa_from(tree), *ask, "--index", str(old_index)]}
    for key, cmd in commands.items():
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0 or "\n1. “" not in "\n" + done.stdout:  # a claims table may come first
            raise SystemExit(f"{key}: no answer from {' '.join(cmd)}:\n{done.stdout}{done.stderr}")
    walls: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    say(f"cold asks, this tree and {rev} alternately, {runs} runs each")
    for _ in range(runs):
        for key, cmd in commands.items():
            w, c = runs_of(cmd, 1, check=True)
            walls[key] += w
            cpus[key] += c
    now, old = median(walls["now"]), median(walls[rev])
    row(f"cold `qa ask`, this tree / {rev} (median wall, alternating runs)", f"{now:.2f} / {old:.2f} s = {now / old:.0%}",
        "<= 60%", now / old <= 0.6)
    row(f"cold `qa ask`, this tree / {rev} (median CPU user+sys)",
        f"{median(cpus['now']):.2f} / {median(cpus[rev]):.2f} s = {median(cpus['now']) / median(cpus[rev]):.0%}")


def warm_latency(index: Path, label: str, p50_target: float | None, p95_target: float | None, rounds: int = 3) -> None:
    from qa import api

    loaded = api.open_index(index)
    asked = questions()
    for q in asked:  # warm-up: loads the encoder, fills caches
        api.ask(loaded, q)
    times = []
    for _ in range(rounds):
        for q in asked:
            began = time.perf_counter()
            api.ask(loaded, q)
            times.append((time.perf_counter() - began) * 1000)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    row(f"warm api.ask p50, {label} ({len(times)} asks)", f"{p50:.1f} ms", f"<= {p50_target:.0f} ms" if p50_target else "",
        p50 <= p50_target if p50_target else None)
    row(f"warm api.ask p95, {label}", f"{p95:.1f} ms", f"<= {p95_target:.0f} ms" if p95_target else "",
        p95 <= p95_target if p95_target else None)
    encoder = loaded.query_encoder()
    began = time.perf_counter()
    for q in asked:
        encoder.encode([q])
    row(f"  of which query encoding (mean), {label}", f"{(time.perf_counter() - began) * 1000 / len(asked):.1f} ms")
    del loaded
    gc.collect()


def reader_figures(index: Path, fp32: Path | None) -> None:
    """The reader's cost per candidate on the seed corpus's real candidates: the shipped int8 model, and an fp32
    export beside it when one is given (scripts/train_reader.py leaves one in /tmp)."""
    from qa import api
    from qa.pipeline import ranked as candidates
    from qa.rank import model
    from qa.reader import model as reader_model

    loaded = api.open_index(index)
    top_n = int(model.load().reader.get("top_n", 12))
    pools = [(q, [loaded.passage(c.row).text for c in candidates(loaded, q)[:top_n]]) for q in questions()]
    readers = [("int8 (shipped)", reader_model.load())]
    if fp32 is not None:
        folder = Path(tempfile.mkdtemp())
        for name in ("reader.json", "tokenizer.json"):
            shutil.copy(reader_model.FOLDER / name, folder / name)
        shutil.copy(fp32, folder / "reader.onnx")
        record = json.loads((folder / "reader.json").read_text())
        record["model"]["sha256"] = hashlib.sha256((folder / "reader.onnx").read_bytes()).hexdigest()
        (folder / "reader.json").write_text(json.dumps(record))
        readers.append(("fp32", reader_model.OnnxReader(folder)))
    for label, reader in readers:
        for q, texts in pools[:2]:
            reader.logits(q, texts)
        began, count = time.perf_counter(), 0
        for _ in range(3):
            for q, texts in pools:
                reader.logits(q, texts)
                count += len(texts)
        row(f"reader, ms per candidate, {label} (top {top_n})", f"{(time.perf_counter() - began) * 1000 / count:.2f} ms")


def corpus_of(folder: Path, docs: int, seed: int = 0) -> Path:
    """make_corpus.py's documents, generated once and cached."""
    from make_corpus import generate

    stamp = folder / ".generated.json"
    wanted = {"docs": docs, "seed": seed}
    if not (stamp.is_file() and json.loads(stamp.read_text()) == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        say(f"generating {docs} documents in {folder}")
        generate(folder, docs, seed)
        stamp.write_text(json.dumps(wanted))
    return folder


def chunk_texts(corpus: Path) -> list[str]:
    """The chunk texts a build embeds, cut by the build's own functions."""
    from qa.index.build import read_corpus
    from qa.ingest.boilerplate import classify
    from qa.ingest.chunking import ChunkParams, chunk_document
    from qa.ingest.sentences import split_sentences

    texts = []
    for item in read_corpus(corpus).loaded:
        spans = split_sentences(item.text)
        texts += [c.text for c in chunk_document(item.document.doc_id, item.text, spans, classify(item.text, spans), ChunkParams())]
    return texts


def spliced_corpus(folder: Path, docs: int) -> Path:
    """Documents of distinct sentences, each spliced from two seed sentences (cached).

    make_corpus.py's default repeats whole seed sentences, so most of its chunks are
    duplicates or one-line "(Item n-m.)" markers, which a build embeds once or almost
    for free; this corpus has chunks of realistic length that are all different.
    """
    from make_corpus import generate

    stamp = folder / ".generated.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == {"docs": docs, "distinct": True}:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, docs, seed=3, distinct=True)
    stamp.write_text(json.dumps({"docs": docs, "distinct": True}))
    return folder


BUILD_TEXTS_PER_S: float | None = None  # measured by build_throughput, for the extraction figure


def extraction_figures() -> None:
    """Each reader's speed on generated documents (scripts/bench_readers.py), and for HTML and PDF the
    share of a build that reading takes: reading a page against embedding the chunks it yields."""
    from bench_readers import _documents, run

    from qa.ingest.boilerplate import classify
    from qa.ingest.chunking import ChunkParams, chunk_document
    from qa.ingest.readers import read
    from qa.ingest.sentences import split_sentences

    say("extraction throughput per format (generated documents)")
    results = run()
    for r in results:
        row(f"extraction: {r['format']} ({r['reader']} {r['version']})",
            f"{r['rate']:,.0f} {r['unit']} ({r['documents']} documents, {r['seconds']:.2f} s)")
    if BUILD_TEXTS_PER_S:
        docs = _documents(0.2)
        for fmt in ("html", "pdf"):
            chunks = 0
            for path, data in docs[fmt]:
                got = read(data, path)
                spans = split_sentences(got.text)
                chunks += len(chunk_document("d", got.text, spans, classify(got.text, spans, got.noise, got.quoted), ChunkParams()))
            r = next(x for x in results if x["format"] == fmt)
            per_unit = len(docs[fmt]) if fmt == "html" else sum(len(read(d, p).pages) for p, d in docs[fmt])
            reading = 1 / r["rate"]  # seconds a page or document
            embedding = chunks / per_unit / BUILD_TEXTS_PER_S
            row(f"extraction share of a build, {fmt} (reading vs embedding what it yields)",
                f"{reading / (reading + embedding):.1%}", "< 50%", reading < embedding)


def build_throughput(work: Path, docs: int) -> None:
    """The whole build (read, chunk, embed, word vectors, ONNX export, write, checksums) against bare encode.

    A build embeds each distinct chunk text once, so both rates count the distinct
    texts; the bare call is SentenceTransformer.encode with its defaults (batch 32).
    """
    from qa import api
    from qa.embed.encoder import resolve_model
    from qa.embed.transformer import SentenceTransformerEncoder

    corpus = spliced_corpus(work / f"tput-spliced-{docs}", docs)
    texts = list(dict.fromkeys(chunk_texts(corpus)))
    say(f"build throughput over {len(texts)} distinct chunk texts: loading the model")
    encoder = SentenceTransformerEncoder(*resolve_model(None))
    encoder.model.encode(texts[:64], show_progress_bar=False)  # warm-up
    say("bare SentenceTransformer.encode")
    began = time.perf_counter()
    encoder.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
    bare = len(texts) / (time.perf_counter() - began)
    index = work / "tput-index"
    shutil.rmtree(index, ignore_errors=True)
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(f"{stage} start", time.perf_counter())
        if done >= total:
            stages[f"{stage} end"] = time.perf_counter()

    say("the same corpus through api.build (model already loaded)")
    began = time.perf_counter()
    report = api.build(corpus, index, encoder=encoder, progress=progress)
    seconds = time.perf_counter() - began
    whole = report.embedded / seconds
    row("bare SentenceTransformer.encode (defaults)", f"{bare:.1f} texts/s ({len(texts)} distinct chunk texts)")
    row("whole build pipeline (new index, model loaded)", f"{whole:.1f} texts/s ({report.embedded} embedded, {report.chunks} chunks, {seconds:.1f} s)")
    row("build throughput / bare encode", f"{whole / bare:.0%}", ">= 90%", whole / bare >= 0.9)
    global BUILD_TEXTS_PER_S
    BUILD_TEXTS_PER_S = whole
    if "embed end" in stages and "write start" in stages:
        row("  build stages: read+chunk / embed chunks / word vectors / write+export+checksums",
            f"{stages.get('embed start', began) - began:.1f} / {stages['embed end'] - stages.get('embed start', began):.1f} / "
            f"{stages['write start'] - stages['embed end']:.1f} / {stages.get('write end', time.perf_counter()) - stages['write start']:.1f} s")
    del encoder
    gc.collect()


# ---------------------------------------------------------------- 300 pages of the Python docs

DOC_PAGES = 300


def python_docs(work: Path, pages: int = DOC_PAGES) -> tuple[Path, Path]:
    """The first `pages` HTML pages (sorted paths) of Debian's python3.11-doc (or python3-doc), fetched
    with apt-get download and unpacked here, never committed; and the next page, for the update."""
    corpus, extra = work / f"pydocs-{pages}", work / "pydocs-extra"
    if not corpus.is_dir():
        deb = work / "deb"
        deb.mkdir(parents=True, exist_ok=True)
        if not list(deb.glob("*.deb")):
            for package in ("python3.11-doc", "python3-doc"):
                if subprocess.run(["apt-get", "download", package], cwd=deb, capture_output=True).returncode == 0:
                    break
            else:
                raise SystemExit("cannot fetch python3.11-doc or python3-doc with apt-get download (run apt-get update?)")
        unpacked = work / "deb-x"
        shutil.rmtree(unpacked, ignore_errors=True)
        subprocess.run(["dpkg-deb", "-x", str(next(deb.glob("*.deb"))), str(unpacked)], check=True)
        html = sorted(p for p in unpacked.rglob("*.html") if p.is_file())
        shutil.rmtree(extra, ignore_errors=True)
        for source, target in [*((p, corpus) for p in html[:pages]), (html[pages], extra)]:
            rel = source.relative_to(unpacked)
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / rel)
    return corpus, extra


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (the annotation workers are processes)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed_process(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, str]:
    """(wall s, CPU s of it and its children, peak resident bytes of its process tree, stderr)."""
    import threading

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    peak = [0]

    def watch() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - began
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, peak[0], out + err


BARE_ENCODE = """
import json, sys, time
from pathlib import Path
from qa.embed.onnx import cached_encoder, load_fast_encoder
texts = json.load(open(sys.argv[1], encoding="utf-8"))
encoder = cached_encoder(None, threads=2) if sys.argv[2] == "int8" else load_fast_encoder(Path(sys.argv[2]), "all-MiniLM-L6-v2", threads=2)
began, cpu = time.perf_counter(), time.process_time()
encoder.encode(texts)
print(json.dumps({"wall": time.perf_counter() - began, "cpu": time.process_time() - cpu}))
"""

FLOAT_EXPORT = """
import sys
from pathlib import Path
from qa.embed.encoder import resolve_model
from qa.embed.onnx import export
from qa.embed.transformer import SentenceTransformerEncoder
name, location = resolve_model(None)
export(SentenceTransformerEncoder(name, location).model, name, Path(sys.argv[1]), quantise=False)
"""


def _bare_encode(work: Path, texts_file: Path, which: str) -> dict:
    """A bare encode of the texts in a fresh process: the machine's int8 export (which the build uses),
    or the model's float32 ONNX export (the reference the target was set against, made here once)."""
    if which == "float32":
        folder = work / "float32-encoder"
        if not (folder / "model.json").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run([PY, "-c", FLOAT_EXPORT, str(folder)], cwd=ROOT, check=True)
        which = str(folder)
    done = subprocess.run([PY, "-c", BARE_ENCODE, str(texts_file), which], cwd=ROOT, check=True, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.splitlines()[-1])


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def docs_build(work: Path) -> None:
    """Build 300 pages of the Python docs with `qa index build` in a fresh process, as a user would,
    against a bare ONNX MiniLM encode of the same chunk texts; then add one page with `qa index update`."""
    corpus, extra = python_docs(work)
    for page in extra.rglob("*.html"):  # a previous run's added page
        (corpus / page.relative_to(extra)).unlink(missing_ok=True)
    index = work / "pydocs-index"
    shutil.rmtree(index, ignore_errors=True)
    say("the machine's ONNX encoder (exported once per machine; not part of the build's figures)")
    subprocess.run([PY, "-c", "from qa.embed.onnx import cached_encoder; cached_encoder(None)"], cwd=ROOT, check=True)
    say(f"qa index build over {DOC_PAGES} Python doc pages")
    wall, cpu, peak, _log = timed_process([QA, "index", "build", "--corpus", str(corpus), "--index", str(index)])
    from qa import api

    loaded = api.open_index(index)
    sentences = int(loaded.manifest["counts"]["answer_sentences"])
    texts = list(dict.fromkeys(c.text for c in loaded.chunks))
    fresh = _folder_bytes(index)
    del loaded
    gc.collect()
    texts_file = work / "pydocs-texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    say(f"bare ONNX MiniLM encodes of the same {len(texts)} distinct chunk texts, int8 and float32")
    bare = _bare_encode(work, texts_file, "int8")
    full = _bare_encode(work, texts_file, "float32")
    row(f"{DOC_PAGES} Python doc pages: sentences / distinct chunk texts", f"{sentences:,} / {len(texts):,}")
    row("  their build, wall / CPU (qa index build, new process)", f"{wall:.0f} / {cpu:.0f} s", "<= 300 s wall", wall <= 300)
    row("  sentences per CPU second", f"{sentences / cpu:.0f}")
    row("  peak resident memory of the build (all its processes)", f"{peak / 2**30:.2f} GiB", "<= 2 GiB", peak <= 2 * 2**30)
    row("  bare ONNX encode of the same texts, float32 MiniLM, wall / CPU", f"{full['wall']:.0f} / {full['cpu']:.0f} s")
    row("  the same with the int8 export the build embeds with, wall / CPU", f"{bare['wall']:.0f} / {bare['cpu']:.0f} s")
    row("  build CPU / bare float32 encode CPU", f"{cpu / full['cpu']:.2f}x", "<= 1.5x", cpu / full["cpu"] <= 1.5)
    row("  build CPU / bare int8 encode CPU (the build's own encoder)", f"{cpu / bare['cpu']:.2f}x")
    for page in extra.rglob("*.html"):
        target = corpus / page.relative_to(extra)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    say("qa index update with one page added")
    wall, cpu, _peak, _log = timed_process([QA, "index", "update", "--corpus", str(corpus), "--index", str(index)])
    row("  one page added: qa index update, wall / CPU", f"{wall:.1f} / {cpu:.1f} s", "<= 10 s", wall <= 10)
    after = _folder_bytes(index)
    row("  index on disk: fresh build / after the update", f"{fresh / 2**20:.1f} / {after / 2**20:.1f} MiB",
        "<= 1.1x", after <= 1.1 * fresh)


# ---------------------------------------------------------------- 100,000 chunks


def big_corpus(work: Path, chunks_wanted: int) -> tuple[Path, Path]:
    """A generated corpus of at least `chunks_wanted` chunks, indexed (cached between runs)."""
    from qa import api
    from qa.index import store

    per_doc = 24.5  # measured with make_corpus.py's default 8 paragraphs
    docs = int(chunks_wanted / per_doc * 1.03) + 1
    corpus = corpus_of(work / "big-corpus", docs, seed=2)
    index = work / "big-index"
    stamp = work / "big-build.json"
    cached = json.loads(stamp.read_text()) if stamp.is_file() else None
    if cached and store.exists(index) and cached.get("docs") == docs:
        try:
            api.open_index(index)
        except Exception:
            cached = None
    else:
        cached = None
    if cached is None:
        shutil.rmtree(index, ignore_errors=True)
        say(f"building {docs} documents with api.build and the ONNX encoder (same model) - the long step")
        began = time.perf_counter()
        report = api.build(corpus, index)
        cached = {"docs": docs, "chunks": report.chunks, "seconds": time.perf_counter() - began}
        stamp.write_text(json.dumps(cached))
        note = ""
    else:
        note = ", cached from an earlier run"
    row("big corpus: documents / chunks", f"{docs} / {cached['chunks']}", ">= 100,000 chunks", cached["chunks"] >= 100_000)
    row("big corpus: build (api.build, ONNX encoder)", f"{cached['seconds']:.0f} s, {cached['chunks'] / cached['seconds']:.0f} chunks/s{note}")
    return corpus, index


def update_big(corpus: Path, index: Path) -> None:
    """`qa index update` after editing 40 documents, adding 10 and removing 10."""
    import random

    from make_corpus import make_document, seed_sentences

    rng = random.Random(time.time_ns())
    sentences = seed_sentences()
    for old in corpus.glob("upd_*.txt"):
        old.unlink()
    paths = sorted(corpus.glob("gen_*.txt"))
    for path in rng.sample(paths, 40):
        path.write_text(path.read_text(encoding="utf-8") + "\n" + " ".join(rng.sample(sentences, 2)) + f" (Edit {rng.randint(0, 10**9)}.)\n", encoding="utf-8")
    for i in range(10):
        (corpus / f"upd_{i:03d}.txt").write_text(make_document(rng, sentences, 900_000 + i), encoding="utf-8")
    removed = rng.sample([p for p in paths if p.exists()], 10)
    for path in removed:
        path.rename(path.with_suffix(".removed"))
    say("qa index update on the big corpus")
    began = time.perf_counter()
    out = qa_cli("index", "update", "--corpus", str(corpus), "--index", str(index))
    seconds = time.perf_counter() - began
    last = out.strip().splitlines()[-1] if out.strip() else ""
    row("big corpus: `qa index update` (40 changed, 10 added, 10 removed)", f"{seconds:.0f} s: {last}")
    for path in removed:  # back for the next run, which then sees them as added
        path.with_suffix(".removed").rename(path)


def big_answers(corpus: Path, index: Path, runs: int) -> None:
    walls, cpus = runs_of([QA, "ask", QUESTION, "--index", str(index), "--corpus", str(corpus)], max(3, runs // 2), check=True)
    row("big corpus: cold `qa ask` (median wall / CPU)", f"{median(walls):.2f} s / {median(cpus):.2f} s")
    probe = (
        "import json, os, sys, gc\n"
        "from pathlib import Path\n"
        "def rss():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) * 1024\n"
        "from qa import api\n"
        "import numpy, faiss, onnxruntime\n"
        "gc.collect(); before = rss()\n"
        f"loaded = api.open_index(Path({str(index)!r}))\n"
        "gc.collect(); mid = rss()\n"
        "loaded.query_encoder()\n"
        "gc.collect(); after = rss()\n"
        "print(json.dumps({'chunks': loaded.chunk_count, 'rss': mid - before, 'encoder': after - mid}))\n"
    )
    done = subprocess.run([PY, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    if done.returncode == 0:
        info = json.loads(done.stdout.strip().splitlines()[-1])
        disk = sum(p.stat().st_size for p in (index / (index / "CURRENT").read_text().strip()).rglob("*") if p.is_file() and "encoder" not in p.parts)
        row("big corpus: memory of an open index per chunk (RSS)",
            f"{info['rss'] / info['chunks'] / 1024:.1f} KiB ({info['rss'] / 2**20:.0f} MiB for {info['chunks']} chunks)")
        row("big corpus: memory of the query encoder (RSS, fixed)", f"{info['encoder'] / 2**20:.0f} MiB")
        row("big corpus: index on disk per chunk (without encoder/)", f"{disk / info['chunks'] / 1024:.1f} KiB")
    else:
        row("big corpus: memory per chunk", "probe failed: " + done.stderr.strip().splitlines()[-1])


# ---------------------------------------------------------------- 1,000,000 vectors


def windows(work: Path, encoder_folder: Path, count: int = 20_000):
    """Real MiniLM embeddings of random word windows of the seed sentences (cached): the
    generated corpus repeats 128 sentences, too few distinct vectors for a million."""
    import random

    import numpy as np
    from make_corpus import seed_sentences

    from qa.embed.onnx import load_fast_encoder

    path = work / f"windows-{count}.npy"
    if path.is_file():
        return np.load(path)
    rng = random.Random(0)
    words = [s.split() for s in seed_sentences() if len(s.split()) >= 3]
    texts = set()
    while len(texts) < count:
        sentence = rng.choice(words)
        size = rng.randint(3, min(20, len(sentence)))
        lo = rng.randint(0, len(sentence) - size)
        texts.add(" ".join(sentence[lo : lo + size]))
        if len(texts) < count and rng.random() < 0.3:  # and some pairs of windows from two sentences
            other = rng.choice(words)
            texts.add(" ".join(sentence[lo : lo + size] + other[: rng.randint(2, min(12, len(other)))]))
    say(f"embedding {count} word windows for the scale test (cached)")
    encoder = load_fast_encoder(encoder_folder, MODEL, threads=os.cpu_count() or 2)
    encoder.batch_size = 64
    vectors = encoder.encode(sorted(texts))
    np.save(path, vectors)
    return vectors


def _bases(work: Path, folder: Path):
    """Distinct real chunk embeddings of the big index (not the "(Item n-m.)" markers) and word windows."""
    import numpy as np

    from qa import api
    from qa.embed import cache

    loaded = api.open_index(folder.parent)
    stored = loaded.vectors.all()
    keep = [i for i, c in enumerate(loaded.chunks) if not c.text.startswith("(Item")]
    return np.vstack([np.unique(stored[keep], axis=0), windows(work, cache.folder_of(loaded.manifest["model"]["encoder"]))])


def million(work: Path, index: Path, count: int, pull: float = 0.3, noise: float = 0.2) -> None:
    """Approximate indexes over vectors with the structure of real embeddings.

    Each vector is a real MiniLM embedding (see _bases) moved a random part (up to
    `pull`) of the way towards another real one, plus a small random perturbation
    (norm `noise`), normalised: clusters and directions as in real text, without
    the exact ties of copies.
    """
    import faiss
    import numpy as np

    from qa.embed.onnx import cached_encoder
    from qa.index import store, vectors
    from qa.index.vectors import FaissVectors

    folder, _ = store.open_version(index)
    cached = work / "million-bases.npy"  # made once: each run's update changes the big index a little
    if not cached.is_file():
        np.save(cached, _bases(work, folder))
    base = np.load(cached)
    dim = base.shape[1]
    rng = np.random.default_rng(0)
    say(f"{count} vectors from {len(base)} real embeddings: distinct chunks and word windows (pull {pull}, noise {noise})")

    def make(n: int) -> np.ndarray:
        a, b = base[rng.integers(0, len(base), n)], base[rng.integers(0, len(base), n)]
        v = a + rng.uniform(0, pull, (n, 1)).astype(np.float32) * (b - a)
        v += rng.standard_normal((n, dim), dtype=np.float32) * (noise / np.sqrt(dim))
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    matrix = np.empty((count, dim), dtype=np.float32)
    for lo in range(0, count, 100_000):
        matrix[lo : lo + 100_000] = make(min(100_000, count - lo))
    asked = cached_encoder(MODEL).encode(questions())
    queries = np.vstack([make(200), asked]).astype(np.float32)  # unseen vectors, and the evaluation questions
    say("exact top-10 for the queries (flat)")
    flat = faiss.IndexFlatIP(dim)
    flat.add(matrix)
    _, truth = flat.search(queries, 10)
    del flat
    gc.collect()
    signature = {"count": count, "pull": pull, "noise": noise, "base": len(base), "hnsw": [vectors.HNSW_M, vectors.HNSW_EF_CONSTRUCTION],
                 "ivf": vectors.ivf_lists(count)}

    def measure(loaded) -> tuple[float, float, float]:
        times, hits = [], 0
        for q, want in zip(queries, truth):
            began = time.perf_counter()
            _, ids = loaded.search(q, 10)
            times.append((time.perf_counter() - began) * 1000)
            hits += len(set(ids.tolist()) & set(want.tolist()))
        return median(times), percentile(times, 0.95), hits / truth.size

    for kind in ("hnsw", "ivf"):
        path = work / f"million-{kind}.faiss"
        stamp = work / f"million-{kind}.json"
        built = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if built.get("signature") == signature and path.is_file():
            note = ", cached"
        else:
            say(f"building {kind} over {count} vectors")
            began = time.perf_counter()
            FaissVectors.build(matrix, kind).save(path)
            built = {"signature": signature, "seconds": time.perf_counter() - began}
            stamp.write_text(json.dumps(built))
            note = ""
        loaded = FaissVectors.load(path)
        ms, p95, recall = measure(loaded)
        setting = f"efSearch {loaded.effort}" if kind == "hnsw" else f"nprobe {loaded.effort}/{loaded.lists}"
        row(f"{count // 1000}k {kind} ({setting}): search median / p95", f"{ms:.2f} / {p95:.2f} ms", "<= 10 ms", ms <= 10)
        row(f"{count // 1000}k {kind} ({setting}): recall@10 vs exact ({len(queries)} queries)", f"{recall:.3f}", ">= 0.95", recall >= 0.95)
        row(f"{count // 1000}k {kind}: vector index bytes per chunk / build time", f"{path.stat().st_size / count:.0f} B / {built['seconds']:.0f} s{note}")
        sweep = []
        for level in ((64, 256, 512) if kind == "hnsw" else (loaded.lists // 64, loaded.lists // 16, loaded.lists // 8)):
            loaded.effort = level
            ms, _p95, recall = measure(loaded)
            sweep.append(f"{level}: {recall:.3f} in {ms:.1f} ms")
        row(f"  {count // 1000}k {kind} sweep ({'efSearch' if kind == 'hnsw' else 'nprobe'}: recall in median time)", "; ".join(sweep))
        del loaded
        gc.collect()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the seed-corpus figures (cold ask, --help, warm latency, build throughput)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-bench"), help="folder for generated corpora, indexes and vectors (kept between runs)")
    parser.add_argument("--runs", type=int, default=7, help="runs per cold-start timing (the median is reported; at least 5)")
    parser.add_argument("--tput-docs", type=int, default=400, help="generated documents for the build-throughput figure (about 24 distinct chunks each)")
    parser.add_argument("--chunks", type=int, default=100_000, help="chunks in the big corpus")
    parser.add_argument("--vectors", type=int, default=1_000_000, help="vectors in the scale test")
    parser.add_argument("--reader-fp32", type=Path, help="an fp32 export of the reader to time beside the shipped int8 one")
    parser.add_argument("--docs", action="store_true", help=f"only the build of {DOC_PAGES} Python doc pages (python3.11-doc, "
                                                              "fetched with apt-get download) and its one-page update")
    parser.add_argument("--baseline", metavar="REV", help="also time cold `qa ask` of this git revision, alternating with this tree")
    args = parser.parse_args()
    args.runs = max(5, args.runs)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    say(f"qa bench: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, work folder {args.work}")

    if args.docs:
        docs_build(args.work)
        _table(args, started)
        return
    index = seed_index(args.work)
    startup_figures(index, args.runs)
    if args.baseline:
        baseline_figures(args.work, args.baseline, index, args.runs)
    warm_latency(index, "seed corpus", 30, 80)
    reader_figures(index, args.reader_fp32)
    build_throughput(args.work, args.tput_docs)
    extraction_figures()
    if not args.quick:
        corpus, big = big_corpus(args.work, args.chunks)
        update_big(corpus, big)
        big_answers(corpus, big, args.runs)
        warm_latency(big, "big corpus", 80, None, rounds=2)
        million(args.work, big, args.vectors)
        docs_build(args.work)
    _table(args, started)


def _table(args, started: float) -> None:
    print()
    print(f"qa bench {'--quick ' if args.quick else ''}on {platform.node()}: {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load average now {os.getloadavg()[0]:.1f}, took {(time.perf_counter() - started) / 60:.1f} min")
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':<34}  {'target':<12}  result")
    for figure, value, target, ok in rows:
        print(f"{figure:<{width}}  {value:<34}  {target:<12}  {'' if ok is None else ('pass' if ok else 'FAIL')}")


if __name__ == "__main__":
    main()
