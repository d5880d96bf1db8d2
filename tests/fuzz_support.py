"""Shared pieces of the fuzz tests: hypothesis profiles, hostile text, a case counter, and
requests generated from the OpenAPI schemas of app/api/openapi.py.

``CITYREADY_FUZZ=deep`` runs ten times as many cases, new ones each run, as the default quick
profile, which keeps the suite fast and the same from run to run. Every case run is counted;
``pytest -s tests/test_fuzz_*.py`` prints the counts.
"""

from __future__ import annotations

import os
import string
from collections import Counter
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The quick profile runs the same cases every time, so the suite cannot fail by chance; the deep
# one draws new cases on every run to look further.
settings.register_profile(
    "fuzz-quick",
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-deep", settings.get_profile("fuzz-quick"), max_examples=250, derandomize=False
)
FUZZ = settings.get_profile("fuzz-" + os.environ.get("CITYREADY_FUZZ", "quick"))


def scaled(examples: int) -> settings:
    """The chosen profile with this test's share of examples (a fraction for slow targets)."""
    factor = FUZZ.max_examples / 25
    return settings(FUZZ, max_examples=max(1, int(examples * factor)))


CASES: Counter[str] = Counter()
"""Cases run per fuzz target, reported at the end of the session by ``report_cases``."""


def report_cases() -> str:
    lines = [f"{count:6d}  {target}" for target, count in sorted(CASES.items())]
    return "\n".join([*lines, f"{sum(CASES.values()):6d}  fuzz cases in all"])


# --- Text that breaks things ------------------------------------------------------------------

LATIN = string.ascii_letters + string.digits + " .,;:!?'\"&<>()-/\\%#@\n\t"
CJK = "智慧城市建设现状问题对策评估杭州数据隐私保护网络安全顶层设计"
HEBREW = "עיר חכמה תכנון"
ARABIC = "مدينة ذكية تخطيط"
RTL_MARKS = "\u200f\u202e\u202b\u202c\u2067\u2069"
EMOJI = "🏙️🚦📊👩‍💻🇨🇳"

# Words the PDF's fonts can show (Latin, CJK, Hebrew, Arabic), each in one script: only these
# are compared in PDFs. A Latin word starts and ends with a letter: digits and punctuation at
# its ends are neutral in the bidirectional algorithm and move to the other side of a word
# next to Hebrew or Arabic ("ה 0:" is drawn as ":0 ה").
latin_word = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(string.ascii_letters),
    st.text(alphabet=string.ascii_letters + string.digits + "<>&'\".,;:!?()", max_size=10),
    st.sampled_from(string.ascii_letters),
)
printable_words = st.lists(
    st.one_of(
        latin_word,
        st.text(alphabet=CJK, min_size=1),
        st.text(alphabet=HEBREW.replace(" ", ""), min_size=1),
        st.text(alphabet=ARABIC.replace(" ", ""), min_size=1),
    ).map(lambda word: word[:12]),
    min_size=1,
    max_size=6,
).map(" ".join)

hostile_text = st.one_of(
    st.text(max_size=80),  # any scalar value, control characters included
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.text(alphabet=CJK + RTL_MARKS + HEBREW + ARABIC + EMOJI + LATIN, max_size=80),
    st.text(alphabet="\x00\ud800\udfff\udbff\ufffe\uffff\u200b\u0301" + LATIN, max_size=20),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "🏙️" * 50, "<script>"]),
)
"""Short hostile text; ``long_texts`` adds the 10^6-character inputs once each."""

long_texts = ["x" * 10**6, "智" * 10**6, "🏙" * 10**6]


def is_storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


# --- Requests from the OpenAPI schemas ------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def from_schema(
    schema: dict[str, Any], components: dict[str, Any], keys: Iterable[str] = ()
) -> st.SearchStrategy[Any]:
    """Values of the schema, often at and beyond its limits; ``keys`` name real ids for maps."""
    schema = _resolve(schema, components)
    known = sorted(keys)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, components, known) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, components, known) for k in kind])
    if kind == "string":
        if schema.get("format") == "date":
            return st.one_of(st.dates().map(str), hostile_text)
        top = schema.get("maxLength", 80)
        return st.one_of(
            st.sampled_from(schema.get("examples", [""])),
            st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=40),
            hostile_text,
            st.text(min_size=top, max_size=top + 1),
        )
    if kind == "integer":
        low, high = schema.get("minimum", -(2**63)), schema.get("maximum", 2**63)
        return st.one_of(st.integers(low - 1, high + 1), st.integers())
    if kind == "number":
        return st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = schema.get("items", {"type": "string"})
        return st.lists(from_schema(items, components, known), max_size=3)
    if kind == "object":
        return _object(schema, components, known)
    return json_values


def _object(schema: dict[str, Any], components: dict[str, Any], known: list[str]) -> Any:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {
        name: from_schema(sub, components, known)
        for name, sub in properties.items()
        if name in required
    }
    optional = {
        name: from_schema(sub, components, known)
        for name, sub in properties.items()
        if name not in required
    }
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        key = st.one_of(st.sampled_from(known), hostile_text) if known else hostile_text
        mapping = st.dictionaries(key, from_schema(extra, components, known), max_size=4)
        return st.builds(
            lambda a, b: {**a, **b}, st.fixed_dictionaries(fixed, optional=optional), mapping
        )
    return st.fixed_dictionaries(fixed, optional=optional)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=8,
)
"""Any JSON value at all, for bodies that ignore the schema."""


def conforms(value: Any, schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the value fits the schema (the subset of JSON Schema app/api/openapi.py uses)."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        return any(conforms(value, s, components) for s in schema["anyOf"])
    if "enum" in schema:
        return value in schema["enum"]
    kinds = schema.get("type")
    if kinds is not None:
        allowed = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, kind) for kind in allowed):
            return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if not set(schema.get("required", [])) <= set(value):
            return False
        if len(value) < schema.get("minProperties", 0):
            return False
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            sub = properties.get(key, extra)
            if sub is False or (isinstance(sub, dict) and not conforms(item, sub, components)):
                return False
    if isinstance(value, list) and "items" in schema:
        return all(conforms(item, schema["items"], components) for item in value)
    return True


def _is(value: Any, kind: str) -> bool:
    return {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
    }[kind]
