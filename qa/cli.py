"""The `qa` command: a thin face over qa.api.

Exit codes: 0 answered, 1 the documents do not answer, 2 usage or index/corpus
errors. The library is imported inside each command so `qa --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Answer questions over a folder of documents with verbatim, attributed quotes.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Build, update and inspect the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")

CorpusOpt = Annotated[Optional[Path], typer.Option(
    "--corpus", help="Folder of .txt/.md documents (default: $QA_CORPUS or ./corpus).", show_default=False)]
IndexOpt = Annotated[Optional[Path], typer.Option(
    "--index", help="Index folder (default: $QA_INDEX or ./index).", show_default=False)]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", help="sentence-transformers model folder or name (default: the bundled all-MiniLM-L6-v2).", show_default=False)]
TopKOpt = Annotated[int, typer.Option("-k", "--top-k", min=1, help="How many extracts to show at most.")]
MinScoreOpt = Annotated[Optional[float], typer.Option(
    "--min-score", min=0.0, max=1.0, show_default=False,
    help="Confidence an extract needs to be shown (0-1; the default is fitted on the eval training split). Lower it to see weaker matches.")]
IndexTypeOpt = Annotated[str, typer.Option(
    "--index-type", help="FAISS index: flat (exact), hnsw, ivf, or auto (flat below 50,000 chunks, else hnsw).")]
FollowOpt = Annotated[Optional[bool], typer.Option(
    "--follow-symlinks/--no-follow-symlinks", show_default=False,
    help="Also read files and folders that links lead to outside the corpus folder (default: only files inside it; "
         "an update keeps what the index was built with).")]



def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "code", 2))


class _Bar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last: tuple[str, bool] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = {"read": "reading", "embed": "embedding", "write": "writing"}[stage]
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif (stage, done >= total) != self.last:
            self.last = (stage, done >= total)
            sys.stderr.write(f"{label} {done}/{total}\n")


def _build(session, index_type: str, incremental: bool, follow_symlinks: bool | None = None):
    from qa.citation import visible

    report = session.build(_Bar(), incremental=incremental, index_type=index_type, follow_symlinks=follow_symlinks)
    for skipped in report.skipped:
        typer.echo(f"warning: skipped {visible(skipped.path)}: {visible(skipped.reason)}", err=True)
    for note in report.notes:
        typer.echo(f"warning: {visible(note)}", err=True)
    return report


def _names(paths: tuple[str, ...], most: int = 3) -> str:
    from qa.citation import visible

    shown = ", ".join(visible(p) for p in paths[:most]) + (f", and {len(paths) - most} more" if len(paths) > most else "")
    return f" ({shown})" if paths else ""


@index_app.command("build")
def index_build(corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None, index_type: IndexTypeOpt = "auto",
                follow_symlinks: FollowOpt = None) -> None:
    """Rebuild the whole index from the corpus (every chunk is embedded again)."""
    from qa.api import Session
    from qa.errors import QAError

    session = Session(corpus, index, model=model)
    try:
        report = _build(session, index_type, incremental=False, follow_symlinks=follow_symlinks)
    except QAError as exc:
        _fail(exc)
    typer.echo(f"indexed {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s -> {session.index_path}")


@index_app.command("update")
def index_update(corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None, index_type: IndexTypeOpt = "auto",
                 follow_symlinks: FollowOpt = None) -> None:
    """Bring the index up to date: embed only new and changed chunks, drop removed documents."""
    from qa.api import Session
    from qa.errors import QAError

    try:
        r = _build(Session(corpus, index, model=model), index_type, incremental=True, follow_symlinks=follow_symlinks)
    except QAError as exc:
        _fail(exc)
    for kind in ("added", "changed", "removed", "unchanged"):
        paths = getattr(r, kind)
        typer.echo(f"{kind:<9} {len(paths)}{_names(paths)}")
    typer.echo(f"embedded {r.embedded} chunks; index holds {r.documents} documents, {r.chunks} chunks; {r.seconds:.1f} s")


@index_app.command("status")
def index_status(corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Show what the index holds and whether the corpus changed since it was built."""
    from qa.api import status
    from qa.errors import QAError
    from qa.paths import default_paths

    corpus, index = default_paths(corpus, index)
    try:
        s = status(corpus, index)
    except QAError as exc:
        _fail(exc)
    if not s.exists:
        typer.echo(f"no index at {index}; build one with: qa index build")
        raise typer.Exit(1)
    typer.echo(f"index     {index}\nbuilt     {s.created}\nmodel     {s.model} ({s.dim} dimensions, {s.index_type})")
    typer.echo(f"holds     {s.documents} documents, {s.chunks} chunks")
    from qa.citation import visible

    for skipped in s.skipped:
        typer.echo(f"skipped   {visible(skipped.path)}: {visible(skipped.reason)}")
    if s.diff is None:
        typer.echo(f"corpus    {corpus} cannot be read")
    elif s.diff.stale:
        typer.echo(f"corpus    changed since the build: {len(s.diff.added)} added{_names(s.diff.added)}, "
                   f"{len(s.diff.changed)} changed{_names(s.diff.changed)}, {len(s.diff.removed)} removed{_names(s.diff.removed)}; "
                   "run: qa index update")
    else:
        typer.echo(f"corpus    {corpus} unchanged since the build")


