"""Text normalization against the golden vectors in tests/vectors/text.json: each
case names its text model, and is checked whole, streamed two bytes at a time and
one character at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from samizdat.core.merkle import merkle_root
from samizdat.core.text import (
    Normalizer,
    decode_text_bytes,
    digest_text_stream,
    normalize,
    normalized_bytes,
)
from samizdat.errors import TextError

VEC = json.loads((Path(__file__).parents[1] / "vectors" / "text.json").read_text("utf-8"))


def _id(vec: dict[str, Any]) -> str:
    return f"model {vec['model']}: {vec['name']}"


@pytest.mark.parametrize("vec", VEC["valid"], ids=_id)
def test_valid_vector(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["input_utf8_hex"])
    model = vec["model"]
    text = normalize(decode_text_bytes(raw), model)
    assert list(text.paragraphs) == vec["paragraphs"]
    assert [h.hex() for h in text.leaf_hashes] == vec["leaf_hashes"]
    assert merkle_root(text.leaf_hashes).hex() == vec["text_id"]
    assert normalized_bytes(text.paragraphs).hex() == vec["normalized_hex"]
    digest = digest_text_stream([raw[i : i + 2] for i in range(0, len(raw), 2)], model=model)
    assert (digest.text_id.hex(), digest.text_sha256.hex()) == (vec["text_id"],
                                                                vec["text_sha256"])
    n = Normalizer(model)
    one_by_one = [p for c in decode_text_bytes(raw) for p in n.feed(c)] + n.finish()
    assert one_by_one == vec["paragraphs"]


def test_vectors_cover_both_models_and_the_scripts_model_2_is_for() -> None:
    names = " ".join(v["name"] for v in VEC["valid"] if v["model"] == 2)
    for script in ("Russian", "Persian", "Arabic", "Hebrew", "Chinese", "Japanese", "Hindi",
                   "Thai", "Burmese"):
        assert script in names
    assert {v["model"] for v in VEC["valid"]} == {1, 2}


@pytest.mark.parametrize("vec", VEC["must_reject"], ids=_id)
def test_must_reject_vector(vec: dict[str, Any]) -> None:
    if "input_hex" in vec:
        raw = bytes.fromhex(vec["input_hex"])
    else:
        raw = bytes.fromhex(vec["repeat_hex"]) * vec["times"]
    with pytest.raises(TextError, match=vec["error"]):
        normalize(decode_text_bytes(raw), vec["model"])
    with pytest.raises(TextError, match=vec["error"]):
        digest_text_stream([raw[i : i + 4096] for i in range(0, len(raw), 4096)],
                           model=vec["model"])
