"""Typed SQLAlchemy models: cities, their people, their assessments and the answers given."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash

from app.core.questionnaire import AREA_IDS
from app.extensions import Model
from app.platform.passwords import hash_password

ROLES = ("official", "admin")
STATUSES = ("draft", "submitted", "approved", "returned")
EDITABLE_STATUSES = ("draft", "returned")
FINISHED_STATUSES = ("submitted", "approved")
"""Rounds whose answers are final: a draft or a returned assessment may still change."""
PEER_STATUS = "approved"
"""The one status in which a city's round is compared with other cities': reviewed."""
SOURCES = ("web", "api", "paper")
"""How an assessment's answers arrived: the pages, the API, or keyed in from a paper form."""
COMMENT_MAX_LENGTH = 5000


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite drops the offset on the way back; without this, comparing a stored time with
    ``utcnow()`` would raise on SQLite and work on PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


TIERS = ("prefecture", "county_city", "county", "district")
"""The kinds of administrative division a city may be: a prefecture-level city, a county-level
city, a county or a district. Peers are compared within a tier, so the list is closed; forms
and the command line check it (no CHECK constraint: SQLite cannot add one in place)."""


class Province(Model):
    """A province (or a municipality directly under the central government): the reach of a
    provincial reviewer and of the evaluation rounds they open."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Province {self.name}>"


class City(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    data_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    """Advanced by every write to a row of this city's data (``app.platform.data_version``)."""
    shared_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    """Advanced by every write to a row of this city's that other cities' reports show."""
    # None for cities that existed before provinces did, until an admin places them.
    province_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("province.id"), index=True)
    tier: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    province: so.Mapped[Province | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<City {self.name}>"


class User(UserMixin, Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    # How the person is named on pages ("李娜"); None for accounts made before names existed.
    display_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    city_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("city.id"), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Part of the identity kept in every session cookie: raising it ends all of them at once.
    session_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Display preferences, kept so they follow the user to another device; None = not chosen.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    high_contrast: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Notifications reach the in-app inbox always, and e-mail unless the user turns it off; a
    # national reviewer hears of every submission only on asking to.
    email_notifications: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    notify_all_submissions: so.Mapped[bool] = so.mapped_column(
        default=False, server_default=sa.false()
    )
    # An admin with a province reviews that province's cities only; without one, every city.
    province_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("province.id"), index=True)

    city: so.Mapped[City | None] = so.relationship()
    province: so.Mapped[Province | None] = so.relationship()
    # Filled in by the query that loads a session's user (``app.auth.views``), so the header's
    # unread count costs no statement of its own; None wherever the user was loaded otherwise.
    unread_notifications: so.Mapped[int | None] = so.query_expression()

    __table_args__ = (sa.CheckConstraint("role IN ('official', 'admin')", name="role"),)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session identity: an old cookie stops working once the version moves on."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Sign this user out everywhere: on sign-out, deactivation or a new password."""
        self.session_version += 1

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        """The person as pages name them: their display name, else their email."""
        return self.display_name or self.email

    @property
    def is_national_reviewer(self) -> bool:
        return self.role == "admin" and self.province_id is None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored, so a leaked table is inert."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, max_age: timedelta) -> tuple[ApiToken, str]:
        """Create a token row for the user and return it with the plain token, shown once."""
        plain = secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=cls.digest(plain), expires_at=utcnow() + max_age)
        return row, plain


class EndedSession(Model):
    """A session signed out on its own device: its cookie, replayed, loads no one.

    Kept until the session would have timed out anyway (``SESSION_ABSOLUTE_TIMEOUT``)."""

    session_id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    ended_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)


