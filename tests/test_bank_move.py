"""A draft on an older question bank moves to a newer one, keeping the answers of unchanged
questions; a submitted assessment keeps its bank, answers and frozen scores."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from app.core.questionnaire import CONTENT_DIR, load_content
from app.extensions import db
from app.models import Assessment
from tests.conftest import bearer, get_assessment

OLDER = load_content().current
NEWER = "9999.1"
CHANGED = next(OLDER.questions()).id
"""The question whose ladder the newer bank rewrites: its answer cannot be carried."""


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    """The shipped content plus a newer bank that rewrites one question's lowest level."""
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content_dir)
    source = content_dir / "questionnaires" / f"{OLDER.version}.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["version"] = NEWER
    document["areas"][0]["questions"][0]["levels"][0] = {"en": "Rewritten", "zh": "已改写"}
    target = content_dir / "questionnaires" / f"{NEWER}.yaml"
    target.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    measures = content_dir / "countermeasures"
    catalogue = yaml.safe_load((measures / f"{OLDER.version}.yaml").read_text(encoding="utf-8"))
    catalogue["version"] = catalogue["questionnaire_version"] = NEWER
    (measures / f"{NEWER}.yaml").write_text(
        yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8"
    )
    return {"CONTENT_DIR": str(content_dir)}


def _draft_on_older_bank(app: Flask, make_assessment: Callable[..., int], user: int) -> int:
    assessment_id = make_assessment(user, level="4")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        assessment.questionnaire_version = OLDER.version
        db.session.commit()
    return assessment_id


def test_a_draft_moves_after_a_confirmation_that_lists_what_is_dropped(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = _draft_on_older_bank(app, make_assessment, official)
    review = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    assert f"A newer question bank, {NEWER}, has been published." in review
    page = client.get(f"/assessments/{assessment_id}/question-bank").get_data(as_text=True)
    changed = OLDER.question(CHANGED)
    assert changed is not None
    assert "1 answer will be removed" in page and changed.text.en in page
    assert f"{len(list(OLDER.questions())) - 1} answers will be carried over" in page
    moved = client.post(f"/assessments/{assessment_id}/question-bank", data={"version": NEWER})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/review")
    after = get_assessment(app, assessment_id)
    assert after.questionnaire_version == NEWER
    values = after.answer_values()
    assert CHANGED not in values
    assert len(values) == len(list(OLDER.questions())) - 1
    assert set(values.values()) == {"4"}
    again = client.get(f"/assessments/{assessment_id}/question-bank")
    assert again.status_code == 302 and again.headers["Location"].endswith("/review")


def test_a_move_to_a_bank_that_is_not_newer_is_refused(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = _draft_on_older_bank(app, make_assessment, official)
    for version in (OLDER.version, "1.0", ""):
        refused = client.post(
            f"/assessments/{assessment_id}/question-bank", data={"version": version}
        )
        assert refused.status_code == 400
    assert get_assessment(app, assessment_id).questionnaire_version == OLDER.version


def test_a_submitted_assessment_keeps_its_bank_answers_and_frozen_score(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = _draft_on_older_bank(app, make_assessment, official)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        assessment.status = "submitted"
        assessment.score_snapshot = {"overall": 61.0, "level": 4}
        db.session.commit()
    posted = client.post(f"/assessments/{assessment_id}/question-bank", data={"version": NEWER})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/report")
    kept = get_assessment(app, assessment_id)
    assert kept.questionnaire_version == OLDER.version
    assert CHANGED in kept.answer_values()
    assert kept.score_snapshot == {"overall": 61.0, "level": 4}


def test_another_citys_draft_is_404(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> None:
    theirs = _draft_on_older_bank(app, make_assessment, make_user("other@b.example"))
    assert client.get(f"/assessments/{theirs}/question-bank").status_code == 404
    assert client.post(f"/assessments/{theirs}/question-bank", data={}).status_code == 404


def test_the_api_tells_what_a_move_keeps_then_moves(
    app: Flask,
    client: FlaskClient,
    official_account: int,
    official_token: str,
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = _draft_on_older_bank(app, make_assessment, official_account)
    url, headers = f"/api/v1/assessments/{assessment_id}/question-bank", bearer(official_token)
    bad = client.post(url, json={"version": 2026}, headers=headers)
    assert bad.status_code == 422 and "version" in bad.get_json()["errors"]
    dry = client.post(url, json={"dry_run": True}, headers=headers).get_json()
    assert dry["moved"] is False and dry["to_version"] == NEWER
    assert dry["dropped"] == [CHANGED] and CHANGED not in dry["carried"]
    assert get_assessment(app, assessment_id).questionnaire_version == OLDER.version
    done = client.post(url, json={}, headers=headers)
    assert done.status_code == 200 and done.get_json()["moved"] is True
    assert get_assessment(app, assessment_id).questionnaire_version == NEWER
    newest = client.post(url, json={}, headers=headers)
    assert newest.status_code == 422
