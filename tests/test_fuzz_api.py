"""Fuzz every API call with requests generated from its OpenAPI description.

Bodies come from the request schema (at and beyond its limits, with hostile text) or are any
JSON at all, or not JSON; query strings and path ids are random too. Whatever is sent: never a
5xx (a report PDF's documented 503 aside), every error is JSON of the Error schema with a status
the description lists for that call, and every success fits its response schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app.api.openapi import PATHS, SCHEMAS
from app.assessments.scores import report_snapshot
from app.extensions import content, db
from app.models import Assessment
from app.plans.operations import ActionInput, plan_action
from app.surveys.operations import open_survey
from tests.conftest import bearer
from tests.fuzz_support import (
    CASES,
    conforms,
    from_schema,
    hostile_text,
    json_values,
    report_cases,
    scaled,
)

OPERATIONS = sorted((path, method) for path, item in PATHS.items() for method in item)
ERROR = {"$ref": "#/components/schemas/Error"}


FILE_SIGNATURES = {
    "application/pdf": b"%PDF",
    # Word and Excel files are zip packages (Office Open XML).
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK",
}


@pytest.fixture(scope="module", autouse=True)
def _print_case_counts() -> Iterator[None]:
    yield
    print("\n" + report_cases())


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Failed sign-ins would soon be 429 from the throttle, and the fuzzing would stop there.
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def callers(
    app: Flask,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> dict[str, Any]:
    """An official's and an admin's tokens, and ids that exist, so some requests go deep."""
    official = make_user("official@a.example")
    make_user("admin@x.example", role="admin")
    submitted = make_assessment(official, "2", submit=True)
    make_assessment(official, None)
    with app.app_context():
        found = db.session.get(Assessment, submitted)
        assert found is not None and found.author is not None
        open_survey(found, found.author, date.today() + timedelta(days=30))
        measure = report_snapshot(found)["countermeasures"][0]["id"]
        plan_action(found, measure, ActionInput("Planning bureau", None, "planned"))
        db.session.commit()
        keys = [q.id for q in content.current.questions()] + [a.id for a in content.current.areas]
        keys += [q.id for q in content.resident_survey.questions]
    return {
        "tokens": [api_token("official@a.example"), api_token("admin@x.example"), "bogus"],
        "ids": [1, 2],
        "keys": keys,
    }


def _query(params: dict[str, str]) -> str:
    return "&".join(
        f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in params.items()
    )


def _request(operation: dict[str, Any], keys: list[str], ids: list[int]) -> st.SearchStrategy[Any]:
    """(path values, query, body bytes or None, content type) for one operation."""
    path_names = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
    query_names = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
    edges = [0, 2**31 - 1, 2**31, 2**63, 10**20]  # the ends of int4 and int8, and beyond
    ident = st.one_of(
        st.sampled_from(ids), st.sampled_from(edges), st.integers(min_value=0, max_value=2**70)
    )
    values = st.fixed_dictionaries(dict.fromkeys(path_names, ident))
    # Mostly well-formed requests, so that many get past the guard and the checks in front.
    query = st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(query_names or ["x"]), st.sampled_from(["1", "zh"])),
        st.dictionaries(
            st.one_of(st.sampled_from(query_names or ["x"]), hostile_text), hostile_text, max_size=3
        ),
    )
    body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json")
    structured = from_schema(body_schema["schema"], SCHEMAS, keys) if body_schema else json_values
    as_json = structured.map(lambda v: (json.dumps(v).encode(), "application/json"))
    body = st.one_of(
        as_json,
        as_json,
        as_json,
        json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
        st.binary(max_size=40).map(lambda b: (b, "application/json")),
        st.binary(max_size=40).map(lambda b: (b, "application/x-www-form-urlencoded")),
        st.just((b"", "")),
    )
    return st.tuples(values, query, body)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_call_answers_a_5xx_or_an_undocumented_shape(
    app: Flask, client: FlaskClient, callers: dict[str, Any], path: str, method: str
) -> None:
    operation = PATHS[path][method]
    documented = operation["responses"]
    slow = path.endswith(".pdf")
    target = f"api {method.upper()} {path}"

    @scaled(5 if slow else 25)
    @given(
        request=_request(operation, callers["keys"], callers["ids"]),
        token=st.sampled_from(callers["tokens"]),
    )
    def check(
        request: tuple[dict[str, int], dict[str, str], tuple[bytes, str]], token: str
    ) -> None:
        CASES[target] += 1
        values, query, (data, content_type) = request
        url = "/api/v1" + path.format(**values)
        if query:
            url += "?" + _query(query)
        response = client.open(
            url, method=method, data=data, content_type=content_type or None, headers=bearer(token)
        )
        status = response.status_code
        assert status < 500 or (slow and status == 503), (url, status, response.data[:300])
        assert str(status) in documented, (url, status, response.data[:300])
        if "content" not in documented[str(status)]:  # 204: nothing to describe
            assert not response.data, (url, status)
            return
        if response.mimetype in FILE_SIGNATURES:
            assert status == 200 and response.mimetype in documented["200"]["content"]
            assert response.data.startswith(FILE_SIGNATURES[response.mimetype])
            return
        assert response.is_json, (url, status)
        schema = documented[str(status)]["content"]["application/json"]["schema"]
        assert conforms(response.get_json(), schema, SCHEMAS), (url, status, response.get_json())

    check()
