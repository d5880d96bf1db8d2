"""The OpenAPI 3.1 description of API v1, written as data beside the views it describes.

``tests/test_openapi.py`` fails when a route under /api/v1 is missing here, and the fuzz tests
generate their requests from these schemas, so the description cannot drift far from the code.
"""

from __future__ import annotations

from typing import Any

from app.core.uncertainty import CONFIDENCES, EVIDENCE_MAX_LENGTH
from app.evidence.content_types import EXTENSIONS
from app.models import (
    ACTION_OWNER_MAX_LENGTH,
    ACTION_STATUSES,
    COMMENT_MAX_LENGTH,
    DEPARTMENT_NAME_MAX_LENGTH,
    TIERS,
)
from app.rounds.queries import PROGRESS

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
    }


STRING: Schema = {"type": "string"}
STRING_LIST: Schema = {"type": "array", "items": {"type": "string"}}
STANDARDS: Schema = {
    **STRING_LIST,
    "description": "ids of the GB/T 33356 indicators the question relates to (content/"
    "standards.yaml); empty when none",
}
INTEGER: Schema = {"type": "integer"}
ID: Schema = {"type": "integer", "minimum": 1}
NUMBER: Schema = {"type": "number"}
DATE: Schema = {"type": "string", "format": "date"}
TIME: Schema = _nullable({"type": "string", "format": "date-time"})
LEVEL: Schema = {"type": "integer", "minimum": 1, "maximum": 5}
SCORES: Schema = {"type": "object", "additionalProperties": _nullable(NUMBER)}
ANY_OBJECT: Schema = {"type": "object"}
QUESTION_IDS: Schema = {"type": "array", "items": STRING}
BOOLEAN: Schema = {"type": "boolean"}

PLACE: Schema = _object({"id": ID, "name": STRING})
ROUND_FIELDS: dict[str, Schema] = {
    "id": ID,
    "name": STRING,
    "province": _nullable(PLACE),
    "questionnaire_version": STRING,
    "due_on": DATE,
    "open": BOOLEAN,
    "opened_at": TIME,
    "closed_at": TIME,
    "counts": _object({progress: {"type": "integer", "minimum": 0} for progress in PROGRESS}),
}

