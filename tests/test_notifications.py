"""Notifications: the inbox, e-mail through a real SMTP server on loopback, in the reader's
language, reminders from send-reminders, and a mail server that fails without failing anyone."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import content, db
from app.models import Notification, User
from app.rounds.operations import open_round


class Inbox:
    """The aiosmtpd handler: every message the server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"

    def to(self, address: str) -> list[tuple[str, str]]:
        """(subject, body) of each message sent to the address."""
        return [
            (str(make_header(decode_header(m["Subject"]))), _text(m))
            for m in self.messages
            if address in m["To"]
        ]


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SMTP_PORT = _free_port()


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Flask-Mailman keeps a testing app's mail in memory unless told to use SMTP.
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": SMTP_PORT,
        "MAIL_TIMEOUT": 5,
        "MAIL_BACKEND": "smtp",
    }


@pytest.fixture
def people(
    app: Flask,
    make_city: Callable[..., int],
    make_province: Callable[..., int],
    make_user: Callable[..., int],
) -> dict[str, int]:
    """An official of 杭州 (reading Chinese), the reviewer of 浙江省 (English), a national
    reviewer who has not opted in, and one of 广东省 who must hear nothing."""
    hangzhou, shenzhen = make_city("杭州"), make_city("深圳")
    zhejiang = make_province("浙江省", hangzhou)
    guangdong = make_province("广东省", shenzhen)
    ids = {
        "official": make_user("wang@hz.example", city_id=hangzhou),
        "reviewer": make_user("zj@review.example", role="admin", province_id=zhejiang),
        "national": make_user("nat@review.example", role="admin"),
        "other": make_user("gd@review.example", role="admin", province_id=guangdong),
        "hangzhou": hangzhou,
    }
    with app.app_context():
        official = db.session.get(User, ids["official"])
        reviewer = db.session.get(User, ids["reviewer"])
        assert official is not None and reviewer is not None
        official.language, reviewer.language = "zh", "en"
        db.session.commit()
    return ids


def _submit(
    client: FlaskClient, login: Callable[..., Any], make_assessment: Any, people: dict[str, int]
) -> int:
    assessment_id = int(make_assessment(people["official"], "3"))
    assert login("wang@hz.example").status_code == 302
    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.status_code == 302
    return assessment_id


def test_a_submission_tells_the_provinces_reviewers_by_inbox_and_mail(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    switch_user: Callable[..., Any],
    smtp: Inbox,
    people: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = _submit(client, login, make_assessment, people)
    [(subject, body)] = smtp.to("zj@review.example")
    assert subject == f"杭州 submitted assessment #{assessment_id} for review"
    assert "Sign in to CityReady" in body
    assert smtp.to("nat@review.example") == [] and smtp.to("gd@review.example") == []
    switch_user("zj@review.example")
    assert '<span class="badge">1</span>' in client.get("/assessments").get_data(as_text=True)
    assert subject in client.get("/inbox").get_data(as_text=True)
    assert client.post("/inbox/read").status_code == 302
    assert '<span class="badge">' not in client.get("/assessments").get_data(as_text=True)


def test_a_return_tells_the_citys_officials_in_their_language(
    client: FlaskClient,
    login: Callable[..., Any],
    switch_user: Callable[..., Any],
    smtp: Inbox,
    people: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = _submit(client, login, make_assessment, people)
    switch_user("zj@review.example")
    returned = client.post(
        f"/admin/assessments/{assessment_id}/return", data={"return-comment": "请补充证据。"}
    )
    assert returned.status_code == 302
    [(subject, body)] = smtp.to("wang@hz.example")
    assert subject == f"第 {assessment_id} 号评估已退回修改"
    assert "登录 CityReady" in body


def test_a_user_who_turns_mail_off_keeps_the_inbox(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    switch_user: Callable[..., Any],
    smtp: Inbox,
    people: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assert login("zj@review.example").status_code == 302
    assert client.post("/inbox/settings", data={}).status_code == 302
    client.post("/logout")
    _submit(client, login, make_assessment, people)
    assert smtp.to("zj@review.example") == []
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Notification.user_id == people["reviewer"])
            )
            == 1
        )


@pytest.mark.parametrize(
    "app_config",
    [{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": _free_port(), "MAIL_BACKEND": "smtp"}],
)
def test_a_mail_server_that_is_down_fails_no_submission(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    people: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = _submit(client, login, make_assessment, people)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Notification.assessment_id == assessment_id)
            )
            == 1
        )


def test_send_reminders_tells_each_official_once(
    app: Flask, runner: FlaskCliRunner, smtp: Inbox, people: dict[str, int]
) -> None:
    with app.app_context():
        reviewer = db.session.get(User, people["reviewer"])
        assert reviewer is not None
        open_round(
            reviewer,
            "2026年度第一批",
            content.current.version,
            date.today() + timedelta(days=2),
            [people["hangzhou"]],
        )
        late = open_round(
            reviewer,
            "2025年度补报",
            content.current.version,
            date.today() - timedelta(days=1),
            [people["hangzhou"]],
        )
        db.session.commit()
        late_id = late.id
    first = runner.invoke(args=["send-reminders", "--days", "3"])
    assert first.exit_code == 0 and "Reminded 2 officials" in first.output, first.output
    again = runner.invoke(args=["send-reminders", "--days", "3"])
    assert "Reminded 0 officials" in again.output
    subjects = sorted(subject for subject, _ in smtp.to("wang@hz.example"))
    assert len(subjects) == 2
    assert any("2026年度第一批" in s and "截止" in s for s in subjects)
    assert any("2025年度补报" in s and "杭州" in s for s in subjects)
    with app.app_context():
        kinds = set(
            db.session.scalars(sa.select(Notification.kind).where(Notification.round_id == late_id))
        )
        assert kinds == {"overdue"}
