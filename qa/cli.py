"""The `qa` command: a thin face over qa.api.

Exit codes: 0 answered, 1 the documents do not answer (or a filter matches no
document, or `status --check` finds the corpus changed), 2 usage or index/corpus
errors. The library is imported inside each command so `qa --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand


class _Command(TyperCommand):
    """A command whose --help states the defaults as they are now: the folders (from $QA_CORPUS
    and $QA_INDEX, else ./corpus and ./index) and the fitted --min-score."""

    def format_help(self, ctx, formatter) -> None:
        from qa import api

        corpus, index = api.default_paths()
        now = {"corpus": lambda: api.shown(corpus), "index": lambda: api.shown(index),
               "min_score": lambda: f"{api.default_min_score():.3f}"}
        saved = [(param, param.default, param.show_default, param.help) for param in self.params
                 if param.name in now and isinstance(param, typer.core.TyperOption)]
        try:
            for param, _default, _show, text in saved:
                param.default, param.show_default = now[str(param.name)](), True
                param.help = (text or "").replace("FORMATS", api.formats())  # the formats the readers read
            super().format_help(ctx, formatter)
        finally:  # only the help shows them: the command still receives None and applies the policy itself
            for param, default, show, text in saved:
                param.default, param.show_default, param.help = default, show, text

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [piece.strip("{}") for piece in super().collect_usage_pieces(ctx)]  # QUESTION..., not {QUESTION...}


app = typer.Typer(
    help="Answer questions over a folder of documents with verbatim, attributed quotes.",
    no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False, rich_markup_mode=None,
)
index_app = typer.Typer(help="Build, update and inspect the index.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(index_app, name="index")

CorpusOpt = Annotated[Optional[Path], typer.Option(
    "--corpus", metavar="DIR", show_default=False, readable=False,  # the core says what cannot be read, and why
    help="Folder of documents: FORMATS, read recursively ($QA_CORPUS if set, else ./corpus).")]
IndexOpt = Annotated[Optional[Path], typer.Option(
    "--index", metavar="DIR", show_default=False, readable=False, help="Index folder ($QA_INDEX if set, else ./index).")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", metavar="NAME", show_default=False,
    help="Model the index must have been built with (a local SentenceTransformer folder, or the bundled model's "
         "name); a missing index is built with it [default: no check, and the bundled all-MiniLM-L6-v2 for a new index].")]
BuildModelOpt = Annotated[Optional[str], typer.Option(
    "--model", metavar="NAME", show_default=False,
    help="Model to embed with (a local SentenceTransformer folder, or the bundled model's name) [default: the model "
         "the index was built with, else the bundled all-MiniLM-L6-v2].")]
TopKOpt = Annotated[int, typer.Option("-k", "--top-k", metavar="N", callback=lambda v: _at_least_one(v),
                                      help="Show at most N extracts (1 or more).")]
MinScoreOpt = Annotated[Optional[float], typer.Option(
    "--min-score", metavar="X", show_default=False, callback=lambda v: _zero_to_one(v),
    help="Confidence, from 0 to 1, an extract needs to be shown (fitted on the training questions by scripts/fit.py); "
         "lower it to see weaker matches.")]
IndexTypeOpt = Annotated[str, typer.Option(
    "--index-type", metavar="TYPE",
    help="FAISS index: flat (exact search), hnsw, ivf, or auto (flat below 50,000 chunks, else hnsw).")]
FollowOpt = Annotated[Optional[bool], typer.Option(
    "--follow-symlinks/--no-follow-symlinks", show_default=False,
    help="Also read files and folders that links lead to outside the corpus folder (default: only files inside it; "
         "an update keeps what the index was built with).")]



def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "code", 2))


class _Bar:
    """Build progress on stderr: a one-line bar with the rate and an ETA on a terminal; plain lines
    when stderr is not one (each stage's start and end, and a line every PLAIN_EVERY seconds)."""

    LABELS = {"read": ("reading", "files"), "annotate": ("annotating", "sentences"), "embed": ("embedding", "chunks"),
              "write": ("writing", "")}
    PLAIN_EVERY = 10.0

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.stage: str | None = None
        self.began = self.shown = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        first = stage != self.stage
        if first:
            self.stage, self.began = stage, now
        label, unit = self.LABELS[stage]
        text = f"{done:,}/{total:,}" + (f" {unit}" if unit else "")
        spent = now - self.began
        if 0 < done < total and spent >= 1:
            rate = done / spent
            text += f" · {rate:,.0f}/s · ETA {_duration((total - done) / rate)}"
        elif done >= total and spent >= 1:
            text += f" in {_duration(spent)}"
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {text}\x1b[K")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif first or done >= total or now - self.shown >= self.PLAIN_EVERY:
            self.shown = now
            sys.stderr.write(f"{label} {text}\n")
            sys.stderr.flush()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


def _say(line: str) -> None:
    typer.echo(line, err=True)


def _build(session, index_type: str, incremental: bool, follow_symlinks: bool | None = None):
    from qa.api import build_warnings

    report = session.build(_Bar(), incremental=incremental, index_type=index_type, follow_symlinks=follow_symlinks)
    for line in build_warnings(report):
        _say(line)
    return report


def _names(paths: tuple[str, ...], most: int = 3) -> str:
    from qa.citation import visible

    shown = ", ".join(visible(p) for p in paths[:most]) + (f", and {len(paths) - most} more" if len(paths) > most else "")
    return f" ({shown})" if paths else ""


@index_app.command("build", cls=_Command)
def index_build(corpus: CorpusOpt = None, index: IndexOpt = None, model: BuildModelOpt = None, index_type: IndexTypeOpt = "auto",
                follow_symlinks: FollowOpt = None) -> None:
    """Rebuild the whole index from the corpus (every chunk is embedded again)."""
    from qa.api import Session
    from qa.errors import QAError

    session = Session(corpus, index, model=model)
    try:
        report = _build(session, index_type, incremental=False, follow_symlinks=follow_symlinks)
    except QAError as exc:
        _fail(exc)
    typer.echo(f"indexed {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s -> {_shown(session.index_path)}")


@index_app.command("update", cls=_Command)
def index_update(corpus: CorpusOpt = None, index: IndexOpt = None, model: BuildModelOpt = None, index_type: IndexTypeOpt = "auto",
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


@index_app.command("status", cls=_Command)
def index_status(corpus: CorpusOpt = None, index: IndexOpt = None, check: Annotated[bool, typer.Option(
        "--check", help="Exit 1 when the corpus changed since the build (or there is no index), 0 when the index is "
                        "current, 2 when the corpus cannot be read, like git diff --exit-code.")] = False) -> None:
    """Show what the index holds and whether the corpus changed since it was built.

    Without --check the exit status is 0 whenever there is an index, changed or not."""
    from qa.api import Session
    from qa.errors import QAError

    session = Session(corpus, index)
    try:
        s = session.status()
    except QAError as exc:
        _fail(exc)
    if not s.exists:
        typer.echo(f"no index at {_shown(session.index_path)}; build one with: {session.command('build')}")
        raise typer.Exit(1)
    typer.echo(f"index     {_shown(session.index_path)}\nbuilt     {s.created}\nmodel     {s.model} ({s.dim} dimensions, {s.index_type})")
    typer.echo(f"holds     {s.documents} documents, {s.chunks} chunks")
    from qa.citation import visible

    for skipped in s.skipped:
        typer.echo(f"skipped   {visible(skipped.path)}: {visible(skipped.reason)}")
    if s.diff is None:
        typer.echo(f"corpus    {_shown(session.corpus)} cannot be read")
    elif s.diff.stale:
        typer.echo(f"corpus    changed since the build: {len(s.diff.added)} added{_names(s.diff.added)}, "
                   f"{len(s.diff.changed)} changed{_names(s.diff.changed)}, {len(s.diff.removed)} removed{_names(s.diff.removed)}; "
                   f"run: {session.command('update')}")
    else:
        typer.echo(f"corpus    {_shown(session.corpus)} unchanged since the build")
    if check:
        raise typer.Exit(2 if s.diff is None else int(s.diff.stale))


def _render(answer, color: bool, notes: tuple[str, ...] = (), min_score: float = 0.0) -> str:
    from qa.api import REFUSAL, weaker
    from qa.citation import also_in_line, claim_lines, location, quote_parts, source_line, visible

    if not answer.answered:
        return "\n".join([f"{REFUSAL.rstrip('.')}: {visible(answer.question)}", *notes, *weaker(answer, min_score)]) + "\n"
    lines = claim_lines(answer.claims, answer.agreement, link=color)
    if lines:
        lines.append("")
    for e in answer.extracts:
        before, best, after = quote_parts(e)
        wording = e.quote[e.highlight.start:e.highlight.end]
        best = f"\x1b[1;33m{best}\x1b[0m" if color else f"**{best}**"
        lines.append(f"{e.rank}. “{before}{best}{after}”")
        lines.append(f"   — {source_line(e.citation, e.kind)} · {location(e.citation, link=color)}   score {e.score:.2f}")
        lines.extend(f"   also in: {also_in_line(s, link=color, wording=wording)}" for s in e.also_in)
        lines.append("")
    return "\n".join(lines)


@app.command(cls=_Command)
def ask(
    question: Annotated[list[str], typer.Argument(
        metavar="QUESTION...", show_default=False, help="The question's words, or - to read questions from stdin.")],
    top_k: TopKOpt = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question, one per line, instead of text.")] = False,
    min_score: MinScoreOpt = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", metavar="TEXT", help="Only documents whose publisher or path contains TEXT, in any case [default: every document].",
        show_default=False)] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", metavar="DATE", help="Only documents dated on or after DATE (YYYY-MM-DD); undated ones are left "
                                        "out [default: no limit].",
        show_default=False)] = None,
    until: Annotated[Optional[str], typer.Option(
        "--until", metavar="DATE", help="Only documents dated on or before DATE (YYYY-MM-DD); undated ones are left "
                                        "out [default: no limit].",
        show_default=False)] = None,
    corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None,
) -> None:
    """Answer QUESTION with verbatim extracts from the documents, each with its source.

    The words need no quotes (qa ask how many prisoners were freed). With - instead,
    read one question per line from stdin, skipping blank lines and lines that start
    with #, and label each answer with its question (--json: one object per line,
    each with "answered"). If there is no index yet, it is built first.

    Exit status: 0 when every question was answered; 1 when any was not (the
    documents do not answer it, or a filter matches no document); 2 for a usage
    error, an unreadable corpus or an unusable index.
    """
    from qa import api
    from qa.errors import QAError
    from qa.records import Filters

    session = api.Session(corpus, index, model=model, top_k=top_k, min_score=min_score)
    try:
        filters = Filters(source=source, since=api.day(since, "--since"), until=api.day(until, "--until"))
        batch = question == ["-"]
        questions = _questions(" ".join(question))  # the first line of stdin is read before any index work
        loaded = session.opened(_Bar(), _say)
        diff = session.readable_corpus(loaded)
        if diff.stale:
            typer.echo(f"warning: the corpus changed since the index was built ({api.changes(diff)}); "
                       f"run: {session.command('update')}", err=True)
        color = not as_json and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        all_answered, refused = True, False
        noted: set[str] = set()
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
            notes = session.explain(answer, loaded, filters)
            for note in notes if answer.answered or as_json else ():
                if note not in noted:  # said once, on stderr, where it does not mix with the answers
                    noted.add(note)
                    typer.echo(f"note: {note}", err=True)
            if as_json:
                typer.echo(json.dumps(api.answer_dict(answer), ensure_ascii=False))
            else:
                if batch:
                    from qa.citation import visible

                    typer.echo(f"Q: {visible(q)}")
                typer.echo(_render(answer, color, () if answer.answered else notes, session.min_score))
    except QAError as exc:
        _fail(exc)
    raise typer.Exit(2 if refused else 0 if all_answered else 1)


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
            raise QAError("no question on stdin (one question per line; blank lines and lines starting with # are skipped)")
        return itertools.chain([first], lines)
    if not question.strip():
        raise QAError("the question is empty; ask something, e.g. qa ask how many prisoners were freed")
    return iter([api.Line(1, api.check_question(question))])


