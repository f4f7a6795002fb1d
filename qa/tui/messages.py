"""What the workers report back to the app, and what the screens ask of it: plain dataclasses.

The screens and widgets never call the app: they post these (and a card its own
requests), which bubble up to the app's handlers, so nothing imports qa.tui.app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from qa.records import Answer, BuildReport, CorpusDiff, Timeline

if TYPE_CHECKING:
    from qa.api import Index
    from qa.tui.widgets.turn import Turn


@dataclass
class Asked(Message):
    """A question typed in the chat (or /timeline TOPIC)."""
    question: str


@dataclass
class LoadStage(Message):
    """The index worker moved on (opening the index, loading the encoder)."""
    text: str


@dataclass
class IndexReady(Message):
    index: Index
    diff: CorpusDiff | None


@dataclass
class IndexMissing(Message):
    """There is nothing to answer from yet: no index, or an empty one."""
    reason: str


@dataclass
class IndexFailed(Message):
    error: str


@dataclass
class Answered(Message):
    turn: Turn
    answer: Answer
    notes: tuple[str, ...] = ()  # what the filter did (api.Session.explain)


@dataclass
class Dated(Message):
    """A timeline asked for with /timeline TOPIC."""

    turn: Turn
    timeline: Timeline


@dataclass
class CorpusChecked(Message):
    """The corpus folder was compared with the open index again (after a question)."""
    index: Index
    diff: CorpusDiff | None


@dataclass
class Copied(Message):
    """A quote went to the clipboard: `via` names the system tool that took it, None if only OSC 52 was sent."""
    text: str
    via: str | None


@dataclass
class AskFailed(Message):
    turn: Turn
    error: str


@dataclass
class BuildStep(Message):
    stage: str  # read, embed or write
    done: int
    total: int


@dataclass
class BuildDone(Message):
    report: BuildReport


@dataclass
class BuildFailed(Message):
    error: str
