"""Every committed fuzz input, replayed through its harness: the regression test of
the fuzz campaign (``make test`` runs it; ``make fuzz`` grows the corpora).

A replay passes when the decoder returns or raises a typed
:class:`~samizdat.errors.SamizdatError`, and the harness's own checks (round trip,
authenticity) hold. Hangs are the fuzzer's business (``-timeout=1``); here a
watchdog only stops a replay that would otherwise never end, with a bound far above
any honest decoding so that a slow machine never trips it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fuzz.harnesses import HARNESSES, OPTIONAL, run_one
from tests.fuzz.run import CORPUS, corpus_files

WATCHDOG_SECONDS = 20


@contextmanager
def _watchdog(what: str) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} did not finish in {WATCHDOG_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_corpus_replays_without_crash(name: str) -> None:
    files = corpus_files(name)
    assert files, f"harness {name} has no corpus: run 'python -m tests.fuzz seed {name}'"
    for path in files:
        with _watchdog(f"{name}/{path.name}"):
            try:
                run_one(name, path.read_bytes())
            except Exception as exc:
                raise AssertionError(
                    f"corpus input {name}/{path.name} crashes: {type(exc).__name__}: {exc}"
                ) from exc


def test_every_corpus_folder_has_a_harness() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders <= set(HARNESSES) | set(OPTIONAL), folders - set(HARNESSES)


def test_corpus_stays_small() -> None:
    """The corpora are committed: they must stay well under a few MB in all."""
    total = sum(p.stat().st_size for p in Path(CORPUS).rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024, total


def test_run_one_lets_only_typed_errors_through() -> None:
    """The harness contract itself: a SamizdatError is fine, anything else is not."""
    from samizdat.errors import DecodeError
    from tests.fuzz import harnesses

    def typed(data: bytes) -> None:
        raise DecodeError("bad")

    def untyped(data: bytes) -> None:
        raise IndexError("oops")

    harnesses.harness("_typed_probe")(typed)
    harnesses.harness("_untyped_probe")(untyped)
    try:
        run_one("_typed_probe", b"")
        with pytest.raises(IndexError):
            run_one("_untyped_probe", b"")
    finally:
        del HARNESSES["_typed_probe"], HARNESSES["_untyped_probe"]
