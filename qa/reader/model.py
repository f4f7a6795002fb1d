"""The shipped reader model: `reader.onnx` (int8), its tokenizer, and `reader.json`, the record of how it was
trained (data files and their hashes, recipe, validation figures) and the model's sha256, checked on load
so that a swapped or damaged file is refused rather than trusted. scripts/train_reader.py writes all three.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from qa.errors import QAError

if TYPE_CHECKING:
    import numpy as np

FOLDER = Path(__file__).parent
FORMAT = "qa-reader"
FORMAT_VERSION = 1
MAX_TOKENS = 96  # as trained: the question and the start of the sentence


class Reader(Protocol):
    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """One logit per sentence: how strongly it answers the question."""
        ...


class OnnxReader:
    """The cross-encoder through onnxruntime and `tokenizers`."""

    def __init__(self, folder: Path = FOLDER):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            record = json.loads((folder / "reader.json").read_text(encoding="utf-8"))
            weights = (folder / record["model"]["file"]).read_bytes()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise QAError(f"cannot read the reader model in {folder}: {exc}") from None
        if record.get("format") != FORMAT or record.get("format_version") != FORMAT_VERSION:
            raise QAError(f"{folder / 'reader.json'} is not a {FORMAT} record of version {FORMAT_VERSION}")
        if hashlib.sha256(weights).hexdigest() != record["model"]["sha256"]:
            raise QAError(f"{folder / record['model']['file']} does not match the sha256 in reader.json; "
                          "reinstall qa or retrain it with scripts/train_reader.py")
        self.record = record
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="only_second")
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2  # a batch of candidates splits across both cores (the query encoder's one text does not)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(weights, options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not sentences:
            return np.zeros(0, dtype=np.float32)
        encodings = self.tokenizer.encode_batch([(question, " ".join(s.split())) for s in sentences])
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in
                 ("input_ids", "attention_mask", "token_type_ids")}
        for row, e in enumerate(encodings):
            feeds["input_ids"][row, : len(e.ids)] = e.ids
            feeds["token_type_ids"][row, : len(e.ids)] = e.type_ids
            feeds["attention_mask"][row, : len(e.ids)] = 1
        return self.session.run(None, {k: feeds[k] for k in self.inputs})[0][:, 0].astype(np.float64)


@functools.cache
def load(folder: Path = FOLDER) -> OnnxReader:
    return OnnxReader(folder)