class PaperFormId(Model):
    """A form id printed on a blank questionnaire, and the city it was printed for: only that
    city keys the form in, so no other city can use up its id. None for an admin's print,
    which any city may key in."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    form_id: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    city_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="CASCADE"), index=True
    )
    printed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    city: so.Mapped[City | None] = so.relationship()


def area_scores(row: Any) -> dict[str, float | None]:
    """Each area's score, by area id, from an assessment or a row that selects its
    ``<area>_score`` columns (they hold its snapshot's figures once submitted)."""
    return {area: getattr(row, f"{area}_score") for area in AREA_IDS}


_LISTED_BY = (
    "submitted_at",
    "overall_score",
    "planning_score",
    "environment_score",
    "participation_score",
)
"""The columns the reviewers' list sorts by, each indexed with the status it filters on."""


class Assessment(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    city_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("city.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    questionnaire_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="draft", index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), index=True)
    # When the current approval or return was decided; cleared by the next submission.
    reviewed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # The score snapshot, fixed at submission so later changes to the bank never move it.
    # The flat columns repeat its headline figures so lists can filter and sort in SQL.
    score_snapshot: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    overall_score: so.Mapped[float | None] = so.mapped_column(index=True)
    planning_score: so.Mapped[float | None] = so.mapped_column(index=True)
    environment_score: so.Mapped[float | None] = so.mapped_column(index=True)
    participation_score: so.Mapped[float | None] = so.mapped_column(index=True)
    level: so.Mapped[int | None] = so.mapped_column(index=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(10), default="web", server_default="web")
    # The id printed on the paper form it was keyed in from; unique, so no form counts twice.
    paper_form_id: so.Mapped[str | None] = so.mapped_column(sa.String(20), unique=True)
    # The evaluation round that was open for the city when the assessment was started, if any.
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("evaluation_round.id"), index=True
    )

    city: so.Mapped[City] = so.relationship()
    author: so.Mapped[User] = so.relationship()
    evaluation_round: so.Mapped[EvaluationRound | None] = so.relationship()
    answers: so.Mapped[list[Answer]] = so.relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Answer.id"
    )
    status_changes: so.Mapped[list[StatusChange]] = so.relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="StatusChange.id",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned')", name="status"
        ),
        sa.CheckConstraint("source IN ('web', 'api', 'paper')", name="source"),
        # A city's rounds, newest first: the assessment lists of officials and of the API.
        sa.Index("ix_assessment_city_id_created_at", "city_id", "created_at"),
        # Rounds by status, city and date: every city's latest approved one (the peers) and a
        # city's finished rounds (its trend), read in index order.
        sa.Index("ix_assessment_status_city_id_submitted_at", "status", "city_id", "submitted_at"),
        # Each city's newest finished round, found by reading its rounds newest first.
        sa.Index("ix_assessment_city_id_submitted_at_id", "city_id", "submitted_at", "id"),
        # The reviewers' list filtered by status and sorted on a column: one page is read in
        # index order instead of sorting every row of that status.
        *(sa.Index(f"ix_assessment_status_{column}", "status", column) for column in _LISTED_BY),
        # The same lists newest or best first. PostgreSQL reads a descending order with NULLs
        # last, ties by id, in index order only from an index built that way; SQLite keeps
        # NULLs lowest, so the indexes above serve it (and it cannot build these).
        *(
            sa.Index(
                f"ix_assessment_status_{column}_desc",
                "status",
                sa.literal_column(column).desc().nulls_last(),
                sa.literal_column("id").desc(),
            ).ddl_if(dialect="postgresql")
            for column in _LISTED_BY
        ),
    )

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def filed_late(self) -> bool:
        """Submitted after its evaluation round's due date: accepted, but marked."""
        if self.evaluation_round is None or self.submitted_at is None:
            return False
        return self.evaluation_round.is_late(self.submitted_at)

    @property
    def is_editable(self) -> bool:
        """Officials may change the answers of a draft and of one returned for revision."""
        return self.status in EDITABLE_STATUSES

    @property
    def pending_return(self) -> StatusChange | None:
        """The return the official is answering, while the assessment stands returned."""
        if self.status != "returned" or not self.status_changes:
            return None
        latest = self.status_changes[-1]
        return latest if latest.to_status == "returned" else None

    def answer_values(self) -> dict[str, str]:
        return {a.question_id: a.value for a in self.answers}

    def answer_for(self, question_id: str) -> Answer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)

    if TYPE_CHECKING:
        round_number: int
        """Which of its city's rounds this is, counted from 1 in the order they were started."""


