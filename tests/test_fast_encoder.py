"""The ONNX encoder (int8) against sentence-transformers, the obvious path it replaces."""

from __future__ import annotations

import json
import random
import shutil
import sys

import numpy as np
import pytest

from qa import api
from qa.api import preload
from qa.embed import cache
from qa.embed.onnx import DATA_FILE, INFO_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEncoder, load_fast_encoder
from qa.index import store

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "scripts"))
from make_corpus import seed_sentences

NON_ASCII = [
    "café au lait", "naïve façade", "Ünïcödé tëxt", "Straße und Maß", "北京欢迎你", "東京は晴れです", "서울의 날씨",
    "Привет, мир!", "Καλημέρα κόσμε", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก",
    "emoji 🙂🚀🎉 and text", "👍", "e\u0301 combining accent", "zero\u200bwidth\u200djoiner", "\u202eright to left",
    "“curly quotes” and ‘single’ — dashes – too…", "½ ¾ ² ³ µ °C €100 £5 ¥300", "ﬁ ligature ﬂ", "Ⅻ Roman ⅻ",
    "tab\tseparated\tvalues", "line\nbreaks\r\nhere", "ÀÉÎÕÜ àéîõü çÇ ñÑ", "Ærøskøbing på Ærø",
]
EMPTY_ISH = [" ", ".", "", "\n", "\t", "  \n  ", "?", "!?", "—", "a", "I", "...", "()", "[CLS]", "[SEP] [PAD]", "0"]


def varied_texts(index_folder) -> list[str]:
    rng = random.Random(7)
    sentences = seed_sentences()
    chunk_texts = [c.text for c in api.open_index(index_folder.parent).chunks]
    words = sorted({w for s in sentences for w in s.split()})
    long = [" ".join(rng.sample(sentences, rng.randint(12, 40))) for _ in range(30)]  # far past 256 tokens
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 .,;:!?'\"()-–— éüñßø 中文 ру 🙂\t\n"
    soup = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120))) for _ in range(60)]
    return sentences + chunk_texts + rng.sample(words, 120) + long + soup + NON_ASCII + EMPTY_ISH


@pytest.fixture(scope="module")
def reference():
    from qa.embed.encoder import resolve_model
    from qa.embed.transformer import SentenceTransformerEncoder

    return SentenceTransformerEncoder(*resolve_model(None))


def _live(index):
    folder, _manifest = store.open_version(index)
    return folder


def _encoder_folder(index):
    _folder, manifest = store.open_version(index)
    return cache.folder_of(manifest["model"]["encoder"])


@pytest.mark.model
def test_build_refers_to_the_machines_encoder(real_index, encoder_cache):
    folder, manifest = store.open_version(real_index[1])
    encoder = _encoder_folder(real_index[1])
    assert encoder.parent == encoder_cache / cache.ENCODERS and cache.verified(encoder)  # never the real ~/.cache
    info = json.loads((encoder / INFO_FILE).read_text(encoding="utf-8"))
    assert info["name"] == manifest["model"]["name"] == "all-MiniLM-L6-v2"
    assert (info["dim"], info["max_seq_length"], info["pooling"]) == (384, 256, "mean")
    assert (encoder / DATA_FILE).stat().st_size > 1_000_000  # the weights, beside the graph
    assert (encoder / TOKENIZER_FILE).is_file() and (encoder / MODEL_FILE).is_file()
    assert not (folder / "encoder").exists() and not any(rel.startswith("encoder") for rel in manifest["files"])