def _render(answer, color: bool) -> str:
    from qa.api import REFUSAL
    from qa.citation import also_in_line, location, quote_parts, source_line, visible

    if not answer.answered:
        return (f"{REFUSAL.rstrip('.')}: {visible(answer.question)}\n"
                "(lower --min-score to see the nearest passages)\n")
    lines = []
    for e in answer.extracts:
        before, best, after = quote_parts(e)
        best = f"\x1b[1;33m{best}\x1b[0m" if color else f"**{best}**"
        lines.append(f"{e.rank}. “{before}{best}{after}”")
        lines.append(f"   — {source_line(e)} · {location(e)}   score {e.score:.2f}")
        lines.extend(f"   also in: {also_in_line(s)}" for s in e.also_in)
        lines.append("")
    return "\n".join(lines)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, or - to read one question per line from stdin.")],
    top_k: TopKOpt = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question instead of text.")] = False,
    min_score: MinScoreOpt = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", help="Only documents whose publisher or path contains this text.", show_default=False)] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Only documents dated on or after this day (YYYY-MM-DD).", show_default=False)] = None,
    until: Annotated[Optional[str], typer.Option(
        "--until", help="Only documents dated on or before this day (YYYY-MM-DD).", show_default=False)] = None,
    corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None,
) -> None:
    """Answer a question with quoted extracts from the documents (built index first if there is none)."""
    from qa import api
    from qa.errors import QAError
    from qa.records import Filters

    session = api.Session(corpus, index, model=model, top_k=top_k, min_score=min_score)
    try:
        filters = Filters(source=source, since=_day(since, "--since"), until=_day(until, "--until"))
        questions = _questions(question)  # the first line of stdin is read before any index work
        if not session.has_index():
            typer.echo(f"no index at {session.index_path} yet; building it from {session.corpus}", err=True)
            _build(session, "auto", incremental=False)
        loaded = session.open()
        diff = session.stale(loaded)
        if diff is not None and diff.stale:
            typer.echo(f"warning: the corpus changed since the index was built ({api.changes(diff)}); run: qa index update", err=True)
        color = not as_json and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        all_answered, refused = True, False
        for line in questions:  # each line of stdin is answered as soon as it arrives
            if line.note:
                typer.echo(f"warning: {line.note}", err=True)
            if line.text is None:  # not a question: said, and the rest are still answered
                typer.echo(f"error: {line.problem}", err=True)
                refused = True
                continue
            q = line.text
            answer = session.ask(loaded, q, filters)
            all_answered &= answer.answered
            if as_json:
                typer.echo(json.dumps(api.answer_dict(answer), ensure_ascii=False))
            else:
                if question == "-":
                    from qa.citation import visible

                    typer.echo(f"Q: {visible(q)}")
                typer.echo(_render(answer, color))
    except QAError as exc:
        _fail(exc)
    raise typer.Exit(2 if refused else 0 if all_answered else 1)


