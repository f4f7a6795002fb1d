"""Placeholder until the ONNX query encoder lands: no fast encoder is stored yet."""

from __future__ import annotations

from pathlib import Path


def load_fast_encoder(folder: Path, model_name: str):
    return None
