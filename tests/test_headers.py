"""Security headers: a strict CSP the pages honour, no sniffing or framing, HSTS over HTTPS, and
nothing private left in a cache."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from tests.conftest import bearer

TEMPLATES = Path(__file__).parent.parent / "app" / "templates"
# What a CSP without 'unsafe-inline' would block: inline scripts, style attributes and
# elements, event-handler attributes and javascript: URLs.
# A <script src=...> from our own static files is allowed by the policy; inline code is not.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\ssrc=)|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def test_csp_forbids_inline_code_objects_and_framing() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_carry_no_inline_script_or_style(template: Path) -> None:
    assert INLINE_CODE.findall(template.read_text()) == []


@pytest.mark.parametrize("url", ["/login", "/nowhere", "/api/v1/questionnaire"])
def test_every_response_has_the_headers(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in PERMISSIONS_POLICY and "geolocation=()" in PERMISSIONS_POLICY
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_hsts_only_over_https(client: FlaskClient) -> None:
    headers = client.get("/login", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_never_cached_and_reports_only_by_the_browser_revalidating(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    assessment_id = make_assessment(make_user("official@a.example"), submit=True)
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login("official@a.example")
    response = client.get("/assessments")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # A submitted report names its version in an ETag: the browser may keep it, asking each
    # time with If-None-Match (304); no shared cache may.
    report = client.get(f"/assessments/{assessment_id}/report")
    assert report.status_code == 200
    assert report.headers["Cache-Control"] == "private, no-cache"
    assert report.headers["ETag"]
    static = client.get("/static/style.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_api_answers_with_a_token_are_never_cached(
    app: Flask, client: FlaskClient, make_user: Callable[..., int], api_token: Callable[..., str]
) -> None:
    make_user("official@a.example")
    response = client.get("/api/v1/assessments", headers=bearer(api_token("official@a.example")))
    assert response.headers["Cache-Control"] == "no-store"