def _day(value: str | None, flag: str) -> str | None:
    from datetime import date

    from qa.errors import QAError

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise QAError(f"{flag} takes a date as YYYY-MM-DD, not {value!r}") from None


def _questions(question: str):
    """The questions as api.Line records: the argument, or each line of stdin as it arrives
    (the first is read at once, so that empty stdin fails before any index work)."""
    import itertools

    from qa import api
    from qa.errors import QAError

    if question == "-":
        lines = api.read_lines(sys.stdin.buffer)
        first = next(lines, None)
        if first is None:
            raise QAError("no question on stdin (one question per line)")
        return itertools.chain([first], lines)
    if not question.strip():
        raise QAError("the question is empty; ask something, e.g. qa ask \"How many prisoners were freed?\"")
    return iter([api.Line(1, api.check_question(question))])


@app.command()
def chat(corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None, top_k: TopKOpt = 3,
         min_score: MinScoreOpt = None) -> None:
    """Open the full-screen chat over the documents."""
    from qa.paths import default_paths
    from qa.tui.app import make_app

    corpus, index = default_paths(corpus, index)
    chat_app = make_app(corpus=corpus, index=index, model=model, top_k=top_k, min_score=min_score)
    chat_app.run()
    raise typer.Exit(getattr(chat_app, "return_code", 0) or 0)  # a crash of the app is never exit 0


def _opened(session):
    """The session's index, built first if there is none (as `qa ask` does)."""
    if not session.has_index():
        typer.echo(f"no index at {session.index_path} yet; building it from {session.corpus}", err=True)
        _build(session, "auto", incremental=False)
    return session.open()


@app.command()
def docs(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: {\"documents\": [...], \"skipped\": [...]}.")] = False,
    corpus: CorpusOpt = None, index: IndexOpt = None,
) -> None:
    """List the indexed documents: format, title, publisher, author, date, url, pages, and where each came from."""
    from dataclasses import asdict

    from qa import api
    from qa.citation import visible
    from qa.errors import QAError

    session = api.Session(corpus, index)
    try:
        if not session.has_index():
            _opened(session)
        found = api.listing(session.index_path)
    except QAError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(asdict(found), ensure_ascii=False))
        return
    for d in found.documents:
        typer.echo(f"{visible(d.path)}  ({d.format}{f', {d.pages} pages' if d.pages else ''})")
        for name in ("title", "publisher", "author", "date", "url"):
            value = getattr(d, name)
            shown = visible(value) if value else "(not stated)"
            typer.echo(f"  {name:<9} {shown}" + (f"  [{d.origins[name]}]" if value and name in d.origins else ""))
        for note in d.notes:
            typer.echo(f"  note      {visible(note)}")
    for s in found.skipped:
        typer.echo(f"skipped {visible(s.path)}: {visible(s.reason)}")


@app.command()
def show(
    path: Annotated[str, typer.Argument(help="The document, as its path in the corpus (as `qa docs` lists it) or a path to the file.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print {\"path\", \"text\", \"sentences\": [...]} with every sentence's offsets and kind.")] = False,
    corpus: CorpusOpt = None, index: IndexOpt = None,
) -> None:
    """Print the text qa indexed for one document: exactly the text that quotes and offsets refer to."""
    from dataclasses import asdict

    from qa import api
    from qa.citation import visible_lines
    from qa.errors import QAError

    session = api.Session(corpus, index)
    try:
        shown = api.show(_opened(session), session.corpus, path)
    except QAError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(asdict(shown), ensure_ascii=False))
    elif sys.stdout.isatty():
        typer.echo(visible_lines(shown.text))  # a document's control characters never reach the terminal raw
    else:
        sys.stdout.write(shown.text)  # piped: exactly the indexed text, so offsets can be checked against it


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        if sys.argv[1:2] == ["ask"]:
            # Tearing down numpy, faiss and onnxruntime at exit costs ~0.15 s of a cold ask;
            # everything is printed and nothing is left to write, so leave at once.
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so without a traceback (QA_DEBUG=1 shows it)
        if os.environ.get("QA_DEBUG"):
            raise
        typer.echo(f"error: unexpected {exc.__class__.__name__}: {exc} (set QA_DEBUG=1 for details)", err=True)
        sys.exit(2)
