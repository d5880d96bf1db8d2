"""Both languages everywhere: the catalog covers every string, and pages follow the language."""

from __future__ import annotations

import os
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
from app.extensions import babel

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
    assert "贵市建设智慧城市的准备程度如何？" in page
    assert "Sign in" not in page


def test_wtforms_messages_are_translated(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    assessment_id = make_assessment(make_user(), level=None)
    login("official@a.example")
    response = client.post(
        f"/assessments/{assessment_id}/areas/planning?lang=zh",
        data={"q-planning-top_level_design-comment": "x" * 5001, "save": "1"},
    )
    assert "字段长度不能超过 5000 个字符。" in response.get_data(as_text=True)


def test_login_errors_are_translated(client: FlaskClient) -> None:
    page = client.post("/login?lang=zh", data={"email": "", "password": ""})
    text = page.get_data(as_text=True)
    assert "请输入电子邮箱地址。" in text
    assert "请输入密码。" in text


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
