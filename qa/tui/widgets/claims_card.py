"""Who says what, above the answer cards: one line per value (who gave it, where), the other documents
giving the same value folded under it, so that even nine values leave the first quote on screen.

Each row is a card of its own: Enter opens that document at the sentence, the value highlighted, as
an extract card does; Right on a value unfolds its other documents, Left folds them again.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from qa.citation import claim_lines, location, source_line, visible
from qa.records import Claim, ClaimSource, Extract, Highlight
from qa.tui.widgets.extract_card import ExtractCard


def as_extract(s: ClaimSource) -> Extract:
    """A claim's source as the document view shows an extract: its sentence, the value highlighted."""
    start = s.citation.start or 0
    return Extract(rank=0, quote=s.quote, highlight=Highlight(s.value_start - start, s.value_end - start), score=0.0,
                   kind="body", citation=s.citation)


class ClaimRow(ExtractCard):
    """One document giving one value: the value's own line for its first document, a folded line for the others."""

    BINDINGS = [Binding("right", "unfold", "More sources", show=False), Binding("left", "fold", "Fewer", show=False)]

    def __init__(self, claim: Claim, source: ClaimSource, first: bool) -> None:
        super().__init__(as_extract(source))
        self.claim, self.source, self.first = claim, source, first
        self.add_class("claim-row", "claim-first" if first else "claim-more")

    def render(self) -> Text:
        """One line: the value and who gave it (first document only), then where; what does not fit is cut
        with an ellipsis, never wrapped, so the card keeps one line per row."""
        own = f" (“{visible(self.source.value)}”)" if self.source.value != self.claim.value else ""
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        meta = self.get_component_rich_style("extract-card--meta")
        if self.first:
            text.append(visible(self.claim.value), self.get_component_rich_style("extract-card--highlight"))
            who = visible(self.claim.attributed_to) if self.claim.attributed_to else "(the outlet's own words)"
            text.append(f"  {who}  ", self.get_component_rich_style("extract-card--source"))
            more = len(self.claim.sources) - 1
            text.append(f"{location(self.extract.citation)}{own}", meta)
            if more:
                text.append(f"  +{more} more {'document' if more == 1 else 'documents'} (→)", meta)
        else:
            text.append(f"    {location(self.extract.citation)}{own} · {source_line(self.extract.citation)}", meta)
        return text

    def action_unfold(self) -> None:
        if self.parent is not None:
            for row in self.parent.query(ClaimRow):
                if row.claim is self.claim and not row.first:
                    row.add_class("unfolded")

    def action_fold(self) -> None:
        if self.parent is not None:
            for row in self.parent.query(ClaimRow):
                if row.claim is self.claim and not row.first:
                    row.remove_class("unfolded")
            first = next((r for r in self.parent.query(ClaimRow) if r.claim is self.claim and r.first), None)
            if first is not None and not self.first:
                first.focus()


class ClaimsCard(Vertical):
    def __init__(self, claims: tuple[Claim, ...], agreement: str) -> None:
        super().__init__(classes="claims")
        self.claims, self.agreement = claims, agreement

    def compose(self) -> ComposeResult:
        yield Static(Text(claim_lines(self.claims, self.agreement)[0]), classes="claims-head")
        for claim in self.claims:
            for n, source in enumerate(claim.sources):
                yield ClaimRow(claim, source, n == 0)
