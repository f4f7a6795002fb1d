"""Who says what, above the answer cards: each value, who gave it, and every document that gives it.

Each row is a card of its own: Enter opens that document at the sentence, the value
highlighted, as an extract card does.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from qa.citation import claim_lines, location, source_line, visible
from qa.records import Claim, ClaimSource, Extract, Highlight
from qa.tui.widgets.extract_card import ExtractCard


def as_extract(s: ClaimSource) -> Extract:
    """A claim's source as the document view shows an extract: its sentence, the value highlighted."""
    return Extract(rank=0, quote=s.quote, highlight=Highlight(s.value_start - s.start, s.value_end - s.start), score=0.0,
                   doc_id=s.doc_id, path=s.path, title=s.title, publisher=s.publisher, date=s.date, start=s.start, end=s.end,
                   line=s.line, page=s.page, file=s.file)


class ClaimRow(ExtractCard):
    """One document giving one value."""

    def __init__(self, claim: Claim, source: ClaimSource, first: bool) -> None:
        super().__init__(as_extract(source))
        self.claim, self.source, self.first = claim, source, first
        self.add_class("claim-row")

    def render(self) -> Text:
        """The value and who gave it on a line of their own (first document only), then where: no
        columns to overflow, so a long speaker or a narrow terminal never breaks a path."""
        own = f" (“{visible(self.source.value)}”)" if self.source.value != self.claim.value else ""
        text = Text(end="")
        if self.first:
            text.append(visible(self.claim.value), self.get_component_rich_style("extract-card--highlight"))
            who = visible(self.claim.attributed_to) if self.claim.attributed_to else "(the outlet's own words)"
            text.append(f"  {who}\n", self.get_component_rich_style("extract-card--source"))
        text.append(f"  {location(self.extract)}{own} · {source_line(self.extract)}", self.get_component_rich_style("extract-card--meta"))
        return text


class ClaimsCard(Vertical):
    def __init__(self, claims: tuple[Claim, ...], agreement: str) -> None:
        super().__init__(classes="claims")
        self.claims, self.agreement = claims, agreement

    def compose(self) -> ComposeResult:
        yield Static(Text(claim_lines(self.claims, self.agreement)[0]), classes="claims-head")
        for claim in self.claims:
            for n, source in enumerate(claim.sources):
                yield ClaimRow(claim, source, n == 0)
