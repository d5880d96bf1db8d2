from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.accounts.operations import authenticate
from app.admin.filters import PROBLEM_TEXT, parse_filters, positive_int
from app.admin.queries import (
    answers_and_checks_of,
    city_choices,
    export_record,
    submissions_page,
    verified_of,
)
from app.api.openapi import openapi_document
from app.api.serializers import (
    action_json,
    assessment_json,
    evidence_json,
    live_json,
    questionnaire_json,
    round_json,
    round_progress_json,
    verification_json,
    verified_json,
)
from app.api.validation import (
    ActionBody,
    AssessmentBody,
    BankMoveBody,
    parse_action_body,
    parse_assessment_body,
    parse_bank_move_body,
    parse_department_body,
    parse_survey_body,
    parse_survey_response,
    parse_targets_body,
)
from app.assessments.operations import (
    IncompleteAssessment,
    MoveRefused,
    bank_move_for,
    carry_over_previous_round,
    confirm_carried_over,
    file_assessment,
    move_to_bank,
    previous_round,
    save_answers,
    submit_assessment,
    unconfirmed_carried_over,
)
from app.assessments.queries import (
    ANSWERS_AND_REVIEWERS,
    assessment_or_404,
    visible_assessments,
)
from app.assessments.scores import bank_for
from app.assessments.verification import VerificationRefused, verify_answer
from app.assessments.workflow import TransitionRefused
from app.auth import throttling
from app.auth.tokens import revoke_bearer_token, token_required, unauthorized
from app.departments.operations import DuplicateDepartment, invite_department
from app.evidence.downloads import download_response
from app.evidence.operations import (
    EvidenceRefused,
    attach_evidence,
    evidence_file_or_404,
    evidence_of,
    remove_evidence,
)
from app.extensions import content, csrf, db
from app.models import ApiToken, Assessment, EvaluationRound
from app.plans.operations import (
    ActionInput,
    UnknownCountermeasure,
    action_or_404,
    plan_action,
    set_targets,
    update_action,
)
from app.platform import audit, sqlite
from app.platform.caching import frozen_cache
from app.reports.insights import city_records
from app.reports.versions import frozen_version
from app.rounds.queries import round_or_404, round_progress, visible_rounds
from app.surveys.operations import (
    PaperRefused,
    open_survey,
    record_paper_response,
    survey_of,
    survey_results,
)
from app.version import APP_VERSION
from app.web.conditional import etag_for, not_modified
from app.web.i18n import content_language
from app.web.input_guard import receives_files
from app.web.links import public_url_for
from app.web.templating import display_zone

bp = Blueprint("api", __name__)
csrf.exempt(bp)

MAX_PER_PAGE = 100

EVIDENCE_REFUSALS = {
    "not_editable": (409, "assessment", "only a draft or a returned assessment takes changes"),
    "unknown_question": (422, "question_id", "not a question of this assessment's bank"),
    "too_large": (413, "file", "larger than the limit for one file"),
    "assessment_full": (413, "file", "the assessment's files would pass their total limit"),
    "type": (
        415,
        "file",
        "not a PDF, PNG, JPEG, docx, xlsx or pptx file, as read from its content",
    ),
}

VERIFICATION_REFUSALS = {
    "not_in_review": (409, "assessment", "only a submitted assessment is in review"),
    "no_answer": (404, "question_id", "this assessment has no answer to that question"),
    "status": (422, "status", "must be 'accepted' or 'adjusted'"),
    "value": (422, "value", "must be one of the question's answer values"),
    "reason": (422, "reason", "required when adjusting, at most 5000 characters"),
}

NOT_EDITABLE = "only a draft or a returned assessment takes changes"
NO_PREVIOUS_ROUND = (
    "the city has no finished (submitted or approved) round to carry answers over from"
)
UNCONFIRMED = (
    "answers carried over from the previous round are not confirmed yet (listed under "
    "carried_over): confirm them, or send confirm_carried_over: true to submit them as they are"
)

