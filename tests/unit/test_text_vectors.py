"""Text normalization against the golden vectors in tests/vectors/text.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from samizdat.core.merkle import merkle_root
from samizdat.core.text import (
    decode_text_bytes,
    digest_text_stream,
    normalize,
    normalized_bytes,
)
from samizdat.errors import TextError

VEC = json.loads((Path(__file__).parents[1] / "vectors" / "text.json").read_text("utf-8"))


@pytest.mark.parametrize("vec", VEC["valid"], ids=lambda v: v["name"])
def test_valid_vector(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["input_utf8_hex"])
    text = normalize(decode_text_bytes(raw))
    assert list(text.paragraphs) == vec["paragraphs"]
    assert [h.hex() for h in text.leaf_hashes] == vec["leaf_hashes"]
    assert merkle_root(text.leaf_hashes).hex() == vec["text_id"]
    assert normalized_bytes(text.paragraphs).hex() == vec["normalized_hex"]
    digest = digest_text_stream([raw[i : i + 2] for i in range(0, len(raw), 2)])
    assert (digest.text_id.hex(), digest.text_sha256.hex()) == (vec["text_id"],
                                                                vec["text_sha256"])


@pytest.mark.parametrize("vec", VEC["must_reject"], ids=lambda v: v["name"])
def test_must_reject_vector(vec: dict[str, Any]) -> None:
    if "input_hex" in vec:
        raw = bytes.fromhex(vec["input_hex"])
    else:
        raw = bytes.fromhex(vec["repeat_hex"]) * vec["times"]
    with pytest.raises(TextError, match=vec["error"]):
        normalize(decode_text_bytes(raw))
    with pytest.raises(TextError, match=vec["error"]):
        digest_text_stream([raw[i : i + 4096] for i in range(0, len(raw), 4096)])
