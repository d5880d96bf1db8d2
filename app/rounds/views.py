"""Evaluation round pages under /rounds: reviewers open, follow, export and close rounds."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin.export import csv_chunks
from app.assessments.queries import visible_cities
from app.extensions import content, db, login_manager
from app.models import EvaluationRound, utcnow
from app.platform import audit
from app.rounds.forms import CloseRoundForm, RoundForm
from app.rounds.operations import RoundClosed, close_round, open_round
from app.rounds.queries import (
    PROGRESS,
    open_round_for,
    progress_counts,
    round_or_404,
    round_progress,
    visible_rounds,
)
from app.rounds.rollup import rollup

bp = Blueprint("rounds", __name__)

PROGRESS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "approved": _l("Approved"),
    "overdue": _l("Overdue"),
}


@bp.before_request
def reviewers_only() -> Response | None:
    """Signed-out visitors go to the login page; officials get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not current_user.is_admin:
        abort(403)
    return None


@bp.app_context_processor
def round_of_city() -> dict[str, object]:
    """Officials' pages show the round their city is called to; queried only where shown."""
    return {"open_round_for": open_round_for}


def _round_form() -> RoundForm:
    cities = list(db.session.scalars(visible_cities(current_user)))
    return RoundForm(cities, sorted(content.banks, reverse=True))


def _index(form: RoundForm) -> str:
    rounds = db.session.scalars(
        visible_rounds(current_user).order_by(
            EvaluationRound.opened_at.desc(), EvaluationRound.id.desc()
        )
    ).all()
    return render_template("rounds/index.html", rounds=rounds, form=form)


@bp.get("")
def index() -> str:
    return _index(_round_form())


@bp.post("")
def new() -> str | Response:
    form = _round_form()
    # DataRequired has checked the date; the second test tells mypy so.
    if not form.validate_on_submit() or form.due_on.data is None:
        return _index(form)
    opened = open_round(
        current_user,
        form.name.data or "",
        form.questionnaire_version.data or content.current.version,
        form.due_on.data,
        form.cities.data or [],
    )
    db.session.commit()
    flash(_("Opened %(round)s.", round=opened.name), "success")
    return redirect(url_for("rounds.detail", round_id=opened.id))


def _chosen_progress() -> str | None:
    chosen = request.args.get("progress") or None
    return chosen if chosen in PROGRESS else None


@bp.get("/overview")
def overview() -> str:
    """Each province (national reviewers) or each city (provincial ones): mean index, levels
    reached and the open rounds' progress."""
    return render_template(
        "rounds/overview.html",
        rows=rollup(current_user, date.today()),
        levels=[level.number for level in content.current.maturity_levels],
        progress_keys=PROGRESS,
        labels=PROGRESS_LABELS,
        by_province=current_user.is_national_reviewer,
    )


@bp.get("/<int:round_id>")
def detail(round_id: int) -> str:
    """Every covered city and how far it has got, counted, filtered by ``?progress=``."""
    evaluation_round = round_or_404(current_user, round_id)
    rows = round_progress(evaluation_round, date.today())
    chosen = _chosen_progress()
    return render_template(
        "rounds/detail.html",
        evaluation_round=evaluation_round,
        counts=progress_counts(rows),
        rows=[row for row in rows if chosen is None or row.progress == chosen],
        chosen=chosen,
        labels=PROGRESS_LABELS,
        close_form=CloseRoundForm(),
    )


@bp.get("/<int:round_id>/progress.csv")
def progress_csv(round_id: int) -> Response:
    """The round page's table as CSV, with the same filter."""
    evaluation_round = round_or_404(current_user, round_id)
    chosen = _chosen_progress()
    rows = [
        row
        for row in round_progress(evaluation_round, date.today())
        if chosen is None or row.progress == chosen
    ]
    # Read before the commit below expires the rows: the download is one line per city.
    lines = [
        [
            row.city.name,
            row.city.province.name if row.city.province else "",
            row.progress,
            row.assessment.id if row.assessment else "",
            row.assessment.submitted_at.isoformat(timespec="seconds")
            if row.assessment and row.assessment.submitted_at
            else "",
            "yes" if row.late else "no",
        ]
        for row in rows
    ]
    audit.record("export", obj=evaluation_round, detail="round progress.csv", commit=True)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    header = ["city", "province", "progress", "assessment_id", "submitted_at", "late"]
    return Response(
        csv_chunks(header, lines),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="cityready-round-{round_id}-{stamp}.csv"'
        },
    )


@bp.post("/<int:round_id>/close")
def close(round_id: int) -> Response:
    evaluation_round = round_or_404(current_user, round_id)
    if CloseRoundForm().validate_on_submit():
        try:
            close_round(evaluation_round)
        except RoundClosed:
            db.session.rollback()
            flash(_("This round was closed already; nothing changed."), "info")
        else:
            db.session.commit()
            flash(_("Closed %(round)s.", round=evaluation_round.name), "success")
    return redirect(url_for("rounds.detail", round_id=evaluation_round.id))