PAPER_REFUSALS = {
    "closed": "the survey has closed: paper questionnaires can no longer be typed in",
    "no_forms_left": "every blank paper questionnaire printed on the survey page has been "
    "typed in: print more there first",
}


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[Response, int]:
    """Every API error is JSON, whatever raised it."""
    return jsonify({"errors": {"request": error.description}}), error.code or 500


def _bad_request(errors: dict[str, Any], status: int = 400) -> tuple[Response, int]:
    return jsonify({"errors": errors}), status


@bp.post("/tokens")
@sqlite.reads_first
def issue_token() -> Any:
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        return unauthorized("Send your email and password with HTTP Basic authentication.")
    if (wait := throttling.sign_in_refused(auth.username)) is not None:
        throttling.sign_in_throttled()
        refused = {"errors": {"request": throttling.MESSAGE}}
        return jsonify(refused), 429, {"Retry-After": str(wait)}
    user = authenticate(auth.username, auth.password)
    if user is None:
        current_app.logger.warning(
            "Failed API sign-in for %r from %s", auth.username, request.remote_addr
        )
        throttling.sign_in_failed(auth.username, throttling.API)
        return unauthorized("Wrong email or password.")
    max_age = timedelta(days=current_app.config["API_TOKEN_MAX_AGE_DAYS"])
    row, plain = ApiToken.issue(user, max_age)
    db.session.add(row)
    audit.record("sign_in", user=user, detail="api")
    db.session.commit()
    return jsonify({"token": plain, "expires_at": row.expires_at.isoformat()})


@bp.delete("/tokens/current")
@token_required
def revoke_current_token() -> tuple[str, int]:
    """Revoke the token this call is made with; the user's other tokens go on."""
    revoke_bearer_token()
    audit.record("sign_out", detail="api")
    db.session.commit()
    return "", 204


