"""``samizdat list``'s pure parts: short ids and title folding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from samizdat.app.listing import shortest_prefixes, title_key

_ids = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=30, unique=True)


def _naive(ident: bytes, pool: set[bytes]) -> str:
    h = ident.hex()
    for n in range(8, 65):
        if not any(o != ident and o.hex().startswith(h[:n]) for o in pool):
            return h[:n]
    return h


@given(_ids, _ids, st.integers(0, 6))
def test_shortest_prefix_is_the_shortest_unique_one(targets: list[bytes], others: list[bytes],
                                                    shared: int) -> None:
    # ids that share long prefixes, as a hostile or unlucky store would have
    close = [targets[0][:shared * 4] + o[shared * 4:] for o in others]
    pool = set(targets) | set(others) | set(close)
    got = shortest_prefixes(targets, [*others, *close])
    for t in targets:
        assert got[t] == _naive(t, pool)


def test_titles_that_read_the_same_fold_together() -> None:
    assert title_key("To all  party members") == title_key("TO ALL PARTY MEMBERS")
    assert title_key("Ｔo all") == title_key("To all")  # fullwidth letter, NFKC
    assert title_key("To all") != title_key("To al1")
