"""Links the app prints point at the app itself, whatever address or Host header a request came
with: a crafted link must not turn a genuine CityReady page into a signpost to another site."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import segno
from flask.testing import FlaskClient

from app import create_app
from app.config import UnsafeConfiguration
from tests.conftest import OFFICIAL, bearer
from tests.test_bounded_input import basic

SITE = "https://cityready.example"


def language_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]*lang=[^"]*)"', page)


@pytest.mark.parametrize("path", ["/%5Cevil.example", "/%5C%5Cevil.example/x", "/login"])
def test_language_links_stay_on_the_site(client: FlaskClient, path: str) -> None:
    response = client.get(path, query_string={"q": "1"})
    links = language_links(response.get_data(as_text=True))
    assert len(links) == 2
    for link in links:
        # As a browser resolves it, reading a backslash as a slash.
        resolved = urljoin(SITE + path, link.replace("&amp;", "&").replace("\\", "/"))
        assert urlsplit(resolved).netloc == "cityready.example", link
        assert "q=1" in resolved


PUBLIC = {"PUBLIC_URL": "https://cityready.example/", "TRUSTED_HOSTS": ["localhost"]}
"""Reached at https://cityready.example; the test client's own host, localhost, trusted too."""


@pytest.fixture
def filed(make_user: Callable[..., int], make_assessment: Callable[..., int]) -> int:
    return make_assessment(make_user(OFFICIAL), level="4", submit=True)


@pytest.mark.parametrize("app_config", [PUBLIC])
def test_private_links_are_built_on_the_public_url_not_the_request(
    client: FlaskClient,
    filed: int,
    api_token: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = bearer(api_token(OFFICIAL))
    url = f"/api/v1/assessments/{filed}/departments"
    department = client.post(url, json={"name": "Data bureau"}, headers=headers)
    assert department.get_json()["link"].startswith("https://cityready.example/d/")
    closes = (date.today() + timedelta(days=5)).isoformat()
    survey = client.post(
        f"/api/v1/assessments/{filed}/survey", json={"closes_on": closes}, headers=headers
    )
    link = survey.get_json()["resident_survey"]["link"]
    assert link.startswith("https://cityready.example/s/")
    encoded: list[str] = []
    make = segno.make
    monkeypatch.setattr(segno, "make", lambda text, **kw: encoded.append(text) or make(text, **kw))
    assert client.get(urlsplit(link).path + "/qr.svg").status_code == 200
    assert encoded == [link]


@pytest.mark.parametrize("app_config", [PUBLIC])
@pytest.mark.parametrize("path", ["/login", "/d/anything", "/api/v1/tokens"])
def test_a_forged_host_is_400_before_anything_reads_the_request(
    client: FlaskClient, path: str, official_account: int
) -> None:
    response = client.post(path, headers={"Host": "evil.example", **basic(OFFICIAL)})
    assert response.status_code == 400
    if not path.startswith("/api/"):
        assert response.get_data(as_text=True) == "This server does not answer for that address."


@pytest.mark.parametrize("app_config", [PUBLIC])
def test_a_forged_host_gets_no_token(client: FlaskClient, official_account: int) -> None:
    response = client.post("/api/v1/tokens", headers={"Host": "evil.example", **basic(OFFICIAL)})
    assert response.status_code == 400
    assert response.get_json() == {"errors": {"request": "Host 'evil.example' is not trusted."}}


def test_without_configuration_links_follow_the_local_address(
    client: FlaskClient, filed: int, api_token: Callable[..., str]
) -> None:
    """The embedded default (scripts/run.sh on 127.0.0.1:5000, development) needs no setting."""
    url = f"/api/v1/assessments/{filed}/departments"
    created = client.post(
        url,
        json={"name": "Data bureau"},
        headers=bearer(api_token(OFFICIAL)),
        base_url="http://127.0.0.1:5000",
    )
    assert created.get_json()["link"].startswith("http://127.0.0.1:5000/d/")


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("FLASK_DEBUG", "CITYREADY_ENV", "PUBLIC_URL", "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    return monkeypatch


def test_production_will_not_start_trusting_any_host(production: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnsafeConfiguration, match="PUBLIC_URL is not set"):
        create_app()
    production.setenv("TRUSTED_HOSTS", "cityready.example, www.cityready.example")
    assert create_app().config["TRUSTED_HOSTS"] == ["cityready.example", "www.cityready.example"]


@pytest.mark.parametrize(
    "public_url", ["cityready.example", "ftp://cityready.example", "https://a.example/app"]
)
def test_production_refuses_a_public_url_that_is_not_an_origin(
    production: pytest.MonkeyPatch, public_url: str
) -> None:
    production.setenv("PUBLIC_URL", public_url)
    with pytest.raises(UnsafeConfiguration, match="must be an address such as"):
        create_app()


def test_the_public_url_names_the_one_trusted_host(production: pytest.MonkeyPatch) -> None:
    production.setenv("PUBLIC_URL", "https://cityready.example")
    client = create_app().test_client()
    assert client.get("/login", base_url="https://cityready.example").status_code == 200
    assert client.get("/login", base_url="https://evil.example").status_code == 400