@pytest.mark.model
def test_matches_sentence_transformers(real_index, reference):
    texts = varied_texts(_live(real_index[1]))
    assert len(texts) >= 500
    fast = load_fast_encoder(_encoder_folder(real_index[1]), "all-MiniLM-L6-v2")
    assert isinstance(fast, OnnxEncoder) and (fast.name, fast.dim) == (reference.name, reference.dim)
    done = []
    got = fast.encode(texts, progress=done.append)
    want = reference.encode(texts)
    assert got.dtype == np.float32 and got.shape == (len(texts), 384) and sum(done) == len(texts)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * want).sum(axis=1)
    worst = int(np.argmin(cosine))
    # int8 weights, one scale per output channel: 0.993 on average, 0.971 at worst (Thai) when
    # measured; one scale per tensor fell to 0.86
    assert cosine.mean() >= 0.99 and cosine.min() >= 0.96, (cosine.mean(), cosine.min(), texts[worst][:80])
    # a text's vector does not depend on the batch it is padded with
    alone = np.stack([fast.encode([t])[0] for t in texts[:: len(texts) // 20]])
    assert np.allclose(alone, got[:: len(texts) // 20], atol=1e-5)


@pytest.mark.model
def test_query_path_falls_back_with_a_note(real_index, tmp_path, capsys):
    _corpus, original = real_index
    copy = tmp_path / "index"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns(".lock"))
    folder = _live(copy)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").unlink()
    del manifest["model"]["encoder"]  # as a model that cannot be exported leaves it
    store.write_manifest(folder, {k: v for k, v in manifest.items() if k not in ("format", "format_version", "files", "checksum")})

    question = "How many prisoners were freed?"
    fast_answer = api.ask(api.open_index(original), question)
    capsys.readouterr()
    slow = api.open_index(copy)
    slow_answer = api.ask(slow, question)
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "sentence-transformers" in notes[0]
    assert type(slow.query_encoder()).__name__ == "SentenceTransformerEncoder"
    assert [e.quote for e in slow_answer.extracts] == [e.quote for e in fast_answer.extracts]


def _size(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.model
def test_updates_and_other_indexes_share_the_one_encoder(real_index, tmp_path, encoder_cache):
    corpus, original = real_index
    copy, edited = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns(".lock"))
    shutil.copytree(corpus, edited)
    first = sorted(edited.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nThe ferry to the island was cancelled on Sunday.\n", encoding="utf-8")
    encoder = _encoder_folder(original)
    files = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in encoder.iterdir()}
    cached = _size(encoder_cache)
    fresh = _size(original)
    for n in range(2):  # old versions are pruned; the encoder they all refer to is not
        report = api.update(edited, copy)
        assert report.embedded > 0 and _encoder_folder(copy) == encoder
        first.write_text(first.read_text(encoding="utf-8") + f"\nA second ferry sailed {n} times.\n", encoding="utf-8")
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in encoder.iterdir()} == files  # not exported again
    assert _size(copy) <= 1.1 * fresh  # an update does not double the index
    other = tmp_path / "other"
    api.build(edited, other)  # a second index on this machine adds no encoder bytes
    assert _encoder_folder(other) == encoder and _size(encoder_cache) == cached
    assert api.ask(api.open_index(other), "Was the ferry to the island cancelled?", min_score=0.0).extracts


@pytest.mark.model
def test_a_damaged_cached_encoder_is_exported_again_when_asked(real_index, tmp_path, capsys, monkeypatch):
    original = real_index[1]
    other_cache = tmp_path / "cache"
    shutil.copytree(_encoder_folder(original).parent, other_cache / cache.ENCODERS)
    monkeypatch.setenv("QA_CACHE_DIR", str(other_cache))  # damage a copy, not the session's cache
    data = _encoder_folder(original) / DATA_FILE
    with open(data, "r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    answer = api.ask(api.open_index(original), "How many prisoners were freed?")
    assert "exporting it again" in capsys.readouterr().err
    assert answer.extracts and cache.verified(_encoder_folder(original))


@pytest.mark.model
def test_preload_hands_over_the_same_encoder(real_index):
    index = real_index[1]
    preload(index)
    loaded = api.open_index(index)
    first = loaded.query_encoder()
    assert isinstance(first, OnnxEncoder)
    again = api.open_index(index).query_encoder()
    assert again is not first  # a preload is used once


def test_missing_or_foreign_folder_gives_none(tmp_path):
    assert load_fast_encoder(tmp_path / "nothing", "all-MiniLM-L6-v2") is None
    folder = tmp_path / "encoder"
    folder.mkdir()
    (folder / INFO_FILE).write_text(json.dumps({"format_version": 1, "name": "other-model", "dim": 8, "max_seq_length": 16,
                                                "pooling": "mean", "pad_id": 0, "pad_token": "[PAD]"}), encoding="utf-8")
    assert load_fast_encoder(folder, "all-MiniLM-L6-v2") is None
    assert load_fast_encoder(folder, "other-model") is None  # model.onnx and tokenizer.json are missing
    (folder / INFO_FILE).write_text("{not json", encoding="utf-8")
    assert load_fast_encoder(folder, "other-model") is None
    preload(tmp_path / "no-index")  # nothing to load, nothing started


@pytest.mark.model
def test_an_update_embeds_everything_again_when_the_export_changed(real_index, tmp_path):
    """Vectors of another export of the same model (an older qa's float32 one, say) are never mixed
    with this one's: the update embeds every chunk, and the version names the export it used."""
    corpus, original = real_index
    copy = tmp_path / "index"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns(".lock"))
    folder = _live(copy)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    current = manifest["model"]["encoder"]
    (folder / "manifest.json").unlink()
    manifest["model"]["encoder"] = "0" * 32
    store.write_manifest(folder, {k: v for k, v in manifest.items() if k not in ("format", "format_version", "files", "checksum")})
    report = api.update(corpus, copy)
    assert report.embedded == len({c.text for c in api.open_index(copy).chunks}) > 100  # each distinct text once
    assert store.open_version(copy)[1]["model"]["encoder"] == current
    assert api.update(corpus, copy).embedded == 0  # and then it is up to date


@pytest.mark.model
def test_an_older_float32_export_still_answers_for_the_index_it_embedded(real_index, tmp_path):
    """An index an older qa embedded with its float32 export (format 1) is asked with that export
    while it is in the cache, not with this qa's int8 one."""
    folder = tmp_path / "float32"
    shutil.copytree(_encoder_folder(real_index[1]), folder)
    (folder / cache.CHECKSUMS).unlink()
    info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    for version, loads in ((1, True), (3, False)):  # a format from a later qa is not guessed at
        (folder / INFO_FILE).write_text(json.dumps({**info, "format_version": version}), encoding="utf-8")
        assert (load_fast_encoder(folder, "all-MiniLM-L6-v2") is not None) is loads
