"""The capped builder builds exactly what json.loads does, and stops at its caps."""

from __future__ import annotations

import io
import json

import ijson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.importer import events
from bot.importer.events import MAX_DEPTH, TooLarge

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=30,
)


def _build(value: object) -> object:
    stream = ijson.basic_parse(io.BytesIO(json.dumps(value).encode()))
    first, scalar = next(stream)
    return events.build(first, scalar, stream)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_build_matches_json_loads(value: object) -> None:
    assert _build(value) == value


def test_build_refuses_depth_past_the_cap_and_consumes_the_whole_value() -> None:
    raw = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b' "after"'
    stream = ijson.basic_parse(io.BytesIO(b"[" + raw.replace(b' "after"', b', "after"]')))
    next(stream)
    first, scalar = next(stream)
    with pytest.raises(TooLarge, match="nested deeper"):
        events.build(first, scalar, stream)
    assert next(stream) == ("string", "after")  # the stream stands right after the value


def test_build_refuses_a_value_past_the_size_cap() -> None:
    with pytest.raises(TooLarge, match="larger than"):
        _build({"k" * events.MAX_VALUE_UNITS: [], "id": 5})
