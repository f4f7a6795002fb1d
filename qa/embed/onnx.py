"""The encoder that embeds without torch, for builds and questions alike.

Importing torch and sentence-transformers costs seconds, far more than the rest
of a query. So the model's transformer is exported once per machine to ONNX
(qa.embed.cache), next to its tokenizer; a build and a query then need only
onnxruntime and `tokenizers`, with the pooling and normalisation done here in
numpy. The export's matrix weights are quantised to int8 (dynamic, one scale per
output channel): it embeds with 2.4 times less CPU than float32, and its vectors
stay within cosine 0.97 of sentence-transformers' (0.993 on average; the tests
compare the two on hundreds of texts). The index is built and searched with the
same export: a version names its key.

    encoder/model.onnx      input_ids, attention_mask[, token_type_ids] -> last_hidden_state
    encoder/model.data      its weights, stored apart so onnxruntime maps them instead of
                            parsing and copying them
    encoder/tokenizer.json  the model's own fast tokenizer
    encoder/model.json      name (as in the manifest), dim, max_seq_length, pooling, pad token
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 2  # 2: int8 weights
READABLE = (1, FORMAT_VERSION)  # 1: float32 weights, which the indexes of an older qa were embedded with
MODEL_FILE = "model.onnx"
DATA_FILE = "model.data"
TOKENIZER_FILE = "tokenizer.json"
INFO_FILE = "model.json"
POOLINGS = ("mean", "cls", "max")


class OnnxEncoder:
    """`Encoder` over an exported folder: tokenizers + onnxruntime, pooling in numpy."""

    batch_size = 32

    def __init__(self, folder: Path, info: dict, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = folder
        self.name: str = info["name"]
        self.dim: int = int(info["dim"])
        self.pooling: str = info["pooling"]
        self.max_seq_length = int(info["max_seq_length"])

        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer.no_padding()  # batches are padded here, each to its own longest text
        self.pad_id = int(info["pad_id"])

        # int8 quantises each matrix's input with one scale over the whole batch, so a text's vector
        # would depend on the texts padded with it (cosine 0.987 at worst): each runs alone, as a
        # question does, and `threads` texts run at once instead of one batch on `threads` threads.
        self.alone = bool(info.get("quantised"))
        self.workers = (threads or 1) if self.alone else 1
        options = ort.SessionOptions()
        # A short query runs fastest on one thread; batches (builds, benchmarks) use two.
        options.intra_op_num_threads = 1 if self.alone else threads or 1
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on a busy 2-core machine spinning steals the core the work needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # An export is optimised once when it is written (see `_optimise`); optimising again on
        # every load would cost a question 0.1 s.
        optimised = info.get("optimised") == "extended"
        options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_DISABLE_ALL if optimised
                                            else ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.key: str | None = None  # the cache key, when loaded from the machine's cache

    def _embed(self, encodings: list) -> np.ndarray:
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {k: feeds[k] for k in self.inputs})[0]
        if self.pooling == "cls":
            return hidden[:, 0]
        weights = mask[:, :, None].astype(np.float32)
        if self.pooling == "max":
            return np.where(weights > 0, hidden, -np.inf).max(axis=1)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def encode(self, texts: Sequence[str], progress=None) -> np.ndarray:
        import numpy as np  # not at the top: `preload` starts before numpy is imported

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # one text (a question) skips the tokenizer's thread pool
        encodings = [self.tokenizer.encode(texts[0])] if len(texts) == 1 else self.tokenizer.encode_batch(list(texts))
        batches = [[i] for i in range(len(texts))] if self.alone else self._batches(encodings)
        with contextlib.ExitStack() as stack:
            run: Callable = map
            if self.workers > 1 and len(batches) > 1:
                from concurrent.futures import ThreadPoolExecutor

                # onnxruntime lets go of the GIL: `workers` texts run at once
                run = stack.enter_context(ThreadPoolExecutor(self.workers, thread_name_prefix="qa-encode")).map
            for batch, vectors in zip(batches, run(lambda batch: self._embed([encodings[j] for j in batch]), batches)):
                out[batch] = vectors
                if progress:
                    progress(len(batch))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _batches(self, encodings: list) -> list[list[int]]:
        """Texts sorted by length, in batches of at most `batch_size`."""
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        batches: list[list[int]] = []
        batch: list[int] = []
        tokens = 0
        for i in order:
            length = len(encodings[i].ids)
            # Sorted by length, the newest text is the longest: a batch is padded to it. Close the
            # batch when padding would waste much (a question among its few-token words, say).
            if batch and (len(batch) >= self.batch_size or (len(batch) + 1) * length > 1.25 * (tokens + length) + 16):
                batches.append(batch)
                batch, tokens = [], 0
            batch.append(i)
            tokens += length
        return [*batches, batch] if batch else batches


def load_fast_encoder(folder: Path, model_name: str, threads: int | None = None) -> OnnxEncoder | None:
    """The stored encoder for `model_name`, or None if there is none (or it is for another model)."""
    pending = _preloads.pop(os.path.abspath(folder), None)
    if pending is not None and threads is None:
        thread, box = pending
        thread.join()
        if box and box[0].name == model_name:
            return box[0]
    return _load(folder, model_name, threads)


def _load(folder: Path, model_name: str | None, threads: int | None = None) -> OnnxEncoder | None:
    """model_name None accepts whichever model the folder holds. A cached export (qa.embed.cache)
    is used only if every file matches its checksum."""
    from qa.embed import cache

    if (folder / cache.CHECKSUMS).exists() and not cache.verified(folder):
        return None
    try:
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("format_version") not in READABLE:
        return None
    if model_name is not None and info.get("name") != model_name:
        return None
    needed = (MODEL_FILE, TOKENIZER_FILE, *((DATA_FILE,) if info.get("weights") == DATA_FILE else ()))
    if info.get("pooling") not in POOLINGS or not all((folder / name).is_file() for name in needed):
        return None
    return OnnxEncoder(folder, info, threads)


# encoder folder -> (loading thread, [encoder once loaded])
_preloads: dict[str, tuple[threading.Thread, list]] = {}


def preload(folder: Path) -> None:
    """Start loading the query encoder stored in `folder` in the background.

    Creating the onnxruntime session takes a few hundred milliseconds, much of it
    outside the GIL, so `qa ask` starts it first and reads the rest of the index
    meanwhile; `load_fast_encoder` then picks it up. Loading from a folder that a
    later check finds corrupt is harmless: the index refuses to open, and the
    session is dropped unused.
    """
    if not (folder / INFO_FILE).is_file():
        return
    import numpy  # noqa: F401  here, not in the thread: numpy imported from two threads at once can fail
    box: list = []

    def work() -> None:
        try:
            encoder = _load(folder, None)
        except Exception:  # the regular load reports what is wrong
            return
        if encoder is not None:
            box.append(encoder)

    # Not a daemon: exiting while onnxruntime is mid-load could crash the interpreter's shutdown.
    thread = threading.Thread(target=work, name="qa-preload-encoder")
    _preloads[os.path.abspath(folder)] = (thread, box)
    thread.start()


def cached_encoder(model: str | None, threads: int | None = None) -> OnnxEncoder | None:
    """The machine's ONNX export of `model` (qa.embed.cache), exported first if it is missing or
    damaged (which loads sentence-transformers once); None if the model cannot be exported."""
    import sys

    from qa.embed import cache
    from qa.embed.encoder import resolve_model
    from qa.errors import write_error

    name, location = resolve_model(model)
    key = cache.model_key(name, location, FORMAT_VERSION)

    def make(folder: Path) -> bool:
        from qa.embed.transformer import SentenceTransformerEncoder

        reference = SentenceTransformerEncoder(name, location)
        try:
            return export(reference.model, name, folder)
        except Exception as exc:  # the exporter raises many kinds; the model still works through torch
            failure = write_error(exc, folder, left=f"the encoder cache is {folder.parent} ($QA_CACHE_DIR moves it)")
            if failure is not None:  # a full disk is not the model's fault: the build reports it
                raise failure from None
            print(f"note: no fast encoder for {name} ({exc.__class__.__name__}: {str(exc)[:200]})", file=sys.stderr)
            return False

    folder = cache.ensure(key, make)
    encoder = _load(folder, name, threads) if folder is not None else None
    if encoder is not None:
        encoder.key = key
    return encoder


def export(model, name: str, folder: Path, quantise: bool = True) -> bool:
    """Write `model` (a loaded SentenceTransformer) as an ONNX encoder folder, its weights int8
    unless `quantise` is False (the benchmark's float32 reference).

    Returns False, writing nothing, when the model is not a plain transformer
    followed by pooling (and optionally normalisation): such a model keeps
    answering through sentence-transformers.
    """
    import torch

    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        return False
    transformer, pooling = modules[0], modules[1]
    mode = pooling.pooling_mode
    backend = getattr(transformer.tokenizer, "backend_tokenizer", None)
    if mode not in POOLINGS or getattr(pooling, "include_prompt", True) is False or backend is None:
        return False
    hf = transformer.auto_model
    tokenizer = transformer.tokenizer

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    import inspect

    accepted = inspect.signature(hf.forward).parameters
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in accepted]
    # Two rows of different lengths, so nothing about padding is traced as a constant.
    sample = tokenizer(["an example sentence to trace", "short"], padding=True, return_tensors="pt")
    args = tuple(sample.get(n, torch.zeros_like(sample["input_ids"])) for n in names)
    folder.mkdir(parents=True, exist_ok=True)
    was_training = hf.training
    hf.eval()
    try:
        import warnings

        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python conditions
            # The TorchScript exporter needs no onnxscript and is quick for a small encoder.
            torch.onnx.export(
                LastHidden(hf), args, str(folder / MODEL_FILE), dynamo=False, opset_version=17,
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
            )
    finally:
        hf.train(was_training)
    _optimise(folder / MODEL_FILE)
    if quantise:
        _quantise(folder / MODEL_FILE)
    backend.save(str(folder / TOKENIZER_FILE))
    info = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "dim": int(pooling.embedding_dimension),
        "max_seq_length": int(model.max_seq_length),
        "pooling": mode,
        "normalize": True,
        "optimised": "extended",
        "weights": DATA_FILE,
        "quantised": "int8 dynamic per channel" if quantise else None,
        "pad_id": int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
    }
    (folder / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return True


def _optimise(path: Path) -> None:
    """Rewrite the exported graph with onnxruntime's extended optimisations (operator fusions for
    the CPU; not the hardware-specific layouts of ORT_ENABLE_ALL), so that loading it needs none,
    and move its weights to DATA_FILE beside it."""
    import onnx
    import onnxruntime as ort

    optimised = path.with_suffix(".optimised.onnx")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(optimised)
    options.log_severity_level = 3
    ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    _save(onnx.load(str(optimised)), path)
    optimised.unlink()


def _quantise(path: Path) -> None:
    """Quantise the optimised graph's matrix weights to int8, one scale per output channel (per
    tensor, the worst text fell to cosine 0.86 of the float32 vectors; per channel, 0.97)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantised = path.with_suffix(".int8.onnx")
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # it advises a pre-processing pass the optimiser already did
    try:
        # The fused operators are unknown to its type inference: their outputs are float32.
        quantize_dynamic(str(path), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.getLogger().setLevel(level)
    _save(onnx.load(str(quantised)), path)
    quantised.unlink()


def _save(graph, path: Path) -> None:
    import onnx

    path.with_name(DATA_FILE).unlink(missing_ok=True)
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=DATA_FILE,
                    size_threshold=1024)
    os.chmod(path.with_name(DATA_FILE), 0o644)  # onnx writes it private; the other index files are not