SCHEMAS: dict[str, Schema] = {
    "City": _object(
        {
            "id": ID,
            "name": STRING,
            "province": _nullable(PLACE),
            "tier": _nullable({"enum": list(TIERS)}),
        }
    ),
    "Round": _object(ROUND_FIELDS),
    "RoundList": _object({"items": {"type": "array", "items": _ref("Round")}}),
    "RoundProgress": _object(
        {
            **ROUND_FIELDS,
            "cities": {
                "type": "array",
                "items": _object(
                    {
                        "city": _ref("City"),
                        "progress": {"enum": list(PROGRESS)},
                        "assessment_id": _nullable(ID),
                        "submitted_at": TIME,
                        "late": BOOLEAN,
                    }
                ),
            },
        }
    ),
    "Error": {
        **_object(
            {
                "errors": {
                    "type": "object",
                    "description": "Each field (or `request`, `body`, `auth`, `query`) at fault "
                    "and what is wrong with it: a message, or an object or list of them.",
                    "minProperties": 1,
                    "additionalProperties": {"type": ["string", "object", "array"]},
                }
            }
        ),
        "additionalProperties": False,
    },
    "Token": _object({"token": STRING, "expires_at": {"type": "string", "format": "date-time"}}),
    "Version": _object({"version": STRING, "questionnaire_version": STRING}),
    "Questionnaire": _object(
        {
            "version": STRING,
            "lang": {"enum": ["en", "zh"]},
            "level_rules": {
                "type": "array",
                "items": _object(
                    {
                        "level": LEVEL,
                        "min_answer_level": LEVEL,
                        "min_critical_level": LEVEL,
                    }
                ),
            },
            "areas": {
                "type": "array",
                "items": _object(
                    {
                        "id": STRING,
                        "title": STRING,
                        "summary": _nullable(STRING),
                        "paper_section": STRING,
                        "weight": NUMBER,
                        "questions": {
                            "type": "array",
                            "items": _object(
                                {
                                    "id": STRING,
                                    "text": STRING,
                                    "help": _nullable(STRING),
                                    "paper_section": STRING,
                                    "ladder_sections": STRING_LIST,
                                    "standards": STANDARDS,
                                    "weight": NUMBER,
                                    "critical": {"type": "boolean"},
                                    "options": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "value": STRING,
                                                "label": STRING,
                                                "kind": STRING,
                                                "score": _nullable(NUMBER),
                                            }
                                        ),
                                    },
                                }
                            ),
                        },
                    }
                ),
            },
        }
    ),
    "AnswerIn": _object(
        {
            "value": {
                "type": "string",
                "description": "one of the question's option values",
                "examples": ["1", "2", "3", "4", "5", "dont_know", "not_applicable"],
            }
        },
        {
            "comment": {"type": "string", "maxLength": COMMENT_MAX_LENGTH},
            "confidence": _nullable({"enum": list(CONFIDENCES)}),
            "evidence": {
                "type": "string",
                "maxLength": EVIDENCE_MAX_LENGTH,
                "description": "a note, or an http(s):// link",
            },
        },
    ),
    "AssessmentIn": _object(
        {},
        {
            "answers": {"type": "object", "additionalProperties": _ref("AnswerIn")},
            "submit": {"type": "boolean", "default": False},
            "carry_over": {
                "type": "boolean",
                "default": False,
                "description": "start from the answers of the city's latest submitted or "
                "approved round, each marked carried_over until confirmed; answers in the body "
                "replace the copies and count as confirmed. 422 when the city has no such round "
                "(nothing is stored)",
            },
            "confirm_carried_over": {
                "type": "boolean",
                "default": False,
                "description": "with submit: submit carried-over answers not confirmed yet as "
                "they are; without it such a submission is 409, listing them under carried_over",
            },
            "city_id": {
                **ID,
                "description": "required for admins; ignored for officials, who always file "
                "for their own city",
            },
        },
    ),
    "AnswerOut": _object(
        {
            "value": STRING,
            "comment": STRING,
            "confidence": _nullable({"enum": list(CONFIDENCES)}),
            "evidence": STRING,
            "standards": STANDARDS,
            "carried_over": {"type": "boolean"},
            "verification": _ref("Verification"),
        }
    ),
    "AreaLevel": _object(
        {
            "id": STRING,
            "score": _nullable(NUMBER),
            "level": _nullable(
                _object(
                    {
                        "number": LEVEL,
                        "name": STRING,
                        "from_score": LEVEL,
                        "held_back_by": QUESTION_IDS,
                    }
                )
            ),
        }
    ),
    "Assessment": {
        **_object(
            {
                "id": ID,
                "status": {"enum": ["draft", "submitted", "approved", "returned"]},
                "city": _ref("City"),
                "round": _nullable(
                    _object({"id": ID, "name": STRING, "due_on": DATE, "late": BOOLEAN})
                ),
                "questionnaire_version": STRING,
                "source": {"enum": ["web", "api", "paper"]},
                "paper_form_id": _nullable(STRING),
                "created_at": TIME,
                "updated_at": TIME,
                "submitted_at": TIME,
                "reviewed_at": TIME,
                "answers": {"type": "object", "additionalProperties": _ref("AnswerOut")},
                "scores": _object({"overall": _nullable(NUMBER), "areas": SCORES}),
                "level": _object(
                    {"number": LEVEL, "name": STRING},
                    {"from_score": _nullable(LEVEL), "held_back_by": QUESTION_IDS},
                ),
                "areas": {"type": "array", "items": _ref("AreaLevel")},
                "verified_scores": _object({"overall": NUMBER, "areas": SCORES}),
                "verified_level": _object({"number": LEVEL, "name": STRING}),
                "unverified_answers": INTEGER,
                "data_gaps": {"type": "array"},
                "countermeasures": {"type": "array", "items": ANY_OBJECT},
                "uncertainty": ANY_OBJECT,
                "targets": {"type": "object", "additionalProperties": LEVEL},
                "target_gaps": ANY_OBJECT,
                "actions": {"type": "array", "items": _ref("Action")},
                "action_follow_up": {"type": "array", "items": ANY_OBJECT},
                "trend": ANY_OBJECT,
                "peers": ANY_OBJECT,
                "resident_survey": _nullable(ANY_OBJECT),
                "departments": _nullable(ANY_OBJECT),
            },
            {
                "carried_over_count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "only in the answer to a filing with carry_over: how many "
                    "answers were copied from the previous round",
                }
            },
        ),
        "description": "The full shape is described field by field in docs/api.md.",
    },
    "AssessmentPage": _object(
        {
            "items": {"type": "array", "items": _ref("Assessment")},
            "total": {"type": "integer", "minimum": 0},
            "page": ID,
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        }
    ),
    "ExportedAssessment": _object(
        {
            "id": ID,
            "city": _ref("City"),
            "round_id": _nullable(ID),
            "status": {"type": "string", "enum": ["draft", "submitted", "approved", "returned"]},
            "questionnaire_version": STRING,
            "created_at": TIME,
            "submitted_at": TIME,
            "reviewed_at": TIME,
            "scores": _object({"overall": _nullable(NUMBER), "areas": SCORES}),
            "level": _nullable(LEVEL),
            "verified_scores": _nullable(_object({"overall": NUMBER, "areas": SCORES})),
            "verified_level": _nullable(LEVEL),
            "answers": {"type": "object", "additionalProperties": STRING},
        }
    ),
    "ExportPage": _object(
        {
            "items": {"type": "array", "items": _ref("ExportedAssessment")},
            "total": {"type": "integer", "minimum": 0},
            "page": ID,
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        }
    ),
    "TargetsIn": _object(
        {
            "targets": {
                "type": "object",
                "description": "keyed by area or question id; null clears a target",
                "additionalProperties": _nullable(LEVEL),
            }
        }
    ),
    "ActionIn": _object(
        {
            "countermeasure_id": STRING,
            "owner": {"type": "string", "minLength": 1, "maxLength": ACTION_OWNER_MAX_LENGTH},
        },
        {"due_date": _nullable(DATE), "status": {"enum": list(ACTION_STATUSES)}},
    ),
    "ActionChange": _object(
        {},
        {
            "owner": {"type": "string", "minLength": 1, "maxLength": ACTION_OWNER_MAX_LENGTH},
            "due_date": _nullable(DATE),
            "status": {"enum": list(ACTION_STATUSES)},
        },
    ),
    "Action": _object(
        {
            "id": ID,
            "assessment_id": ID,
            "countermeasure_id": STRING,
            "questions": {"type": "array", "items": STRING},
            "owner": STRING,
            "due_date": _nullable(DATE),
            "status": {"enum": list(ACTION_STATUSES)},
        }
    ),
    "SurveyIn": _object({"closes_on": {**DATE, "description": "today or later"}}),
    "SurveyResponseIn": _object(
        {
            "answers": {
                "type": "object",
                "description": "keyed by resident survey question id",
                "minProperties": 1,
                "additionalProperties": LEVEL,
            }
        }
    ),
    "SurveyResponses": _object(
        {"responses": {"type": "integer", "minimum": 1}},
        {
            "paper_responses": {"type": "integer", "minimum": 1},
            "paper_forms_printed": {"type": "integer", "minimum": 1},
        },
    ),
    "BankMoveIn": _object(
        {},
        {
            "version": {"type": "string", "minLength": 1, "maxLength": 20},
            "dry_run": {"type": "boolean"},
        },
    ),
    "BankMove": _object(
        {
            "from_version": STRING,
            "to_version": STRING,
            "moved": {"type": "boolean"},
            "carried": QUESTION_IDS,
            "dropped": QUESTION_IDS,
        }
    ),
    "DepartmentIn": _object(
        {
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": DEPARTMENT_NAME_MAX_LENGTH,
                "pattern": "^[^#]",
            }
        }
    ),
    "Department": _object({"id": ID, "name": STRING, "link": {"type": "string", "format": "uri"}}),
    "EvidenceFile": _object(
        {
            "id": ID,
            "question_id": STRING,
            "filename": STRING,
            "size": INTEGER,
            "content_type": {"enum": sorted(EXTENSIONS)},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "created_at": TIME,
        }
    ),
    "Verification": _object(
        {
            "status": {"enum": ["unverified", "accepted", "adjusted"]},
            "value": _nullable(STRING),
            "reason": STRING,
            "by": _nullable(STRING),
            "at": TIME,
        }
    ),
    "VerificationIn": _object(
        {"status": {"enum": ["accepted", "adjusted"]}},
        {
            "value": {"type": "string", "maxLength": 40},
            "reason": {"type": "string", "maxLength": COMMENT_MAX_LENGTH},
        },
    ),
    "VerificationResult": _object(
        {
            "question_id": STRING,
            "verification": _ref("Verification"),
            "verified_scores": _object({"overall": NUMBER, "areas": SCORES}),
            "verified_level": _object({"number": LEVEL, "name": STRING}),
            "unverified_answers": INTEGER,
        }
    ),
    "EvidenceList": _object({"items": {"type": "array", "items": _ref("EvidenceFile")}}),
    "SubmissionIn": _object(
        {},
        {
            "confirm_carried_over": {
                "type": "boolean",
                "default": False,
                "description": "submit answers carried over from the previous round that were "
                "not confirmed, as they are",
            }
        },
    ),
    "Confirmation": _object(
        {
            "question_id": STRING,
            "carried_over": {**BOOLEAN, "description": "always false once confirmed"},
            "unconfirmed_carried_over": {
                **QUESTION_IDS,
                "description": "the answers still carried over and not confirmed",
            },
        }
    ),
}

