"""The shipped reader: it must rank answers above non-answers, and a swapped or damaged model is refused."""

from __future__ import annotations

import shutil

import pytest

from qa.errors import QAError
from qa.reader import model

# Hand-written, on topics in neither the training data nor the bundled corpus: (question, answer, non-answers).
CASES = [
    ("How many sailors were rescued after the ferry sank?",
     "Coast guard crews pulled 61 sailors from the water after the ferry sank off the cape.",
     ["The ferry was built in 1998 and carried up to 400 passengers.", "The sinking was the third on that route this year.",
      "Families gathered at the harbour on Sunday evening."]),
    ("Who designed the new bridge?",
     "The bridge was designed by the engineer Maria Kovacs, who also drew the city's tram line.",
     ["The bridge opened to traffic in May after four years of work.", "It spans 340 metres across the river.",
      "Critics said the toll was too high."]),
    ("When did the museum reopen?",
     "The museum reopened on 12 March 2019 after a two-year renovation.",
     ["The museum holds more than 20,000 paintings.", "Its west wing was added in the 1930s.",
      "Visitors queued around the block to see the collection."]),
    ("Where was the treaty signed?",
     "The treaty was signed in Lisbon by the foreign ministers of both countries.",
     ["The treaty ended a dispute over fishing rights that had lasted a decade.", "Negotiations began in 2011.",
      "Both parliaments ratified it the following year."]),
    ("Why was the match postponed?",
     "The match was postponed because heavy snow had covered the pitch overnight.",
     ["The match will now be played on Wednesday evening.", "Tickets bought for Saturday remain valid.",
      "The home side is top of the league."]),
    ("What does the enzyme lactase break down?",
     "Lactase breaks down lactose, the sugar found in milk, into glucose and galactose.",
     ["Many adults produce less lactase as they age.", "The enzyme is made in the small intestine.",
      "Some populations kept the ability to digest milk into adulthood."]),
    ("How long is the tunnel?",
     "The tunnel runs for 57 kilometres beneath the mountains.",
     ["Construction of the tunnel cost about 12 billion francs.", "Nine workers died during its construction.",
      "Freight trains use it at night."]),
    ("Which company bought the airline?",
     "The airline was bought by Northwind Holdings in a deal worth 2 billion dollars.",
     ["The airline flies to 40 destinations in Europe.", "Its pilots went on strike last summer.",
      "Passenger numbers fell during the pandemic."]),
]


def answered_first(reader: model.Reader) -> int:
    hits = 0
    for question, answer, others in CASES:
        logits = reader.logits(question, [*others, answer])
        hits += int(logits.argmax()) == len(others)
    return hits


def test_the_shipped_reader_ranks_answers_above_non_answers():
    reader = model.load()
    assert answered_first(reader) >= len(CASES) - 1  # random weights get one in four


def test_the_reader_reads_nothing_and_odd_text_without_failing():
    reader = model.load()
    assert len(reader.logits("How many?", [])) == 0
    logits = reader.logits("How many?", ["word " * 5000, "\x00\x1b[31m", ""])
    assert logits.shape == (3,)


def test_a_reader_with_other_weights_is_refused(tmp_path):
    folder = tmp_path / "reader"
    shutil.copytree(model.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    weights = folder / "reader.onnx"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(QAError, match="sha256"):
        model.OnnxReader(folder)


def test_random_weights_would_fail_the_ranking_test(tmp_path):
    """The ranking test can fail: the same network with its weights shuffled does not pass it."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model.FOLDER / "reader.onnx"))
    rng = np.random.default_rng(0)
    for tensor in graph.graph.initializer:
        values = numpy_helper.to_array(tensor)
        if values.size > 1000:
            tensor.CopyFrom(numpy_helper.from_array(rng.permutation(values.ravel()).reshape(values.shape), tensor.name))
    folder = tmp_path / "reader"
    shutil.copytree(model.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    onnx.save(graph, str(folder / "reader.onnx"))
    record = model.json.loads((folder / "reader.json").read_text())
    record["model"]["sha256"] = model.hashlib.sha256((folder / "reader.onnx").read_bytes()).hexdigest()
    (folder / "reader.json").write_text(model.json.dumps(record))
    assert answered_first(model.OnnxReader(folder)) < len(CASES) - 1
