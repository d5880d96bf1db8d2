"""Demo data for a first look: five cities in their provinces, their officials, a national and a
provincial reviewer, an evaluation round and some assessments.

The assessments stand at every step of the review, so the workflow can be tried at once:
most are waiting for review, Shenzhen's is approved, Lanzhou's is returned with comments, and
Hangzhou has an approved round from last year besides its current one and a new draft.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.assessments.operations import (
    AnswerInput,
    find_or_create_city,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.assessments.scores import report_snapshot
from app.assessments.workflow import approve_assessment, return_for_revision
from app.departments.operations import invite_department, save_department_answers, submit_department
from app.divisions.operations import find_or_create_province, place_city
from app.extensions import content, db
from app.models import Assessment, City, User, utcnow
from app.plans.operations import ActionInput, plan_action, set_targets
from app.rounds.operations import open_round
from app.surveys.operations import open_survey, record_response

DEMO_PASSWORD = "cityready-demo-2026"  # noqa: S105 - published demo login, not a secret
ADMIN_EMAIL = "admin@cityready.example"

# (city, official's email, how far along the city is: 0 = just starting, 1 = mature)
CITIES = (
    ("杭州 Hangzhou", "official@hangzhou.example", 0.75),
    ("深圳 Shenzhen", "official@shenzhen.example", 0.8),
    ("贵阳 Guiyang", "official@guiyang.example", 0.5),
    ("兰州 Lanzhou", "official@lanzhou.example", 0.3),
    ("成都 Chengdu", "official@chengdu.example", 0.6),
)


CONFIDENCE_MIX = (None, "high", "high", "medium", "medium", "low")
EVIDENCE_SAMPLES = (
    "Municipal statistics yearbook 2025",
    "https://www.example.gov.cn/smart-city/plan-2025.pdf",
    "Minutes of the smart-city steering group, March 2026",
)


EARLIER_ACTIONS = (
    ("Smart-city office, Mr Zhou", "done", -240),
    ("Data bureau, Ms Li", "done", -120),
    ("Transport bureau, Mr Wang", "in_progress", 30),
    ("Civil affairs bureau, Ms Chen", "planned", 90),
)
CURRENT_ACTIONS = (
    ("Data bureau, Ms Li", "planned", 180),
    ("Environment bureau, Mr Sun", "planned", 270),
)


def _answers(maturity: float, rng: random.Random) -> dict[str, AnswerInput]:
    answers = {}
    for question in content.current.questions():
        if rng.random() < 0.05:
            answers[question.id] = AnswerInput("dont_know", "Figures are with another bureau.")
            continue
        level = round(maturity * 4 + rng.uniform(-1.3, 1.3))
        confidence = rng.choice(CONFIDENCE_MIX)
        evidence = rng.choice(EVIDENCE_SAMPLES) if confidence == "high" else ""
        answers[question.id] = AnswerInput(
            str(min(5, max(1, level + 1))), confidence=confidence, evidence=evidence
        )
    return answers


def _submitted(
    official: User, city: City, maturity: float, rng: random.Random, days_ago: int = 0
) -> Assessment:
    assessment = start_assessment(official, city)
    save_answers(assessment, _answers(maturity, rng))
    submit_assessment(assessment, official)
    if days_ago:
        then = utcnow() - timedelta(days=days_ago)
        assessment.created_at = assessment.submitted_at = assessment.updated_at = then
        for change in assessment.status_changes:
            change.created_at = then
    return assessment


def _review(admin: User, assessments: dict[str, Assessment]) -> None:
    approve_assessment(
        assessments["official@shenzhen.example"],
        admin,
        "Evidence attached for every answer at level 4 and above. Approved.",
    )
    lanzhou = assessments["official@lanzhou.example"]
    first, second = content.current.areas[0].questions[:2]
    return_for_revision(
        lanzhou,
        admin,
        "Several planning answers are not backed by documents. Please add the evidence or "
        "revise the levels, then submit again.",
        {
            first.id: "Which document adopted the top-level plan, and when?",
            second.id: "Level 3 needs a lead body with a mandate; please name it.",
        },
    )


def _plan(assessment: Assessment, actions: tuple[tuple[str, str, int], ...]) -> None:
    """Turn the round's most urgent countermeasures into actions: (owner, status, due in days)."""
    recommended = report_snapshot(assessment)["countermeasures"]
    for cm, (owner, status, due_in_days) in zip(recommended, actions, strict=False):
        due = (utcnow() + timedelta(days=due_in_days)).date()
        plan_action(assessment, cm["id"], ActionInput(owner, due, status))


# Each demo city's province and tier, so provincial reviewers and peers by tier can be tried.
DIVISIONS = {
    "杭州 Hangzhou": ("浙江省", "prefecture"),
    "深圳 Shenzhen": ("广东省", "prefecture"),
    "贵阳 Guiyang": ("贵州省", "prefecture"),
    "兰州 Lanzhou": ("甘肃省", "prefecture"),
    "成都 Chengdu": ("四川省", "prefecture"),
    "武汉 Wuhan": ("湖北省", "prefecture"),
    "西安 Xi'an": ("陕西省", "prefecture"),
    "苏州 Suzhou": ("江苏省", "prefecture"),
    "南京 Nanjing": ("江苏省", "prefecture"),
}
REVIEWER_EMAIL = "reviewer@zhejiang.example"
"""A provincial reviewer of 浙江省, who sees Hangzhou alone and has opened a round for it."""