_ERROR_TEXT = {
    400: "The body is not a JSON object, or the body, query string or credentials hold NUL "
    "characters, unpaired surrogates or malformed UTF-8.",
    401: "No valid bearer token (or wrong HTTP Basic credentials for /tokens).",
    403: "The caller is not an admin.",
    404: "No such object, or it belongs to another city.",
    409: "It exists already, or (evidence files) the assessment can no longer change.",
    413: "The body is larger than the server's limit (MAX_CONTENT_LENGTH, 1 MB by default; "
    "for an evidence file, 20 MB a file and 200 MB an assessment by default).",
    415: "The file is not a PDF, PNG, JPEG, docx, xlsx or pptx file, as read from its content.",
    422: "A field is missing or wrong; nothing was stored.",
    429: "Too many failed sign-ins, or (for a PDF) one of yours is still being produced.",
    503: "The document could not be produced in time, or the database cannot store changes.",
}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": _ERROR_TEXT[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in codes
    }


def _json(schema: Schema, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "`zh` for Simplified Chinese content; anything else gives English",
    "schema": {"type": "string"},
}
ASSESSMENT_ID = {"name": "assessment_id", "in": "path", "required": True, "schema": ID}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of a copy you hold: 304 while it is current (submitted ones only)",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {"304": {"description": "Not modified: the copy named in If-None-Match is current"}}
ETAG_HEADER = {"ETag": {"description": "Names this version", "schema": {"type": "string"}}}
ACTION_ID = {"name": "action_id", "in": "path", "required": True, "schema": ID}
QUESTION_ID = {"name": "question_id", "in": "path", "required": True, "schema": STRING}
FILE_ID = {"name": "file_id", "in": "path", "required": True, "schema": ID}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _call(
    summary: str,
    ok: dict[str, dict[str, Any]],
    errors: tuple[int, ...],
    params: tuple[dict[str, Any], ...] = (),
    body: str | None = None,
    security: list[dict[str, list[str]]] | None = BEARER,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": list(params),
        # The input guard (app/web/input_guard.py) may refuse any call's query string or body.
        "responses": {**ok, **_errors(*sorted({400, *errors, *((413,) if body else ())}))},
    }
    if body is not None:
        operation["requestBody"] = _body(body)
    operation["security"] = security or []
    return operation