@app.command(cls=_Command)
def chat(corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None, top_k: TopKOpt = 3,
         min_score: MinScoreOpt = None) -> None:
    """Open the full-screen chat over the documents (F1 there lists the keys)."""
    from qa.paths import default_paths
    from qa.tui.app import make_app

    corpus, index = default_paths(corpus, index)
    chat_app = make_app(corpus=corpus, index=index, model=model, top_k=top_k, min_score=min_score)
    chat_app.run()
    raise typer.Exit(getattr(chat_app, "return_code", 0) or 0)  # a crash of the app is never exit 0


@app.command(cls=_Command)
def timeline(
    topic: Annotated[list[str], typer.Argument(metavar="TOPIC...", show_default=False,
                                               help="What to follow: a question or a few words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: {\"question\", \"entries\": [...], \"undated\": [...]}.")] = False,
    min_score: MinScoreOpt = None,
    corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None,
) -> None:
    """List what the documents say about a topic by when it happened or was said (a date each sentence states,
    resolved against its document's date, or else the document's own date)."""
    from dataclasses import asdict

    from qa import api
    from qa.citation import date_basis, entry_source, quote_line, visible
    from qa.errors import QAError

    session = api.Session(corpus, index, model=model, min_score=min_score)
    try:
        found = session.timeline(session.opened(_Bar(), _say), " ".join(topic))
    except QAError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(asdict(found), ensure_ascii=False))
    elif not found.entries and not found.undated:
        typer.echo(f"{api.EMPTY_TIMELINE.rstrip('.')}: {visible(found.question)}")
    else:
        for e in found.entries:
            when = e.date + (f" to {e.date_end}" if e.date_end else "") if e.date else ""
            typer.echo(f"{when}  ({date_basis(e)})\n   “{quote_line(e.quote)}”\n   — {entry_source(e)}\n")
        if found.undated:
            typer.echo("Undated (neither the sentence nor its document gives a date):")
            for e in found.undated:
                typer.echo(f"   “{quote_line(e.quote)}”\n   — {entry_source(e)}\n")
    raise typer.Exit(0 if found.entries or found.undated else 1)


