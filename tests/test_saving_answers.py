"""No answer is lost and nothing irreversible happens by accident: autosave, the list of what is
left after "Save and continue", the review page showing every answer, and the confirmation
step before submitting."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from app.extensions import content
from tests.conftest import get_assessment
from tests.test_forbidden_fields import csrf_token, sign_in


def field(question_id: str, suffix: str = "") -> str:
    return "q-" + question_id.replace(".", "-") + suffix


def questions(app: Flask, area_id: str) -> list[str]:
    with app.app_context():
        area = content.current.area(area_id)
        assert area is not None
        return [q.id for q in area.questions]


def given(question_id: str, value: str, **extra: str) -> dict[str, str]:
    """One question as a browser sends it: the radio if chosen, and always the boxes."""
    data = {field(question_id, "-comment"): "", field(question_id, "-evidence"): ""}
    data[field(question_id, "-confidence")] = ""
    if value:
        data[field(question_id)] = value
    data.update({field(question_id, "-" + k): v for k, v in extra.items()})
    return data


def test_autosave_stores_the_questions_sent_and_leaves_the_others(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2")
    first, second, third = questions(app, "planning")[:3]
    response = client.post(
        f"/assessments/{assessment_id}/areas/planning/autosave",
        data={**given(first, "4", comment="Adopted 2025"), **given(second, "")},
    )
    assert response.status_code == 200
    assert response.get_json()["saved"] == 2
    with app.app_context():
        total = len(list(content.current.questions()))
    assert response.get_json()["answered_total"] == total - 1
    stored = get_assessment(app, assessment_id).answer_values()
    assert stored[first] == "4"
    assert second not in stored, "a question sent without a choice is cleared, as on the page"
    assert stored[third] == "2", "a question not sent is left as it was"


def test_an_empty_autosave_changes_nothing(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2")
    response = client.post(f"/assessments/{assessment_id}/areas/planning/autosave", data={})
    assert response.status_code == 200 and response.get_json()["saved"] == 0
    assert set(get_assessment(app, assessment_id).answer_values().values()) == {"2"}


def test_autosave_with_a_bad_field_stores_nothing_and_names_the_field(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    first, second = questions(app, "planning")[:2]
    response = client.post(
        f"/assessments/{assessment_id}/areas/planning/autosave",
        data={**given(first, "3"), **given(second, "2", evidence="ftp://bad link")},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == [field(second, "-evidence")]
    assert "http" in errors[field(second, "-evidence")]
    assert get_assessment(app, assessment_id).answer_values() == {}


@pytest.mark.parametrize(
    ("signed_in", "submitted", "area", "expected"),
    [
        ("other@b.example", False, "planning", 404),  # another city's draft
        ("owner@a.example", True, "planning", 409),  # submitted: no longer a draft
        ("owner@a.example", False, "no-such-area", 404),
    ],
)
def test_autosave_refuses_what_the_user_may_not_change(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
    signed_in: str,
    submitted: bool,
    area: str,
    expected: int,
) -> None:
    owner = make_user("owner@a.example")
    make_user("other@b.example")
    assessment_id = make_assessment(owner, level="2", submit=submitted)
    login(signed_in)
    first = questions(app, "planning")[0]
    response = client.post(
        f"/assessments/{assessment_id}/areas/{area}/autosave", data=given(first, "4")
    )
    assert response.status_code == expected
    assert get_assessment(app, assessment_id).answer_values()[first] == "2"


def test_save_and_continue_names_the_questions_left(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    ids = questions(app, "planning")
    data = {field(q): "3" for q in ids[:-2]} | {"save_and_next": "1"}
    url = f"/assessments/{assessment_id}/areas/planning"
    page = client.post(url, data=data, follow_redirects=True)
    assert page.request.path.endswith("/areas/environment")
    text = page.get_data(as_text=True)
    assert "2 questions are still unanswered" in text
    for n, question_id in enumerate(ids, start=1):
        link = f'href="{url}#{field(question_id)}">question {n}</a>'
        assert (link in text) == (n > len(ids) - 2)


def test_the_review_page_shows_every_answer_with_a_link_to_change_it(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3")
    first = questions(app, "planning")[0]
    client.post(
        f"/assessments/{assessment_id}/areas/planning/autosave",
        data=given(first, "4", comment="Council decision 12/2025", confidence="high"),
    )
    text = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    with app.app_context():
        bank = content.current
        for question in bank.questions():
            assert str(escape(question.text.get("en"))) in text
        option = bank.question(first).option("4")  # type: ignore[union-attr]
        assert option is not None and str(escape(option.label.get("en"))) in text
    assert "Council decision 12/2025" in text and "High" in text
    changes = re.findall(r'class="review-change" href="([^"]+)"', text)
    assert len(changes) == len(list(bank.questions()))
    assert changes[0] == f"/assessments/{assessment_id}/areas/planning#{field(first)}"


def test_submitting_goes_through_a_page_that_says_what_follows(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3")
    review = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    assert f'action="/assessments/{assessment_id}/submit"' not in review
    assert f'href="/assessments/{assessment_id}/submit"' in review
    confirm = client.get(f"/assessments/{assessment_id}/submit").get_data(as_text=True)
    assert "provincial reviewers" in confirm and "report" in confirm
    assert "unless a reviewer returns" in confirm
    assert get_assessment(app, assessment_id).status == "draft"
    client.post(f"/assessments/{assessment_id}/submit")
    assert get_assessment(app, assessment_id).status == "submitted"
    after = client.get(f"/assessments/{assessment_id}/submit")
    assert after.headers["Location"].endswith("/report"), "nothing to confirm any more"


def test_the_confirmation_waits_until_every_question_is_answered(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    response = client.get(f"/assessments/{assessment_id}/submit")
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/review")


class TestWithCsrf:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"WTF_CSRF_ENABLED": True}

    def test_autosave_needs_the_token(
        self,
        app: Flask,
        client: FlaskClient,
        make_user: Callable[..., int],
        make_assessment: Callable[..., int],
    ) -> None:
        user = make_user("csrf@a.example")
        assessment_id = make_assessment(user, level="2")
        sign_in(client, "csrf@a.example")
        url = f"/assessments/{assessment_id}/areas/planning"
        first = questions(app, "planning")[0]
        refused = client.post(url + "/autosave", data=given(first, "4"))
        assert refused.status_code == 400
        assert get_assessment(app, assessment_id).answer_values()[first] == "2"
        token = csrf_token(client, url)
        stored = client.post(
            url + "/autosave", data=given(first, "4"), headers={"X-CSRFToken": token}
        )
        assert stored.status_code == 200
        assert get_assessment(app, assessment_id).answer_values()[first] == "4"