def _optional_body(operation: dict[str, Any]) -> dict[str, Any]:
    operation["requestBody"]["required"] = False
    return operation


PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {
        "get": _call(
            "This description",
            {"200": _json(ANY_OBJECT, "The OpenAPI 3.1 document")},
            (),
            security=None,
        )
    },
    "/tokens": {
        "post": _call(
            "Trade an email and password (HTTP Basic) for a bearer token",
            {"200": _json(_ref("Token"))},
            (400, 401, 429),
            security=[{"basic": []}],
        )
    },
    "/tokens/current": {
        "delete": _call(
            "Revoke the bearer token this call is made with; the caller's other tokens go on",
            {"204": {"description": "Revoked: the token no longer works"}},
            (401,),
        )
    },
    "/version": {
        "get": _call(
            "The app's and the current question bank's versions",
            {"200": _json(_ref("Version"))},
            (),
            security=None,
        )
    },
    "/questionnaire": {
        "get": _call(
            "The current question bank",
            {"200": _json(_ref("Questionnaire"))},
            (400,),
            (LANG,),
            security=None,
        )
    },
    "/assessments": {
        "get": _call(
            "The assessments the caller may see, newest first",
            {"200": _json(_ref("AssessmentPage"))},
            (400, 401),
            (
                LANG,
                {"name": "page", "in": "query", "required": False, "schema": ID},
                {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            ),
        ),
        "post": _call(
            "File an assessment: a draft, or submitted when every question is answered",
            {"201": _json(_ref("Assessment"), "Created")},
            (400, 401, 422),
            (LANG,),
            "AssessmentIn",
        ),
    },
    "/admin/assessments": {
        "get": _call(
            "Admins only: every city's assessments with their answer values, filtered and sorted "
            "as on /admin/assessments (dates are days on DISPLAY_TIMEZONE's clock)",
            {"200": _json(_ref("ExportPage"))},
            (400, 401, 403),
            (
                {"name": "page", "in": "query", "required": False, "schema": ID},
                {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                },
                *(
                    {"name": name, "in": "query", "required": False, "schema": schema}
                    for name, schema in (
                        ("city", ID),
                        ("status", {"enum": ["draft", "submitted", "approved", "returned"]}),
                        ("level", LEVEL),
                        ("from", DATE),
                        ("to", DATE),
                        ("q", {"type": "string", "maxLength": 100}),
                        (
                            "sort",
                            {
                                "enum": [
                                    "date",
                                    "overall",
                                    "planning",
                                    "environment",
                                    "participation",
                                ]
                            },
                        ),
                        ("dir", {"enum": ["asc", "desc"]}),
                    )
                ),
            ),
        )
    },
    "/rounds": {
        "get": _call(
            "Reviewers only: the evaluation rounds they may see, newest first, with their "
            "covered cities counted by progress",
            {"200": _json(_ref("RoundList"))},
            (401, 403),
        )
    },
    "/rounds/{round_id}": {
        "get": _call(
            "Reviewers only: one evaluation round and the progress of every city it covers",
            {"200": _json(_ref("RoundProgress"))},
            (401, 403, 404),
            ({"name": "round_id", "in": "path", "required": True, "schema": ID},),
        )
    },
    "/assessments/{assessment_id}": {
        "get": _call(
            "One assessment with its report",
            {"200": {**_json(_ref("Assessment")), "headers": ETAG_HEADER}, **NOT_MODIFIED},
            (400, 401, 404),
            (ASSESSMENT_ID, LANG, IF_NONE_MATCH),
        )
    },
    "/assessments/{assessment_id}/targets": {
        "put": _call(
            "Set or clear the city's target levels",
            {"200": _json(_ref("Assessment"))},
            (400, 401, 404, 422),
            (ASSESSMENT_ID, LANG),
            "TargetsIn",
        )
    },
    "/assessments/{assessment_id}/actions": {
        "post": _call(
            "Plan an action for one of the report's countermeasures",
            {"201": _json(_ref("Action"), "Created")},
            (400, 401, 404, 422),
            (ASSESSMENT_ID,),
            "ActionIn",
        )
    },
    "/actions/{action_id}": {
        "patch": _call(
            "Change an action's owner, due date or status",
            {"200": _json(_ref("Action"))},
            (400, 401, 404, 422),
            (ACTION_ID,),
            "ActionChange",
        )
    },
    "/assessments/{assessment_id}/survey": {
        "post": _call(
            "Open the round's resident survey",
            {"201": _json(_ref("Assessment"), "Created")},
            (400, 401, 404, 409, 422),
            (ASSESSMENT_ID,),
            "SurveyIn",
        )
    },
    "/assessments/{assessment_id}/survey/responses": {
        "post": _call(
            "Type in one paper resident questionnaire (audited; 409 once the survey has "
            "closed or every blank form printed on the survey page is typed in)",
            {"201": _json(_ref("SurveyResponses"), "Created")},
            (400, 401, 404, 409, 422),
            (ASSESSMENT_ID,),
            "SurveyResponseIn",
        )
    },
    "/assessments/{assessment_id}/question-bank": {
        "post": _call(
            "Move a draft to a newer question bank (the newest unless `version` names one), "
            "keeping the answers of questions asked unchanged; `dry_run` only lists what would "
            "be kept and dropped (409 unless a draft, 422 when no newer bank)",
            {"200": _json(_ref("BankMove"), "Moved, or what a move would do")},
            (400, 401, 404, 409, 422),
            (ASSESSMENT_ID,),
            "BankMoveIn",
        )
    },
    "/assessments/{assessment_id}/departments": {
        "post": _call(
            "Invite a department; its private answer link is returned only here",
            {"201": _json(_ref("Department"), "Created")},
            (400, 401, 404, 409, 422),
            (ASSESSMENT_ID,),
            "DepartmentIn",
        )
    },
    "/assessments/{assessment_id}/evidence": {
        "post": {
            **_call(
                "Attach a file to an answer while the assessment is a draft or returned; the type "
                "is read from the content; a refused file is not stored",
                {"201": _json(_ref("EvidenceFile"), "Created")},
                (400, 401, 404, 409, 413, 415, 422),
                (ASSESSMENT_ID,),
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": _object(
                            {"question_id": STRING, "file": {"type": "string", "format": "binary"}}
                        )
                    }
                },
            },
        },
        "get": _call(
            "The files attached to the assessment's answers",
            {"200": _json(_ref("EvidenceList"))},
            (400, 401, 404),
            (ASSESSMENT_ID,),
        ),
    },
    "/evidence/{file_id}": {
        "get": _call(
            "An evidence file's bytes, as an attachment",
            {
                "200": {
                    "description": "The file, with the type read from its content",
                    "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                }
            },
            (400, 401, 404),
            (FILE_ID,),
        ),
        "delete": _call(
            "Remove an evidence file while its assessment may still change",
            {"204": {"description": "Removed"}},
            (400, 401, 404, 409),
            (FILE_ID,),
        ),
    },
    "/assessments/{assessment_id}/submission": {
        "post": _optional_body(
            _call(
                "Submit a draft or a returned assessment once every question is answered (422 "
                "lists those that are not); unconfirmed carried-over answers are 409, listed under "
                "carried_over, unless confirm_carried_over is true. The body may be empty",
                {"200": _json(_ref("Assessment"))},
                (400, 401, 404, 409, 422),
                (ASSESSMENT_ID, LANG),
                "SubmissionIn",
            )
        )
    },
    "/assessments/{assessment_id}/answers/{question_id}/confirmation": {
        "post": _call(
            "Confirm an answer carried over from the previous round as it stands, as saving "
            "it on its page does; an answer not carried over is left as it is",
            {"200": _json(_ref("Confirmation"))},
            (400, 401, 404, 409),
            (ASSESSMENT_ID, QUESTION_ID),
        )
    },
    "/assessments/{assessment_id}/answers/{question_id}/verification": {
        "patch": _call(
            "Reviewers only: accept an answer of a submitted assessment, or adjust its level "
            "with a reason; the city's own answer and score are kept beside the verified ones",
            {"200": _json(_ref("VerificationResult"))},
            (400, 401, 403, 404, 409, 422),
            (ASSESSMENT_ID, QUESTION_ID, LANG),
            "VerificationIn",
        )
    },
    "/assessments/{assessment_id}/report.pdf": {
        "get": _call(
            "The report as an A4 PDF",
            {
                "200": {
                    "description": "The PDF",
                    "content": {"application/pdf": {"schema": {"type": "string"}}},
                    "headers": ETAG_HEADER,
                },
                **NOT_MODIFIED,
            },
            (400, 401, 404, 429, 503),
            (ASSESSMENT_ID, LANG, IF_NONE_MATCH),
        )
    },
    "/assessments/{assessment_id}/report.docx": {
        "get": _call(
            "The report as an editable Word document, laid out as an official document",
            {
                "200": {
                    "description": "The Word document",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                            "schema": {"type": "string"}
                        }
                    },
                }
            },
            (400, 401, 404),
            (ASSESSMENT_ID, LANG),
        )
    },
    "/assessments/{assessment_id}/ledger.xlsx": {
        "get": _call(
            "The rectification ledger: one row per question below its target",
            {
                "200": {
                    "description": "The Excel workbook",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string"}
                        }
                    },
                }
            },
            (400, 401, 404),
            (ASSESSMENT_ID, LANG),
        )
    },
}


def openapi_document(version: str, server_url: str) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, with the app's version and where the API is served."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CityReady API",
            "version": version,
            "description": "Smart-city readiness assessments for other systems. Every error "
            'is JSON: `{"errors": {"<field>": "<what is wrong>"}}`. See docs/api.md.',
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
    }