@app.command(cls=_Command)
def docs(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: {\"documents\": [...], \"skipped\": [...]}.")] = False,
    sources_template: Annotated[bool, typer.Option(
        "--sources-template", help="Print a sources.csv to fill in, one row for each document that lacks a title, publisher or date.")] = False,
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
            session.opened(_Bar(), _say)
        found = session.listing()
    except QAError as exc:
        _fail(exc)
    lacking = [d.citation for d in found.documents if not (d.citation.title and d.citation.publisher and d.citation.date)]
    has_sources = api.sources_file(session.corpus).exists()
    if sources_template:
        sys.stdout.write(api.sources_template(found, header=not has_sources))
        return
    if as_json:
        typer.echo(json.dumps(asdict(found), ensure_ascii=False))
        return
    for d in found.documents:
        typer.echo(f"{visible(d.citation.path)}  ({d.format}{f', {d.pages} pages' if d.pages else ''})")
        for name in ("title", "publisher", "author", "date", "url"):
            value = getattr(d.citation, name)
            shown = visible(value) if value else "(not stated)"
            typer.echo(f"  {name:<9} {shown}" + (f"  [{d.origins[name]}]" if value and name in d.origins else ""))
        for note in d.notes:
            typer.echo(f"  note      {visible(note)}")
    for s in found.skipped:
        typer.echo(f"skipped {visible(s.path)}: {visible(s.reason)}")
    if lacking:
        counts = {name: sum(1 for d in found.documents if not getattr(d.citation, name)) for name in ("title", "publisher", "date")}
        typer.echo(f"{len(lacking)} of {len(found.documents)} documents lack a title, publisher or date "
                   f"(no title {counts['title']}, no publisher {counts['publisher']}, no date {counts['date']}); "
                   f"state them in a sources.csv at the corpus root:")
        target = api.shown(api.sources_file(session.corpus))
        typer.echo(f"  qa docs --sources-template {'>>' if has_sources else '>'} {target}")


@app.command(cls=_Command)
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
        shown = api.show(session.opened(_Bar(), _say), session.corpus, path)
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


# -- helpers added for the command-line conventions ------------------------------------------------

def _shown(path: Path) -> str:
    from qa.api import shown

    return shown(path)


def _at_least_one(value: int) -> int:
    if value < 1:
        raise typer.BadParameter(f"{value} is not 1 or more.")
    return value


def _zero_to_one(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"{value:g} is not between 0 and 1.")
    return value


def _show_version(value: bool) -> None:
    if value:
        from qa import __version__

        typer.echo(f"qa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version, help="Print the version and exit.")] = False) -> None:
    pass