_earlier = sa.alias(Assessment.__table__, "earlier")
# Loaded with the row, in the same statement: every list and page that names a round has it.
Assessment.round_number = so.column_property(  # type: ignore[assignment]
    sa.select(sa.func.count(_earlier.c.id))
    .where(
        _earlier.c.city_id == Assessment.city_id,
        sa.or_(
            _earlier.c.created_at < Assessment.created_at,
            sa.and_(_earlier.c.created_at == Assessment.created_at, _earlier.c.id <= Assessment.id),
        ),
    )
    .correlate_except(_earlier)
    .scalar_subquery()
)


_BEIJING = timezone(timedelta(hours=8))


class EvaluationRound(Model):
    """A call by a reviewer for the cities of a province (or, from a national reviewer, any
    cities) to assess themselves on one question bank by a due date.

    Not to be confused with a city's nth assessment, which the pages also call a round.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # None for a round a national reviewer opened; provincial reviewers see only their own.
    province_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("province.id"), index=True)
    questionnaire_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    due_on: so.Mapped[date]
    opened_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    province: so.Mapped[Province | None] = so.relationship()
    opened_by: so.Mapped[User] = so.relationship()
    covered: so.Mapped[list[RoundCity]] = so.relationship(
        back_populates="evaluation_round", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_late(self, moment: datetime) -> bool:
        """After the due date ends on the Chinese civil clock (UTC+8, no summer time), which
        is the clock the due date was set on."""
        return moment.astimezone(_BEIJING).date() > self.due_on

    def is_overdue(self, today: date) -> bool:
        return today > self.due_on


class RoundCity(Model):
    """A city an evaluation round covers."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("evaluation_round.id", ondelete="CASCADE")
    )
    city_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="CASCADE"), index=True
    )

    evaluation_round: so.Mapped[EvaluationRound] = so.relationship(back_populates="covered")
    city: so.Mapped[City] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "city_id"),)


class Answer(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    value: so.Mapped[str] = so.mapped_column(sa.String(40))
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # How sure the city is (low, medium, high; None = not said) and what the answer rests on:
    # a note or an http(s) link. They widen the score into a range; see docs/scoring.md.
    confidence: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # Copied from the city's previous round and not yet confirmed by an official.
    carried_over: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # A reviewer's check of this answer: None = not verified yet; "accepted" keeps the value,
    # "adjusted" replaces it, for the verified score only, by ``verified_value`` with a reason.
    verification_status: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    verified_value: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    verification_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    verified_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    assessment: so.Mapped[Assessment] = so.relationship(back_populates="answers")
    verified_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "question_id"),
        sa.CheckConstraint(
            "confidence IS NULL OR confidence IN ('low', 'medium', 'high')", name="confidence"
        ),
        sa.CheckConstraint(
            "verification_status IS NULL OR verification_status IN ('accepted', 'adjusted')",
            name="verification_status",
        ),
    )

    @property
    def verified_or_given(self) -> str:
        """The value the verified score counts: the reviewer's when adjusted, else the city's."""
        if self.verification_status == "adjusted" and self.verified_value is not None:
            return self.verified_value
        return self.value


EVIDENCE_FILENAME_MAX_LENGTH = 200


class EvidenceFile(Model):
    """A document an official attached to one answer: what it is, never its bytes.

    The bytes live in ``EvidenceBlob`` (or an S3 bucket), so listing a round's files reads no
    document. The type is the one read from the content when it was received, not the name's.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    filename: so.Mapped[str] = so.mapped_column(sa.String(EVIDENCE_FILENAME_MAX_LENGTH))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    assessment: so.Mapped[Assessment] = so.relationship()
    uploaded_by: so.Mapped[User | None] = so.relationship()


class EvidenceBlob(Model):
    """The bytes of one evidence file, kept in the database: every server reads the same ones,
    and a database backup holds them."""

    file_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("evidence_file.id", ondelete="CASCADE"), primary_key=True
    )
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class StatusChange(Model):
    """One step of the review workflow: who moved the assessment, when, from what to what, why."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    from_status: so.Mapped[str] = so.mapped_column(sa.String(20))
    # Indexed: the newest approval is the version of the peer comparison (``current_peers``).
    to_status: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    assessment: so.Mapped[Assessment] = so.relationship(back_populates="status_changes")
    actor: so.Mapped[User] = so.relationship()
    notes: so.Mapped[list[ReviewerNote]] = so.relationship(
        back_populates="status_change",
        cascade="all, delete-orphan",
        order_by="ReviewerNote.id",
        passive_deletes=True,
    )

    def note_for(self, question_id: str) -> str:
        return next((n.comment for n in self.notes if n.question_id == question_id), "")


