"""Both languages everywhere: the catalog covers every string, and pages follow the language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import babel, content, db
from app.models import User
from tests.conftest import PASSWORD, bearer

ROOT = Path(__file__).parent.parent
ZH_CATALOG = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Every string the code and templates mark for translation, as scripts/translations.sh sees."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [ROOT / "scripts" / "translations.sh", "pot", pot],
        check=True,
        env={**os.environ, "PYBABEL": str(pybabel)},
    )
    return _read(pot)


def test_every_string_has_a_checked_chinese_translation(extracted: Catalog) -> None:
    catalog = _read(ZH_CATALOG)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        found = catalog.get(message.id)
        if found is None:
            problems.append(f"not in the catalog: {key!r}")
        elif found.fuzzy:
            problems.append(f"marked fuzzy (check it, then remove the flag): {key!r}")
        elif not all(_strings(found)):
            problems.append(f"no Chinese translation: {key!r}")
    assert not problems, (
        "Run scripts/translations.sh extract, translate app/translations/zh/LC_MESSAGES/"
        "messages.po, then scripts/translations.sh compile.\n" + "\n".join(problems)
    )


def test_translations_keep_their_placeholders() -> None:
    errors = [f"{m.id!r}: {e}" for m, found in _read(ZH_CATALOG).check() for e in found]
    assert not errors


def test_pages_follow_the_chosen_language(client: FlaskClient) -> None:
    page = client.get("/login?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "贵市智慧城市建设准备程度如何？" in page
    assert "Sign in" not in page


def test_wtforms_messages_are_translated(client: FlaskClient, draft_area_url: str) -> None:
    response = client.post(
        f"{draft_area_url}?lang=zh",
        data={"q-planning-top_level_design-comment": "x" * 5001, "save": "1"},
    )
    assert "字段长度不能超过 5000 个字符。" in response.get_data(as_text=True)


def test_login_errors_are_translated(client: FlaskClient) -> None:
    page = client.post("/login?lang=zh", data={"email": "", "password": ""})
    text = page.get_data(as_text=True)
    assert "请输入电子邮箱地址。" in text
    assert "请输入密码。" in text


@pytest.mark.parametrize("url", ["/", "/assessments", "/admin"])
def test_the_chinese_sign_in_page_is_wholly_chinese(client: FlaskClient, url: str) -> None:
    """A browser set to Chinese that opens a page it must sign in for, the root included."""
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
    response = client.get(url, headers=chinese, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "请先登录，再查看此页面。" in page
    assert not re.search(r"log in|sign in", page, re.IGNORECASE)


def test_lang_holds_through_the_redirect_from_the_root(client: FlaskClient, official: int) -> None:
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert '<html lang="zh-Hans">' in response.get_data(as_text=True)
    response = client.get("/?lang=en", follow_redirects=True)
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_english_says_sign_in_as_the_button_does(client: FlaskClient) -> None:
    page = client.get("/assessments?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to see this page." in page
    assert "log in" not in page.lower()


def test_app_starts_in_english_when_catalogs_are_not_compiled(
    tmp_path: Path, app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flask-Babel caches loaded catalogs per process, not per app: start this app with none.
    monkeypatch.setattr(babel.domain_instance, "cache", {})
    source = tmp_path / "zh" / "LC_MESSAGES" / "messages.po"
    source.parent.mkdir(parents=True)
    source.write_bytes(ZH_CATALOG.read_bytes())
    uncompiled = create_app({**app.config, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})
    assert "messages.po is not compiled" in caplog.text
    page = uncompiled.test_client().get("/login?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "Sign in" in page


def _user_language(app: Flask, user_id: int) -> str | None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.language


@pytest.mark.parametrize(
    ("url", "accept", "saved", "expected"),
    [
        ("/assessments", "zh-CN,zh;q=0.9", None, "zh-Hans"),
        ("/assessments", "en-GB,en;q=0.9", None, "en"),
        ("/assessments", "en-GB,en;q=0.9", "zh", "zh-Hans"),
        ("/assessments?lang=en", "zh-CN", "zh", "en"),
        ("/assessments?lang=zh", "en", "en", "zh-Hans"),
        ("/assessments?lang=fr", "zh-CN", None, "zh-Hans"),
    ],
)
def test_language_comes_from_the_link_then_the_account_then_the_browser(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    login: Callable[..., Any],
    url: str,
    accept: str,
    saved: str | None,
    expected: str,
) -> None:
    user_id = make_user("official@a.example")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.language = saved
        db.session.commit()
    login("official@a.example")
    page = client.get(url, headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_the_switcher_saves_the_language_on_the_account(
    app: Flask, make_user: Callable[..., int]
) -> None:
    # Plain clients: pytest-flask's `client` keeps its last request context, which another
    # client's requests would then share.
    user_id = make_user("official@a.example")
    first, other = app.test_client(), app.test_client()
    first.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    assert "评估" in first.get("/assessments?lang=zh").get_data(as_text=True)
    assert _user_language(app, user_id) == "zh"
    # Another browser, which prefers English, gets the saved Chinese once signed in...
    other.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    page = other.get("/assessments", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    # ...and an explicit choice there is remembered over the saved one.
    other.get("/assessments?lang=en")
    assert '<html lang="en">' in other.get("/assessments").get_data(as_text=True)


def test_a_language_chosen_before_signing_in_is_saved_on_the_account(
    app: Flask, client: FlaskClient, make_user: Callable[..., int], login: Callable[..., Any]
) -> None:
    user_id = make_user("official@a.example")
    client.get("/login?lang=zh")
    login("official@a.example")
    assert _user_language(app, user_id) == "zh"


def test_dates_and_numbers_follow_the_language(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    assessment_id = make_assessment(make_user(), level="3", submit=True)
    login("official@a.example")
    english = client.get(f"/assessments/{assessment_id}/report?lang=en").get_data(as_text=True)
    chinese = client.get(f"/assessments/{assessment_id}/report?lang=zh").get_data(as_text=True)
    assert re.search(r"于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 中国标准时间", chinese)
    assert re.search(r"on \d{4}-\d\d-\d\d \d\d:\d\d CST", english)
    assert "50.0" in english and "50.0" in chinese


def test_api_assessments_speak_chinese_on_request(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    assessment_id = make_assessment(make_user(), level="1")
    headers = bearer(api_token("official@a.example"))
    chinese = client.get(f"/api/v1/assessments/{assessment_id}?lang=zh", headers=headers)
    english = client.get(f"/api/v1/assessments/{assessment_id}?lang=fr", headers=headers)
    listed = client.get("/api/v1/assessments?lang=zh", headers=headers).get_json()["items"][0]
    with client.application.app_context():
        level = content.current.maturity_levels[0].name
        first = content.catalogue.countermeasures
        titles = {cm.id: cm.title for cm in first}
    for body in (chinese.get_json(), listed):
        assert body["level"]["name"] == level.zh
        assert all(cm["title"] == titles[cm["id"]].zh for cm in body["countermeasures"])
    assert english.get_json()["level"]["name"] == level.en


def test_api_content_follows_lang_alone_not_the_browser_or_session(client: FlaskClient) -> None:
    """docs/api.md: English unless ?lang= says otherwise, whatever the client's headers and
    cookies, while pages follow both."""
    with client.application.app_context():
        first_area = content.current.areas[0].title
    client.get("/login?lang=zh")
    page = client.get("/login", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert 'lang="zh-Hans"' in page
    body = client.get("/api/v1/questionnaire", headers={"Accept-Language": "zh"}).get_json()
    assert body["areas"][0]["title"] == first_area.en
    asked = client.get("/api/v1/questionnaire?lang=zh").get_json()
    assert asked["areas"][0]["title"] == first_area.zh


def test_the_progress_steps_follow_the_language(client: FlaskClient, draft_area_url: str) -> None:
    page = client.get(f"{draft_area_url}?lang=zh")
    with client.application.app_context():
        first_area = content.current.areas[0].title.zh
    assert f"1. {first_area}</span>" in page.get_data(as_text=True)
