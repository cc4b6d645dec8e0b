"""assess_many: a bad record never stops the batch, order and lines are kept, and
the GIL-free chunks join up."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

import dashrisk


def test_bad_record_in_the_middle(scorer: dashrisk.Scorer, calm: dict[str, Any]) -> None:
    records: list[Any] = [dict(calm, id=f"r{i}") for i in range(5)]
    records[2] = {"id": "bad", "answers": {"q28": "yes"}}
    out = scorer.assess_many(records)
    assert [o.get("id") for o in out] == ["r0", "r1", "bad", "r3", "r4"]
    assert out[2] == {
        "line": 3,
        "id": "bad",
        "error": {
            "code": "unknown_question",
            "field": "answers.q28",
            "value": "q28",
            "message": out[2]["error"]["message"],
        },
    }
    assert "q28" in out[2]["error"]["message"]
    for i in (0, 1, 3, 4):
        assert out[i]["classification"] == "parental_conflict"
        assert out[i] == scorer.assess(records[i])


def test_mixed_dicts_texts_and_bytes(scorer: dashrisk.Scorer, calm: dict[str, Any]) -> None:
    text = json.dumps(calm)
    out = scorer.assess_many([calm, text, text.encode(), "not json", b"\xff\xfe"])
    assert out[0] == out[1] == out[2]
    assert out[3]["error"]["code"] == "invalid_json" and out[3]["line"] == 4
    assert out[4]["error"]["code"] == "invalid_utf8" and out[4]["line"] == 5


def test_id_of_a_failed_text_record(scorer: dashrisk.Scorer) -> None:
    (out,) = scorer.assess_many(['{"id": "inc-9", "answers": {"q2": "maybe"}}'])
    assert out["id"] == "inc-9" and out["error"]["field"] == "answers.q2"
    (out,) = scorer.assess_many([{"id": "inc-8", "answers": {"q2": {1}}}])
    assert out["id"] == "inc-8" and out["error"]["code"] == "wrong_type"


def test_across_chunk_boundaries(scorer: dashrisk.Scorer) -> None:
    """The binding works in chunks of 2048 records; lines and order must run on."""
    records: list[Any] = dashrisk.synth(5000, seed=3)
    for i in (0, 2047, 2048, 2049, 4095, 4096, 4999):
        records[i] = {"id": f"bad-{i}", "answers": {"q2": "maybe"}}
    out = scorer.assess_many(iter(records))  # a one-shot iterator, not a list
    assert len(out) == 5000
    for i, (rec, o) in enumerate(zip(records, out)):
        assert o["id"] == rec["id"]
        if rec["id"].startswith("bad-"):
            assert o["line"] == i + 1
            assert o["error"]["code"] == "invalid_value"
        else:
            assert "error" not in o and o["meta"] == rec["meta"]


def test_empty_batch(scorer: dashrisk.Scorer) -> None:
    assert scorer.assess_many([]) == []
    assert scorer.assess_rows([]) == []


def test_deterministic(scorer: dashrisk.Scorer) -> None:
    records = dashrisk.synth(300, seed=11)
    a = scorer.assess_many(records)
    b = dashrisk.Scorer().assess_many(records)
    c = [scorer.assess(r) for r in records]
    assert a == b == c
    assert json.dumps(a) == json.dumps(b)


def test_threads_share_a_scorer(scorer: dashrisk.Scorer) -> None:
    """Batches release the GIL: several threads on one scorer get the same results."""
    records = dashrisk.synth(3000, seed=5)
    expected = scorer.assess_many(records)
    results: list[Any] = [None] * 4

    def work(i: int) -> None:
        results[i] = scorer.assess_many(records)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_synth_is_labelled_and_seeded() -> None:
    a = dashrisk.synth(50, seed=7)
    assert a == dashrisk.synth(50, seed=7)
    assert a != dashrisk.synth(50, seed=8)
    assert a[:10] == dashrisk.synth(10, seed=7)
    assert dashrisk.synth(0) == []
    for r in a:
        assert r["meta"]["synthetic"] is True
        assert r["meta"]["label_abuse"] in (0, 1)
        assert r["meta"]["label_serious_harm"] in (0, 1)
    labels = {r["meta"]["label_abuse"] for r in a}
    assert labels == {0, 1}


def test_synth_rejects_negative_arguments() -> None:
    with pytest.raises(ValueError):
        dashrisk.synth(-1)
    with pytest.raises(ValueError):
        dashrisk.synth(1, seed=-5)