class ReviewerNote(Model):
    """A reviewer's remark on one question, attached to the return that asked for a revision."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    status_change_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("status_change.id", ondelete="CASCADE"), index=True
    )
    question_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    comment: so.Mapped[str] = so.mapped_column(sa.Text)

    status_change: so.Mapped[StatusChange] = so.relationship(back_populates="notes")

    __table_args__ = (sa.UniqueConstraint("status_change_id", "question_id"),)


TARGET_LEVELS = (1, 2, 3, 4, 5)
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
ACTION_OWNER_MAX_LENGTH = 120


class Target(Model):
    """The level a city aims for, for one area (``scope`` = area id) or one question (its id)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    city_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="CASCADE"), index=True
    )
    scope: so.Mapped[str] = so.mapped_column(sa.String(80))
    level: so.Mapped[int]
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        sa.UniqueConstraint("city_id", "scope"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )


class ActionItem(Model):
    """A countermeasure a city has decided to carry out, with who does it, by when, and how far."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    city_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="CASCADE"), index=True
    )
    # The round whose report recommended it; its targeted scores are compared with later rounds.
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    countermeasure_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    question_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    owner: so.Mapped[str] = so.mapped_column(sa.String(ACTION_OWNER_MAX_LENGTH))
    due_date: so.Mapped[date | None]
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="planned")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    assessment: so.Mapped[Assessment] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "countermeasure_id"),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'dropped')", name="status"
        ),
    )


class Survey(Model):
    """A resident survey a city opened for one round; anyone with its link may answer it."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    city_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="CASCADE"), index=True
    )
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), unique=True
    )
    # The public link's secret part; it only lets someone answer, so it is kept as it is.
    token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    content_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    closes_on: so.Mapped[date]
    opened_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Blank paper questionnaires printed through the survey page: paper answers beyond it are
    # refused, so an official cannot type in more "paper" answers than there were forms.
    paper_forms_printed: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Single-use invitation codes printed (``SurveyInvitation``): verified answers cannot exceed it.
    invitations_printed: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Online answers per clock hour (UTC): the running hour, and the busiest one so far, which
    # the survey page and the report flag when it passes the burst limit.
    hour_started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    hour_answers: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    busiest_hour_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    busiest_hour_answers: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    def is_open(self, today: date) -> bool:
        return today <= self.closes_on


