"""Where the corpus and the index are when the user does not say: light enough for start-up."""

from __future__ import annotations

import os
from pathlib import Path


def default_paths(corpus: Path | None = None, index: Path | None = None) -> tuple[Path, Path]:
    """--corpus/--index, else QA_CORPUS/QA_INDEX, else ./corpus and ./index."""
    return (
        corpus or Path(os.environ.get("QA_CORPUS") or "corpus"),
        index or Path(os.environ.get("QA_INDEX") or "index"),
    )
