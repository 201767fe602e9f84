"""The package codec: canonical round trips for any text and signatures, and
checks that reject what does not match."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.package import (
    Entry,
    Package,
    check_package,
    decode_package,
    encode_package,
)
from samizdat.core.text import digest_paragraphs
from samizdat.core.versions import Version, make_document, sign_version
from samizdat.errors import DecodeError, VerificationFailed
from samizdat.testing.strategies import paragraphs


def _package(paras: tuple[str, ...], seeds: list[bytes]) -> Package:
    doc = make_document("Appeal", lambda n: bytes(range(n)))
    d = digest_paragraphs(paras)
    v = Version.create(doc.document_id, d.text_id, d.paragraphs, d.text_sha256)
    sigs = tuple({sign_version(s, v).public_key: sign_version(s, v) for s in seeds}.values())
    return Package(doc, Entry(v, paras, sigs))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(paragraphs(), min_size=1, max_size=8).map(tuple),
    st.lists(st.binary(min_size=32, max_size=32), max_size=3),
)
def test_round_trip_is_canonical_and_checks(paras: tuple[str, ...], seeds: list[bytes]) -> None:
    package = _package(paras, seeds)
    data = encode_package(package)
    again = check_package(decode_package(data))
    assert again == package
    assert encode_package(again) == data


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraphs(), min_size=2, max_size=6).map(tuple), st.data())
def test_any_paragraph_edit_is_caught(paras: tuple[str, ...], data: st.DataObject) -> None:
    package = _package(paras, [bytes(32)])
    i = data.draw(st.integers(0, len(paras) - 1))
    edited = list(paras)
    edited[i] = edited[i] + " x"
    bad = dataclasses.replace(
        package, entry=dataclasses.replace(package.entry, paragraphs=tuple(edited))
    )
    with pytest.raises(VerificationFailed):
        check_package(decode_package(encode_package(bad)))


def test_structural_rejections() -> None:
    data = encode_package(_package(("One.", "Two."), [bytes(32)]))
    for bad in (b"", b"\x02" + data[1:], data + b"\x00", data[:-1], b"\x01\xa0"):
        with pytest.raises(DecodeError):
            decode_package(bad)
    with pytest.raises(DecodeError):
        decode_package(data, max_bytes=len(data) - 1)
    # a paragraph not in normal form, even with a matching digest
    doc = make_document("T", lambda n: bytes(n))
    raw = ("two  spaces",)
    d = digest_paragraphs(raw)
    v = Version.create(doc.document_id, d.text_id, d.paragraphs, d.text_sha256)
    with pytest.raises(DecodeError):
        check_package(decode_package(encode_package(Package(doc, Entry(v, raw)))))


PACKAGE_VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "envelope_package.json").read_text()
)


@pytest.mark.parametrize("v", PACKAGE_VECTORS["valid"], ids=lambda v: v["name"])
def test_package_vectors_valid(v: dict[str, object]) -> None:
    data = bytes.fromhex(str(v["package"]))
    package = check_package(decode_package(data))
    assert encode_package(package) == data
    assert package.document.document_id.hex() == v["document"]
    assert package.entry.version_id.hex() == v["version"]
    signers = [["author", s.public_key.hex()] for s in package.entry.authors]
    signers += [["committee", f.group_key.hex()] for f in package.entry.committee]
    assert signers == v["signers"]


@pytest.mark.parametrize("v", PACKAGE_VECTORS["must_reject"], ids=lambda v: v["name"])
def test_package_vectors_must_reject(v: dict[str, str]) -> None:
    expected = {"DecodeError": DecodeError, "VerificationFailed": VerificationFailed}[v["error"]]
    with pytest.raises(expected):
        check_package(decode_package(bytes.fromhex(v["package"])))