class SurveyAnswerCount(Model):
    """Open-link answers from one client network to one survey in one window of the limit.

    Keyed by a salted hash of the address, and never linked to an answer: kept in the database so
    every worker and server counts together and a restart forgets nothing.
    """

    __table_args__ = (sa.UniqueConstraint("survey_id", "address_key", "window_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survey_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    address_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    window_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), index=True)
    answers: so.Mapped[int]


class SurveyInvitation(Model):
    """A single-use code printed for one household: an online answer with it counts as verified.

    Only the code's SHA-256 is kept, and nothing links the code to the answer given with it.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survey_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # The day only, like a response's: a time of day could be matched to the answer.
    used_on: so.Mapped[date | None]


class SurveyResponse(Model):
    """One resident's answers. Nothing about who sent it is kept: no address, no time of day."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survey_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    answers: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON)
    source: so.Mapped[str] = so.mapped_column(sa.String(10), default="online")
    received_on: so.Mapped[date]
    # Online with a single-use invitation code; an answer through the open link is unverified.
    verified: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    __table_args__ = (sa.CheckConstraint("source IN ('online', 'paper')", name="source"),)


class SurveyTally(Model):
    """A running total of one survey's responses from one channel: how many residents chose
    ``point`` for ``question_id``, or, in the row whose question is ``RESPONSES_TALLIED``, how
    many responded at all.

    Kept up with every response, in the same statement for all its answers, so the results are
    read from a few hundred rows however many residents answered: a large city's survey can
    reach a million responses.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survey_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    channel: so.Mapped[str] = so.mapped_column(sa.String(10))
    question_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    point: so.Mapped[int]
    answers: so.Mapped[int]

    __table_args__ = (sa.UniqueConstraint("survey_id", "channel", "question_id", "point"),)


RESPONSES_TALLIED = ""
"""The ``SurveyTally.question_id`` (with point 0) of the row that counts responses."""


DEPARTMENT_NAME_MAX_LENGTH = 80


class Department(Model):
    """A colleague's department invited to answer the same assessment on its own.

    It answers through a private link; only the link's SHA-256 is kept, as for API tokens.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(DEPARTMENT_NAME_MAX_LENGTH))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    invited_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Moved by every change to the department or its answers: the cached report keys on it.
    updated_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp()
    )

    assessment: so.Mapped[Assessment] = so.relationship()
    answers: so.Mapped[list[DepartmentAnswer]] = so.relationship(
        back_populates="department", cascade="all, delete-orphan", order_by="DepartmentAnswer.id"
    )

    __table_args__ = (sa.UniqueConstraint("assessment_id", "name"),)

    def answer_values(self) -> dict[str, str]:
        return {a.question_id: a.value for a in self.answers}


class DepartmentAnswer(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    question_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    value: so.Mapped[str] = so.mapped_column(sa.String(40))

    department: so.Mapped[Department] = so.relationship(back_populates="answers")

    __table_args__ = (sa.UniqueConstraint("department_id", "question_id"),)


NOTIFICATION_KINDS = ("submitted", "returned", "approved", "due_soon", "overdue")


class Notification(Model):
    """A message in a user's inbox. Its text is written when shown, in the reader's language,
    from the kind and the objects it names."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    assessment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE")
    )
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("evaluation_round.id", ondelete="CASCADE")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    assessment: so.Mapped[Assessment | None] = so.relationship()
    evaluation_round: so.Mapped[EvaluationRound | None] = so.relationship()

    __table_args__ = (
        # A user's inbox, newest first, and its unread count.
        sa.Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        # A reminder is sent once per user and round: send-reminders looks for it here.
        sa.Index("ix_notification_round_id_kind", "round_id", "kind"),
    )


AUDIT_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "save",
    "submit",
    "return",
    "approve",
    "export",
    "download",
    "account_change",
    "round_change",
)
"""What the audit log records; ``app.platform.audit`` refuses anything else."""


class AuditEvent(Model):
    """One thing someone did, kept for review: who, from where, when, to what.

    Rows are only ever added (``app.platform.audit.record``): the ORM refuses to change or delete
    one, and no route does either; the one exception is ``attempts`` of a failed sign-in, which
    ``app.platform.audit.record_repeated`` only ever raises. ``email`` is the user's address at
    the time, or, for a failed sign-in, what was typed; the user and city stay readable if
    either is renamed later.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(30), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", index=True)
    city_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("city.id", ondelete="SET NULL"), index=True
    )
    ip: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    object_id: so.Mapped[int | None]
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Failed sign-ins from one address for one account are kept as one row per window, which
    # counts them (app.auth.throttling); every other event is one thing done, once.
    attempts: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    city: so.Mapped[City | None] = so.relationship()


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(_mapper: Any, _connection: Any, event: AuditEvent) -> None:
    raise PermissionError(f"audit event {event.id} cannot be changed or deleted")


class StoredDocument(Model):
    """A report rendered in the background (a PDF, later a Word file) for one version of what it
    shows, kept in the database so every worker and every server serves the same copy.

    A row exists from the moment a render is asked for: ``content`` is empty until it is done,
    and ``updated_at`` tells a render in progress from one whose worker died.
    """

    __table_args__ = (sa.UniqueConstraint("assessment_id", "kind", "language", "version_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    language: so.Mapped[str] = so.mapped_column(sa.String(8))
    version_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary(), deferred=True)
    error: so.Mapped[str] = so.mapped_column(sa.Text(), default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
