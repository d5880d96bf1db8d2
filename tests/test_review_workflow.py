"""The review workflow: submit, approve, return with comments, revise and resubmit — and races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.assessments.operations import submit_assessment
from app.assessments.workflow import (
    TRANSITIONS,
    TransitionRefused,
    approve_assessment,
    change_status,
    return_for_revision,
)
from app.extensions import content, db
from app.models import Assessment, StatusChange, User
from tests.conftest import bearer, count_rows, get_assessment

CONFIRMED = {"approve-confirm_unverified": "y"}
"""No answer is verified in these tests: the reviewer confirms approving anyway."""


@pytest.fixture
def people(make_user: Callable[..., int]) -> dict[str, int]:
    return {
        "official": make_user("official@a.example"),
        "admin": make_user("admin@x.example", role="admin"),
        "admin2": make_user("admin2@x.example", role="admin"),
    }


@pytest.fixture
def submitted(people: dict[str, int], make_assessment: Callable[..., int]) -> int:
    return make_assessment(people["official"], "3", submit=True)


def history(app: Flask, assessment_id: int) -> list[tuple[str, str, str, str]]:
    """(from, to, actor email, comment) of every recorded change, oldest first."""
    with app.app_context():
        changes = db.session.scalars(
            sa.select(StatusChange)
            .where(StatusChange.assessment_id == assessment_id)
            .order_by(StatusChange.id)
        )
        return [(c.from_status, c.to_status, c.actor.email, c.comment) for c in changes]


def first_question_ids(app: Flask, area_id: str, count: int) -> list[str]:
    with app.app_context():
        area = content.current.area(area_id)
        assert area is not None
        return [q.id for q in area.questions[:count]]


def field(question_id: str) -> str:
    return "q-" + question_id.replace(".", "-")


def test_submitting_records_who_submitted(
    app: Flask, people: dict[str, int], submitted: int
) -> None:
    assert history(app, submitted) == [("draft", "submitted", "official@a.example", "")]


def test_approve_records_the_decision_and_the_city_sees_it(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    switch_user("admin@x.example")
    response = client.post(
        f"/admin/assessments/{submitted}/approve",
        data={"approve-comment": "Clear evidence, 证据充分.", "approve-confirm_unverified": "y"},
    )
    assert response.headers["Location"].endswith(f"/admin/assessments/{submitted}")
    stored = get_assessment(app, submitted)
    assert stored.status == "approved" and stored.reviewed_at is not None
    assert history(app, submitted)[-1] == (
        "submitted",
        "approved",
        "admin@x.example",
        "Clear evidence, 证据充分.",
    )

    switch_user("official@a.example")
    report = client.get(f"/assessments/{submitted}/report").data.decode()
    assert "Review history" in report and "Clear evidence, 证据充分." in report
    assert "Approved" in report
    edit = client.get(f"/assessments/{submitted}/areas/planning")
    assert edit.headers["Location"].endswith(f"/assessments/{submitted}/report")


def test_return_needs_a_comment_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    switch_user("admin@x.example")
    question = first_question_ids(app, "planning", 1)[0]
    page = client.post(
        f"/admin/assessments/{submitted}/return",
        data={"return-comment": "  ", f"return-note-{question.replace('.', '-')}": "keep me 留"},
    )
    assert page.status_code == 200
    assert b"Say what the city should change before returning it." in page.data
    assert "keep me 留".encode() in page.data
    assert get_assessment(app, submitted).status == "submitted"
    assert len(history(app, submitted)) == 1


def test_returned_then_revised_then_resubmitted_then_approved(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    first, second = first_question_ids(app, "planning", 2)
    before = get_assessment(app, submitted)

    switch_user("admin@x.example")
    client.post(
        f"/admin/assessments/{submitted}/return",
        data={
            "return-comment": "Planning answers need evidence.",
            f"return-note-{first.replace('.', '-')}": "Which document adopted the plan?",
        },
    )
    returned = get_assessment(app, submitted)
    assert returned.status == "returned" and returned.reviewed_at is not None

    switch_user("official@a.example")
    listing = client.get("/assessments").data.decode()
    assert "Returned for revision" in listing and "Revise" in listing
    area = client.get(f"/assessments/{submitted}/areas/planning").data.decode()
    assert "Planning answers need evidence." in area
    assert "Which document adopted the plan?" in area
    assert area.index("Which document adopted the plan?") < area.index(f'name="{field(second)}"')
    review = client.get(f"/assessments/{submitted}/review").data.decode()
    assert "Planning answers need evidence." in review

    with app.app_context():
        planning = content.current.area("planning")
        assert planning is not None
        data = {field(q.id): "5" for q in planning.questions}
    data[field(first) + "-comment"] = "Adopted by the council, doc 2025-7."
    client.post(f"/assessments/{submitted}/areas/planning", data=data)
    response = client.post(f"/assessments/{submitted}/submit")
    assert response.headers["Location"].endswith(f"/assessments/{submitted}/report")

    resubmitted = get_assessment(app, submitted)
    assert resubmitted.status == "submitted" and resubmitted.reviewed_at is None
    assert resubmitted.planning_score == 100.0 > (before.planning_score or 0)
    assert resubmitted.overall_score == resubmitted.score_snapshot["overall"]
    assert resubmitted.overall_score > (before.overall_score or 0)

    switch_user("admin@x.example")
    client.post(f"/admin/assessments/{submitted}/approve", data=CONFIRMED)
    assert [(f, t) for f, t, _, _ in history(app, submitted)] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    detail = client.get(f"/admin/assessments/{submitted}").data.decode()
    assert "Which document adopted the plan?" in detail  # the timeline keeps the notes


def test_approving_twice_takes_effect_once(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    switch_user("admin@x.example")
    client.post(f"/admin/assessments/{submitted}/approve", data=CONFIRMED)
    again = client.post(
        f"/admin/assessments/{submitted}/approve", data=CONFIRMED, follow_redirects=True
    )
    assert again.status_code == 200
    assert b"approved already; nothing changed" in again.data
    assert [t for _, t, _, _ in history(app, submitted)] == ["submitted", "approved"]


@pytest.mark.parametrize(
    ("make_status", "action", "message"),
    [
        ("draft", "approve", b"Only a submitted assessment"),
        ("draft", "return", b"Only a submitted assessment"),
        ("approved", "return", b"Only a submitted assessment"),
        ("returned", "approve", b"Only a submitted assessment"),
        ("returned", "return", b"returned already; nothing changed"),
    ],
)
def test_forbidden_transitions_change_nothing(
    app: Flask,
    client: FlaskClient,
    switch_user: Callable[..., Any],
    people: dict[str, int],
    make_assessment: Callable[..., int],
    make_status: str,
    action: str,
    message: bytes,
) -> None:
    assessment_id = make_assessment(people["official"], "3", submit=make_status != "draft")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        admin = db.session.get(User, people["admin"])
        assert assessment is not None and admin is not None
        if make_status != "draft":
            change_status(assessment, admin, make_status, "setting up")
        db.session.commit()
    before = history(app, assessment_id)

    switch_user("admin@x.example")
    response = client.post(
        f"/admin/assessments/{assessment_id}/{action}",
        data={"return-comment": "Please fix."},
        follow_redirects=True,
    )
    assert message in response.data
    assert get_assessment(app, assessment_id).status == make_status
    assert history(app, assessment_id) == before


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (a, b)
        for a in ("draft", "submitted", "approved", "returned")
        for b in ("draft", "submitted", "approved", "returned")
        if (a, b) not in TRANSITIONS
    ],
)
def test_change_status_refuses_every_step_outside_the_flow(
    app: Flask,
    people: dict[str, int],
    make_assessment: Callable[..., int],
    from_status: str,
    to_status: str,
) -> None:
    assessment_id = make_assessment(people["official"], "3")
    with app.app_context():
        db.session.execute(
            sa.update(Assessment).where(Assessment.id == assessment_id).values(status=from_status)
        )
        db.session.commit()
        assessment = db.session.get(Assessment, assessment_id)
        official = db.session.get(User, people["official"])
        assert assessment is not None and official is not None
        with pytest.raises(TransitionRefused) as refused:
            change_status(assessment, official, to_status)
        assert refused.value.current == from_status
        db.session.rollback()
    assert count_rows(app, StatusChange) == 0


def test_a_submitted_assessment_cannot_be_submitted_again(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    switch_user("official@a.example")
    response = client.post(f"/assessments/{submitted}/submit", follow_redirects=True)
    assert b"submitted and can no longer be changed" in response.data
    with app.app_context():
        assessment = db.session.get(Assessment, submitted)
        assert assessment is not None
        with pytest.raises(TransitionRefused):
            submit_assessment(assessment)
    assert len(history(app, submitted)) == 1


def test_an_official_cannot_approve_or_return(
    app: Flask, client: FlaskClient, switch_user: Callable[..., Any], submitted: int
) -> None:
    switch_user("official@a.example")
    for action in ("approve", "return"):
        response = client.post(
            f"/admin/assessments/{submitted}/{action}", data={"return-comment": "x"}
        )
        assert response.status_code == 403
    assert get_assessment(app, submitted).status == "submitted"


def test_a_stale_read_loses_the_race(app: Flask, people: dict[str, int], submitted: int) -> None:
    """Two reviewers load the same submitted assessment; the second to write changes nothing.

    The first look is read as a page view reads (a GET): on SQLite a write request would hold
    the write lock from its first read (app/platform/sqlite.py), and the other could not commit
    at all.
    """
    with app.test_request_context(method="GET"):
        first_look = db.session.get(Assessment, submitted)
        admin2 = db.session.get(User, people["admin2"])
        assert first_look is not None and admin2 is not None
        assert first_look.status == "submitted"
        with app.app_context():  # another request, with its own session
            other = db.session.get(Assessment, submitted)
            admin = db.session.get(User, people["admin"])
            assert other is not None and admin is not None
            approve_assessment(other, admin)
            db.session.commit()
        assert first_look.status == "submitted"  # still the stale copy
        with pytest.raises(TransitionRefused) as refused:
            approve_assessment(first_look, admin2)
        assert refused.value.already_done
        assert first_look.status == "approved"
        db.session.rollback()
    assert [(t, who) for _, t, who, _ in history(app, submitted)] == [
        ("submitted", "official@a.example"),
        ("approved", "admin@x.example"),
    ]


def test_two_reviewers_approving_at_once_take_effect_once(
    app: Flask, people: dict[str, int], submitted: int
) -> None:
    start = threading.Barrier(2, timeout=30)

    outcomes: list[str] = []

    def review(admin_id: int) -> None:
        # Both read before either writes, as two page views can; on SQLite two write requests
        # never interleave so (each takes the write lock before its first read,
        # app/platform/sqlite.py).
        with app.test_request_context(method="GET"):
            assessment = db.session.get(Assessment, submitted)
            admin = db.session.get(User, admin_id)
            assert assessment is not None and admin is not None
            start.wait()  # both have read "submitted"; now both try to approve
            try:
                approve_assessment(assessment, admin, f"approved by {admin_id}")
                db.session.commit()
                outcomes.append("approved")
            except TransitionRefused as refused:
                db.session.rollback()
                outcomes.append("already" if refused.already_done else "refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=review, args=(people[k],)) for k in ("admin", "admin2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already", "approved"]
    approvals = [c for c in history(app, submitted) if c[1] == "approved"]
    assert len(approvals) == 1
    assert get_assessment(app, submitted).status == "approved"


def test_the_api_records_who_submitted(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    api_token: Callable[..., str],
) -> None:
    token = api_token("official@a.example")
    with app.app_context():
        answers = {q.id: {"value": "3"} for q in content.current.questions()}
    created = client.post(
        "/api/v1/assessments", json={"answers": answers, "submit": True}, headers=bearer(token)
    ).get_json()
    assert created["reviewed_at"] is None
    assert history(app, created["id"]) == [("draft", "submitted", "official@a.example", "")]


def test_the_demo_data_shows_every_step_of_the_review(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["seed-demo", "--force"]).exit_code == 0
    with app.app_context():
        statuses = db.session.scalars(sa.select(Assessment.status)).all()
        assert {"draft", "submitted", "approved", "returned"} <= set(statuses)
        returned = db.session.scalar(sa.select(Assessment).where(Assessment.status == "returned"))
        assert returned is not None and returned.pending_return is not None
        assert returned.pending_return.comment and len(returned.pending_return.notes) == 2


def test_a_return_without_a_reason_is_refused(
    app: Flask, people: dict[str, int], submitted: int
) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, submitted)
        admin = db.session.get(User, people["admin"])
        assert assessment is not None and admin is not None
        with pytest.raises(ValueError, match="needs a comment"):
            return_for_revision(assessment, admin, " \n", {})
    assert get_assessment(app, submitted).status == "submitted"
