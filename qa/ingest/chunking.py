"""Group sentences into small overlapping chunks for dense retrieval.

Chunks are short (a few sentences) because answers are chosen per sentence and a
sentence's dense score is the best score of the chunks that hold it; short chunks
keep that score specific while still giving a pronoun its antecedent. Boilerplate
never enters a chunk, and a chunk never spans boilerplate.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.ingest.boilerplate import BOILERPLATE
from qa.ingest.sentences import cut_long
from qa.records import Chunk


@dataclass(frozen=True)
class ChunkParams:
    max_chars: int = 500
    max_sentences: int = 1
    overlap: int = 0  # sentences shared by consecutive chunks

    def as_dict(self) -> dict[str, int]:
        return {"max_chars": self.max_chars, "max_sentences": self.max_sentences, "overlap": self.overlap}


def _runs(spans: list[tuple[int, int]], kinds: list[str]) -> list[list[tuple[int, int]]]:
    """Maximal runs of consecutive non-boilerplate sentences."""
    runs: list[list[tuple[int, int]]] = [[]]
    for span, kind in zip(spans, kinds):
        if kind == BOILERPLATE:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(span)
    return [run for run in runs if run]


def _split_long(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than max_chars at white space (or hard, if it has none)."""
    return cut_long(text, span[0], span[1], max_chars)


def chunk_document(doc_id: str, text: str, spans: list[tuple[int, int]], kinds: list[str], params: ChunkParams) -> list[Chunk]:
    chunks: list[Chunk] = []
    for run in _runs(spans, kinds):
        units = [piece for span in run for piece in _split_long(text, span, params.max_chars)]
        i = 0
        while i < len(units):
            j = i + 1
            while j < len(units) and j - i < params.max_sentences and units[j][1] - units[i][0] <= params.max_chars:
                j += 1
            group = tuple(units[i:j])
            start, end = group[0][0], group[-1][1]
            chunks.append(Chunk(doc_id=doc_id, start=start, end=end, text=text[start:end], sentences=group))
            if j >= len(units):
                break
            i = max(i + 1, j - params.overlap)
            # give up overlap that leaves no room for the next unit (that chunk would sit inside this one)
            while i < j and (j - i >= params.max_sentences or units[j][1] - units[i][0] > params.max_chars):
                i += 1
    return chunks