@bp.get("/version")
def version() -> Response:
    return jsonify({"version": APP_VERSION, "questionnaire_version": content.current.version})


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of every /api/v1 call (app/api/openapi.py)."""
    served_at = request.script_root + request.path.removesuffix("/openapi.json")
    return jsonify(openapi_document(APP_VERSION, served_at))


@bp.get("/questionnaire")
def questionnaire() -> Response:
    return jsonify(questionnaire_json(content.current, content_language()))


def _page_args() -> tuple[int, int] | dict[str, str]:
    errors = {}
    values = {}
    for name, default, ceiling in (("page", 1, None), ("per_page", 20, MAX_PER_PAGE)):
        number = positive_int(request.args.get(name, str(default)))
        if number is None or (ceiling and number > ceiling):
            limit = f" and at most {ceiling or 2**31 - 1}"
            errors[name] = f"must be a whole number of at least 1{limit}"
        else:
            values[name] = number
    return errors or (values["page"], values["per_page"])


@bp.get("/assessments")
@token_required
def list_assessments() -> Any:
    paging = _page_args()
    if isinstance(paging, dict):
        return _bad_request(paging)
    page, per_page = paging
    query = visible_assessments(g.api_user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .options(sa.orm.joinedload(Assessment.city), ANSWERS_AND_REVIEWERS)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    records, lang, for_admin = (
        city_records(rows),
        content_language(),
        g.api_user.is_national_reviewer,
    )
    return jsonify(
        {
            "items": [assessment_json(a, lang, for_admin, records) for a in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


@bp.get("/admin/assessments")
@token_required
def admin_assessments() -> Any:
    """Every city's assessments for admins, with the filters and order of /admin/assessments."""
    if not g.api_user.is_admin:
        return _bad_request({"auth": "Only admins may export every city's assessments."}, 403)
    paging = _page_args()
    parsed = parse_filters(request.args, city_choices(g.api_user).ids)
    errors = {name: PROBLEM_TEXT[problem] for name, problem in parsed.problems.items()}
    if isinstance(paging, dict) or errors:
        return _bad_request({**errors, **(paging if isinstance(paging, dict) else {})})
    page, per_page = paging
    listed, rows = submissions_page(
        replace(parsed.filters, page=page), per_page, display_zone(), g.api_user, clamp=False
    )
    answers, checks = answers_and_checks_of([a.id for a in rows])
    verified = verified_of(rows, answers, checks)
    audit.record("export", detail="api/v1/admin/assessments", commit=True)
    total = listed.total
    return jsonify(
        {
            "items": [export_record(a, answers[a.id], verified[a.id]) for a in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


@bp.get("/rounds")
@token_required
def list_rounds() -> Any:
    """The evaluation rounds the reviewer may see, newest first, with their cities counted."""
    if not g.api_user.is_admin:
        return _bad_request({"auth": "Only reviewers may list evaluation rounds."}, 403)
    rounds = db.session.scalars(
        visible_rounds(g.api_user)
        .options(sa.orm.joinedload(EvaluationRound.province))
        .order_by(EvaluationRound.opened_at.desc(), EvaluationRound.id.desc())
    ).all()
    today = date.today()
    return jsonify({"items": [round_json(r, round_progress(r, today)) for r in rounds]})


@bp.get("/rounds/<int:round_id>")
@token_required
def get_round(round_id: int) -> Any:
    """One round and the progress of every city it covers; another province's is a 404."""
    if not g.api_user.is_admin:
        return _bad_request({"auth": "Only reviewers may read evaluation rounds."}, 403)
    evaluation_round = round_or_404(g.api_user, round_id)
    return jsonify(
        round_progress_json(evaluation_round, round_progress(evaluation_round, date.today()))
    )


@bp.post("/assessments")
@token_required
def create_assessment() -> Any:
    parsed = parse_assessment_body(request, content.current, g.api_user)
    if not isinstance(parsed, AssessmentBody):
        status, errors = parsed
        return _bad_request(errors, status)
    if parsed.carry_over:
        return _file_carried_over(parsed)
    assessment = file_assessment(
        g.api_user, parsed.city, parsed.answers, submit=parsed.submit, source="api"
    )
    audit.record("save", obj=assessment, detail="api")
    if parsed.submit:
        audit.record("submit", obj=assessment, detail="api")
    # Commit before building the answer: on SQLite the write lock is held until the commit, and
    # the report's insights take long enough to queue every other filing behind them.
    db.session.commit()
    return jsonify(
        assessment_json(assessment, content_language(), for_admin=g.api_user.is_national_reviewer)
    ), 201


def _file_carried_over(parsed: AssessmentBody) -> Any:
    """A new draft that starts from the city's previous round, as the page's "carry over" box
    does: the answers in the body replace the copies and are confirmed, the others stay marked
    until confirmed. A client that asked for copies is told when there is nothing to copy
    (the page, read by a person, says so and starts an empty draft)."""
    if previous_round(parsed.city.id) is None:
        return _bad_request({"carry_over": NO_PREVIOUS_ROUND}, 422)
    assessment = file_assessment(g.api_user, parsed.city, {}, submit=False, source="api")
    copied = carry_over_previous_round(assessment)
    save_answers(assessment, parsed.answers)
    audit.record("save", obj=assessment, detail="api carry over")
    if parsed.submit and (refused := _submit(assessment, parsed.confirm_carried_over)):
        return refused
    db.session.commit()
    found = assessment_json(
        assessment, content_language(), for_admin=g.api_user.is_national_reviewer
    )
    return jsonify({**found, "carried_over_count": copied}), 201


def _submit(assessment: Assessment, confirmed: bool) -> tuple[Response, int] | None:
    """Submit as the page's button does, asking first about unconfirmed carried-over answers;
    the refusal to answer with (nothing is stored), or None once submitted."""
    refusal: tuple[int, dict[str, Any]] | None = None
    if (unconfirmed := unconfirmed_carried_over(assessment)) and not confirmed:
        refusal = 409, {"carried_over": unconfirmed, "confirm_carried_over": UNCONFIRMED}
    else:
        try:
            submit_assessment(assessment, g.api_user)
        except IncompleteAssessment as missing:
            refusal = 422, {"unanswered": missing.unanswered}
        except TransitionRefused:
            refusal = 409, {"assessment": NOT_EDITABLE}
    if refusal is not None:
        db.session.rollback()
        return _bad_request(refusal[1], refusal[0])
    audit.record("submit", obj=assessment, detail="api")
    return None


@bp.post("/assessments/<int:assessment_id>/submission")
@token_required
def submit(assessment_id: int) -> Any:
    """Submit a draft or a returned assessment; ``{"confirm_carried_over": true}`` submits
    answers carried over from the previous round that were not confirmed."""
    assessment = assessment_or_404(g.api_user, assessment_id, ANSWERS_AND_REVIEWERS)
    body = request.get_json(silent=True) if request.get_data(cache=True) else {}
    if not isinstance(body, dict):
        return _bad_request({"body": "must be a JSON object, or empty"})
    confirmed = body.get("confirm_carried_over", False)
    if not isinstance(confirmed, bool):
        return _bad_request({"confirm_carried_over": "must be true or false"}, 422)
    if not assessment.is_editable:
        return _bad_request({"assessment": NOT_EDITABLE}, 409)
    if refused := _submit(assessment, confirmed):
        return refused
    db.session.commit()
    return jsonify(
        assessment_json(assessment, content_language(), for_admin=g.api_user.is_national_reviewer)
    )


@bp.post("/assessments/<int:assessment_id>/answers/<question_id>/confirmation")
@token_required
def confirm_answer(assessment_id: int, question_id: str) -> Any:
    """Confirm an answer carried over from the previous round as it stands, as saving it on
    its page does; answers which carried-over answers are still unconfirmed."""
    assessment = assessment_or_404(g.api_user, assessment_id)
    if not assessment.is_editable:
        return _bad_request({"assessment": NOT_EDITABLE}, 409)
    if confirm_carried_over(assessment, question_id) is None:
        return _bad_request({"question_id": "this assessment has no answer to that question"}, 404)
    audit.record("save", obj=assessment, detail=f"api confirm {question_id}")
    db.session.commit()
    return jsonify(
        {
            "question_id": question_id,
            "carried_over": False,
            "unconfirmed_carried_over": unconfirmed_carried_over(assessment),
        }
    )


@bp.get("/assessments/<int:assessment_id>")
@token_required
def get_assessment(assessment_id: int) -> Response:
    version = frozen_version(g.api_user, assessment_id)
    lang, for_admin = content_language(), g.api_user.is_national_reviewer
    # A submitted assessment's JSON is built and serialised once per version of what it shows,
    # language and kind of reader (admins see more).
    key = version.cache_key("api-json", lang, for_admin)
    etag = etag_for("api-json", lang, for_admin, version.digest)
    if version.digest is not None and (unchanged := not_modified(etag)) is not None:
        return unchanged

    def build() -> str:
        assessment = assessment_or_404(g.api_user, assessment_id, ANSWERS_AND_REVIEWERS)
        found = assessment_json(assessment, lang, for_admin)
        return current_app.json.dumps({**found, **live_json(assessment, found["scores"]["areas"])})

    body = frozen_cache.get_or_make(key, build)
    response = current_app.response_class(body + "\n", mimetype="application/json")
    if version.digest is not None:
        response.set_etag(etag)
    return response


@bp.post("/assessments/<int:assessment_id>/question-bank")
@token_required
def move_bank(assessment_id: int) -> Any:
    """Move a draft to a newer question bank (the newest unless ``version`` names one), keeping
    the answers of unchanged questions; ``dry_run`` only says what would be kept and dropped."""
    assessment = assessment_or_404(g.api_user, assessment_id)
    parsed = parse_bank_move_body(request)
    if not isinstance(parsed, BankMoveBody):
        return _bad_request(parsed[1], parsed[0])
    version, dry_run = parsed.version, parsed.dry_run
    if assessment.status != "draft":
        return _bad_request({"status": "only a draft can move to another question bank"}, 409)
    newer = content.newer_banks(assessment.questionnaire_version)
    version = version or (newer[-1].version if newer else assessment.questionnaire_version)
    try:
        move = bank_move_for(assessment, version)
    except MoveRefused:
        return _bad_request({"version": "not a question bank newer than this draft's"}, 422)
    if not dry_run:
        move_to_bank(assessment, move.target)
        db.session.commit()
    return jsonify(
        {
            "from_version": move.source,
            "to_version": move.target,
            "moved": not dry_run,
            "carried": sorted(move.carried),
            "dropped": list(move.dropped),
        }
    )


@bp.put("/assessments/<int:assessment_id>/targets")
@token_required
def put_targets(assessment_id: int) -> Any:
    assessment = assessment_or_404(g.api_user, assessment_id)
    parsed = parse_targets_body(request, bank_for(assessment))
    if isinstance(parsed, tuple):
        return _bad_request(parsed[1], parsed[0])
    set_targets(assessment.city_id, parsed)
    db.session.commit()
    return jsonify(
        assessment_json(assessment, content_language(), for_admin=g.api_user.is_national_reviewer)
    )


@bp.post("/assessments/<int:assessment_id>/actions")
@token_required
def create_action(assessment_id: int) -> Any:
    assessment = assessment_or_404(g.api_user, assessment_id)
    parsed = parse_action_body(request)
    if not isinstance(parsed, ActionBody):
        return _bad_request(parsed[1], parsed[0])
    try:
        item = plan_action(assessment, parsed.countermeasure_id, parsed.given)
    except UnknownCountermeasure:
        return _bad_request({"countermeasure_id": "not recommended by this report"}, 422)
    db.session.commit()
    return jsonify(action_json(item)), 201


@bp.patch("/actions/<int:action_id>")
@token_required
def change_action(action_id: int) -> Any:
    item = action_or_404(g.api_user, action_id)
    parsed = parse_action_body(request, ActionInput(item.owner, item.due_date, item.status))
    if not isinstance(parsed, ActionBody):
        return _bad_request(parsed[1], parsed[0])
    update_action(item, parsed.given)
    db.session.commit()
    return jsonify(action_json(item))


@bp.post("/assessments/<int:assessment_id>/survey")
@token_required
def create_survey(assessment_id: int) -> Any:
    assessment = assessment_or_404(g.api_user, assessment_id)
    if survey_of(assessment) is not None:
        return _bad_request({"survey": "this round has a resident survey already"}, 409)
    parsed = parse_survey_body(request, date.today())
    if isinstance(parsed, tuple):
        return _bad_request(parsed[1], parsed[0])
    open_survey(assessment, g.api_user, parsed)
    db.session.commit()
    return jsonify(assessment_json(assessment, for_admin=g.api_user.is_national_reviewer)), 201


@bp.post("/assessments/<int:assessment_id>/survey/responses")
@token_required
def add_paper_response(assessment_id: int) -> Any:
    """An official types in one paper questionnaire: ``{"answers": {"<id>": 1..5}}``; audited,
    and refused after the closing date or beyond the blank forms printed on the survey page."""
    survey = survey_of(assessment_or_404(g.api_user, assessment_id))
    if survey is None:
        abort(404)
    parsed = parse_survey_response(request, content.resident_survey)
    if isinstance(parsed, tuple):
        return _bad_request(parsed[1], parsed[0])
    try:
        typed_in = record_paper_response(survey, parsed, date.today())
    except PaperRefused as refused:
        return _bad_request({"survey": PAPER_REFUSALS[refused.reason]}, 409)
    db.session.commit()
    return jsonify(
        {
            "responses": survey_results(survey).responses,
            "paper_responses": typed_in,
            "paper_forms_printed": survey.paper_forms_printed,
        }
    ), 201


@bp.post("/assessments/<int:assessment_id>/departments")
@token_required
def invite(assessment_id: int) -> Any:
    """Invite a department: ``{"name": "Transport bureau"}``; the answer link is returned once."""
    assessment = assessment_or_404(g.api_user, assessment_id)
    parsed = parse_department_body(request)
    if isinstance(parsed, tuple):
        return _bad_request(parsed[1], parsed[0])
    try:
        department, token = invite_department(assessment, g.api_user, parsed)
    except DuplicateDepartment:
        return _bad_request({"name": "this department has been invited already"}, 409)
    db.session.commit()
    link = public_url_for("departments.answer", token=token)
    return jsonify({"id": department.id, "name": department.name, "link": link}), 201


@bp.post("/assessments/<int:assessment_id>/evidence")
@token_required
@receives_files
def upload_evidence(assessment_id: int) -> Any:
    """Attach a file to an answer: multipart ``question_id`` and ``file``; nothing is kept
    when it is refused."""
    assessment = assessment_or_404(g.api_user, assessment_id)
    if not assessment.is_editable:
        status, field, message = EVIDENCE_REFUSALS["not_editable"]
        return _bad_request({field: message}, status)
    upload = request.files.get("file")
    question_id = request.form.get("question_id", "")
    errors = {}
    if not question_id:
        errors["question_id"] = "required: the question the file is evidence for"
    if upload is None:
        errors["file"] = "required: send the file as multipart/form-data"
    if errors or upload is None:
        return _bad_request(errors, 422)
    try:
        row = attach_evidence(
            assessment, question_id, upload.filename or "", upload.stream, g.api_user
        )
    except EvidenceRefused as refused:
        db.session.rollback()
        status, field, message = EVIDENCE_REFUSALS[refused.reason]
        return _bad_request({field: message}, status)
    audit.record("save", obj=assessment, detail=f"api evidence {row.filename}")
    db.session.commit()
    return jsonify(evidence_json(row)), 201


@bp.get("/assessments/<int:assessment_id>/evidence")
@token_required
def list_evidence(assessment_id: int) -> Response:
    assessment = assessment_or_404(g.api_user, assessment_id)
    return jsonify({"items": [evidence_json(row) for row in evidence_of(assessment)]})


@bp.get("/evidence/<int:file_id>")
@token_required
def download_evidence(file_id: int) -> Response:
    row = evidence_file_or_404(g.api_user, file_id)
    audit.record("download", obj=row.assessment, detail=f"api evidence {row.id}", commit=True)
    return download_response(row)


@bp.delete("/evidence/<int:file_id>")
@token_required
def delete_evidence(file_id: int) -> Any:
    row = evidence_file_or_404(g.api_user, file_id)
    try:
        remove_evidence(row)
    except EvidenceRefused as refused:
        db.session.rollback()
        status, field, message = EVIDENCE_REFUSALS[refused.reason]
        return _bad_request({field: message}, status)
    audit.record("save", obj=row.assessment, detail=f"api evidence {file_id} removed")
    db.session.commit()
    return "", 204


@bp.patch("/assessments/<int:assessment_id>/answers/<question_id>/verification")
@token_required
def verify(assessment_id: int, question_id: str) -> Any:
    """Reviewers only: ``{"status": "accepted"}`` or ``{"status": "adjusted", "value": "2",
    "reason": "…"}``; answers the answer's verification and the verified scores."""
    if not g.api_user.is_admin:
        return _bad_request({"auth": "Only reviewers may verify answers."}, 403)
    assessment = assessment_or_404(g.api_user, assessment_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad_request({"body": "must be a JSON object"}, 422)
    fields = {name: body.get(name) for name in ("status", "value", "reason")}
    wrong = [n for n, v in fields.items() if v is not None and not isinstance(v, str)]
    if wrong:
        return _bad_request(dict.fromkeys(wrong, "must be a string"), 422)
    try:
        answer = verify_answer(
            assessment,
            question_id,
            g.api_user,
            fields["status"] or "",
            fields["value"],
            fields["reason"] or "",
        )
    except VerificationRefused as refused:
        db.session.rollback()
        status, field, message = VERIFICATION_REFUSALS[refused.reason]
        return _bad_request({field: message}, status)
    audit.record("save", obj=assessment, detail=f"verification {question_id}")
    db.session.commit()
    return jsonify(
        {
            "question_id": question_id,
            "verification": verification_json(answer),
            **verified_json(assessment, content_language()),
        }
    )
