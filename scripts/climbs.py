"""Follow one question from the CLI to its answer and count how it moves through qa's layers.

    .venv/bin/python scripts/climbs.py ["question"]

Every call and return between qa's own functions is traced (sys.setprofile) while
`qa ask` answers the question in this process, over an index of the bundled corpus
(after one warm-up question, so loading models is not traced). Each module is placed
in its layer as `.importlinter`'s layers contract orders them (qa.main at the top,
qa.controls at the bottom). From the face's call of `Session.ask` to its return it
prints:
- stays: runs of consecutive events in one module; rooms: the distinct modules;
- climbs: calls made from a lower layer into a higher one (a callback, a method of
  an object handed down): against the layering;
- climbs back up: how often the question's work returns up to the pipeline layer
  (qa.pipeline, or a layer above it) from a stage (qa.answer down to qa.index) and
  then goes down again: one per hand-over between stages, each named.
"""

from __future__ import annotations

import configparser
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def layers() -> dict[str, int]:
    """Module prefix -> layer number, 0 the highest."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    contract = next(s for s in config.sections() if config[s].get("type") == "layers")
    out = {}
    for depth, line in enumerate(x.strip() for x in config[contract]["layers"].splitlines() if x.strip()):
        for name in line.split("|"):
            out[name.strip()] = depth
    return out


def layer_of(module: str, table: dict[str, int]) -> int | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in table:
            return table[".".join(parts[:n])]
    return None


def main() -> None:
    from typer.testing import CliRunner

    from qa.cli import app

    question = sys.argv[1] if len(sys.argv) > 1 else "How many political prisoners were freed?"
    index = Path(tempfile.mkdtemp(prefix="qa-climbs-")) / "index"
    runner = CliRunner()
    built = runner.invoke(app, ["index", "build", "--corpus", str(ROOT / "corpus"), "--index", str(index)])
    assert built.exit_code == 0, built.output
    runner.invoke(app, ["ask", "--corpus", str(ROOT / "corpus"), "--index", str(index), question])  # warm: loads models
    table = layers()
    events: list[tuple[str, str, str]] = []  # (event, module, function)
    tracing = [False]

    def profile(frame, event, _arg) -> None:
        if event not in ("call", "return"):
            return
        module, name = frame.f_globals.get("__name__", ""), frame.f_code.co_name
        if module == "qa.api" and name == "ask" and "self" in frame.f_locals:  # Session.ask: the face asks
            tracing[0] = event == "call"
            return
        if tracing[0] and module.startswith("qa.") and layer_of(module, table) is not None:
            events.append((event, module, name))

    sys.setprofile(profile)
    try:
        done = runner.invoke(app, ["ask", "--corpus", str(ROOT / "corpus"), "--index", str(index), question])
    finally:
        sys.setprofile(None)
    assert done.exit_code in (0, 1), done.output
    stays = [m for i, (_e, m, _f) in enumerate(events) if i == 0 or events[i - 1][1] != m]
    top, bottom = layer_of("qa.pipeline", table), layer_of("qa.index", table)  # the stages lie between
    climbs: dict[str, int] = {}
    back: list[str] = []  # each climb back up: the stage left, the stage entered
    stack: list[tuple[str, str]] = []
    left: str | None = None  # the stage just returned from, while the work is back at the pipeline
    for event, module, name in events:
        layer = layer_of(module, table)
        if event == "call":
            if stack and layer < layer_of(stack[-1][0], table):  # type: ignore[operator]
                key = f"{stack[-1][0]} -> {module}.{name}"
                climbs[key] = climbs.get(key, 0) + 1
            if left is not None and layer > top:  # type: ignore[operator]
                back.append(f"{left} -> {module}.{name}")
                left = None
            stack.append((module, name))
        elif stack:
            done_module, done_name = stack.pop()
            if stack and bottom >= layer_of(done_module, table) > top >= layer_of(stack[-1][0], table):  # type: ignore[operator]
                left = f"{done_module}.{done_name}"
    print(f"question: {question}")
    print(f"stays {len(stays)}, rooms {len(set(stays))}, climbs {sum(climbs.values())}, climbs back up {len(back)}")
    for key, n in climbs.items():
        print(f"  climb ({n}x): {key}")
    for step in back:
        print(f"  back up: {step}")


if __name__ == "__main__":
    main()