def _placed_city(name: str) -> City:
    city = find_or_create_city(name)
    province, tier = DIVISIONS[name]
    place_city(city, find_or_create_province(province), tier)
    return city


# Cities filed and approved by the admin, so that every city has the five peers it needs
# before its report shows where it stands among them.
PEER_CITIES = (
    ("武汉 Wuhan", 0.55),
    ("西安 Xi'an", 0.4),
    ("苏州 Suzhou", 0.7),
    ("南京 Nanjing", 0.65),
)


def _peer_cities(admin: User, rng: random.Random) -> None:
    for name, maturity in PEER_CITIES:
        assessment = _submitted(admin, _placed_city(name), maturity, rng, days_ago=30)
        approve_assessment(assessment, admin, "Approved.")


RESIDENT_RESPONSES = 50


def _resident_survey(assessment: Assessment, official: User, rng: random.Random) -> None:
    """Fifty residents' answers, less rosy than the city's own view, a fifth of them on paper."""
    today = date.today()
    survey = open_survey(assessment, official, today + timedelta(days=21))
    survey.paper_forms_printed = RESIDENT_RESPONSES // 5 + 5  # a few forms never came back
    leaning = {"benefits": 3.4, "ease": 2.3, "trust": 2.9}
    for i in range(RESIDENT_RESPONSES):
        answers = {}
        for question in content.resident_survey.questions:
            if rng.random() < 0.08:
                continue  # skipped
            value = round(rng.gauss(leaning[question.topic], 1.0))
            answers[question.id] = min(5, max(1, value))
        source = "paper" if i % 5 == 0 else "online"
        record_response(survey, answers, today - timedelta(days=rng.randint(0, 9)), source)


# Departments that answered the first city's current round besides the smart-city office, each
# seeing its own field more favourably than the others do: (name, area it knows best).
DEPARTMENTS = (
    ("Transport bureau 交通运输局", "planning"),
    ("Ecology and environment bureau 生态环境局", "environment"),
    ("Big data bureau 大数据局", "participation"),
)


def _departments(assessment: Assessment, official: User, rng: random.Random) -> None:
    own = assessment.answer_values()
    for name, favoured in DEPARTMENTS:
        department, _ = invite_department(assessment, official, name)
        answers = {}
        for question in content.current.questions():
            value = own.get(question.id, "3")
            level = int(value) if value.isdigit() else 3
            shift = rng.choice((-2, -1, 0, 0, 0, 0, 0, 1)) + (
                1 if question.area_id == favoured else 0
            )
            answers[question.id] = str(min(5, max(1, level + shift)))
        save_department_answers(department, answers)
        submit_department(department)


def seed() -> list[tuple[str, str, str]]:
    """Create the demo rows and return the logins as (email, password, role)."""
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not security  # nosec B311
    admin = User(email=ADMIN_EMAIL, role="admin")
    admin.set_password(DEMO_PASSWORD)
    db.session.add(admin)
    reviewer = User(email=REVIEWER_EMAIL, role="admin", province=find_or_create_province("浙江省"))
    reviewer.set_password(DEMO_PASSWORD)
    db.session.add(reviewer)
    logins = [(ADMIN_EMAIL, DEMO_PASSWORD, "admin"), (REVIEWER_EMAIL, DEMO_PASSWORD, "admin")]
    current: dict[str, Assessment] = {}
    for name, email, maturity in CITIES:
        city = _placed_city(name)
        official = User(email=email, role="official", city=city)
        official.set_password(DEMO_PASSWORD)
        db.session.add(official)
        logins.append((email, DEMO_PASSWORD, "official"))
        if email == CITIES[0][1]:
            # Last year's round, approved, so two rounds of one city can be compared; with
            # targets and an action plan whose outcome this year's report follows up.
            set_targets(city.id, {"participation": 4, "planning.data_sharing_platform": 5})
            earlier = _submitted(official, city, maturity - 0.25, rng, days_ago=365)
            approval = approve_assessment(earlier, admin, "First round accepted as a baseline.")
            approval.created_at = earlier.reviewed_at = utcnow() - timedelta(days=356)
            _plan(earlier, EARLIER_ACTIONS)
        current[email] = _submitted(official, city, maturity, rng)
        if email == CITIES[0][1]:
            _plan(current[email], CURRENT_ACTIONS)
            _resident_survey(current[email], official, rng)
            _departments(current[email], official, rng)
            # The province has called its cities to a round, and this city has started its
            # assessment in it, so draft-and-resume and the round page can be seen.
            open_round(
                reviewer,
                "浙江省2026年度智慧城市评估 第一批",
                content.current.version,
                date.today() + timedelta(days=30),
                [city.id],
            )
            draft = start_assessment(official, city)
            first_questions = content.current.areas[0].questions[:4]
            save_answers(draft, {q.id: AnswerInput("4") for q in first_questions})
    _review(admin, current)
    _peer_cities(admin, rng)
    return logins


def existing_logins() -> list[tuple[str, str, str]]:
    """The demo logins still present with their demo password, for a second run of seed-demo."""
    emails = [ADMIN_EMAIL, REVIEWER_EMAIL, *(email for _, email, _ in CITIES)]
    users = db.session.scalars(db.select(User).where(User.email.in_(emails))).all()
    return [(u.email, DEMO_PASSWORD, u.role) for u in users if u.check_password(DEMO_PASSWORD)]
