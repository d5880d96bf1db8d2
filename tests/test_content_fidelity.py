"""The 2026.2 content: true citations, policy-safe advice, the new coverage, the crosswalk to
GB/T 33356 and the Chinese terms the fidelity review asked for (issue 15)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from app.core.questionnaire import CONTENT_DIR, load_content

CONTENT = load_content()
BANK = CONTENT.current
CATALOGUE = CONTENT.catalogue
ZH_CATALOG = Path(__file__).parents[1] / "app/translations/zh/LC_MESSAGES/messages.po"


def test_new_assessments_use_2026_2_and_2026_1_stays_byte_for_byte() -> None:
    assert BANK.version == "2026.2"
    # 2026.1's questions, levels and weights are as filed; since issue 15 it also carries the
    # weakest-link level rules and critical flags, so that its drafts cannot hide a floor either
    # (submitted assessments keep the scores frozen when they were filed).
    filed = (CONTENT_DIR / "questionnaires" / "2026.1.yaml").read_bytes()
    assert hashlib.sha256(filed).hexdigest() == (
        "b48677da1d9c00e48b75669b2a9f4ca520dcc79979fc82672895bcdfa10ddb5a"
    )
    assert {"2026.1", "2026.2"} <= set(CONTENT.catalogues)


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_no_two_countermeasures_of_a_bank_fire_on_the_same_questions(version: str) -> None:
    sets = [frozenset(m.question_ids) for m in CONTENT.catalogues[version].countermeasures]
    assert len(sets) == len(set(sets))


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_a_countermeasure_cites_a_paper_passage_or_its_real_source(version: str) -> None:
    for measure in CONTENT.catalogues[version].countermeasures:
        if measure.beyond_paper:
            assert measure.sources and measure.paper_section.startswith("3"), measure.id
        else:
            assert measure.paper_basis and measure.paper_basis.startswith("§4"), measure.id


@pytest.mark.parametrize(
    "measure_id",
    [
        "cm.planning.unified_standards_data_sharing",
        "cm.environment.fund_environmental_projects",
        "cm.participation.needs_driven_services",
    ],
)
def test_the_reviews_false_section_4_citations_are_marked_beyond_the_paper(
    measure_id: str,
) -> None:
    for catalogue in CONTENT.catalogues.values():
        measure = catalogue.countermeasure(measure_id)
        assert measure is not None and measure.beyond_paper and measure.sources


@pytest.mark.parametrize(
    ("question_id", "section"),
    [
        ("environment.green_energy_transport", "2.3"),
        ("environment.iot_monitoring", "4.2"),
        ("environment.ecological_data_analysis", "4.2"),
        ("environment.corporate_responsibility", "4.2"),
        ("environment.learning_from_others", "4.2"),
        ("participation.construction_transparency", "4.3"),
        ("participation.offline_outreach", "4.3"),
    ],
)
def test_a_question_cites_where_its_problem_truly_comes_from(
    question_id: str, section: str
) -> None:
    question = BANK.question(question_id)
    assert question is not None and question.paper_section == section


def test_every_2026_2_question_says_which_standard_indicators_it_relates_to() -> None:
    document = yaml.safe_load((CONTENT_DIR / "questionnaires" / "2026.2.yaml").read_text("utf-8"))
    for area in document["areas"]:
        for question in area["questions"]:
            assert "standards" in question and "ladder_sections" in question, question["id"]
    first_levels = {i.id for i in CONTENT.standards.first_levels()}
    assert first_levels == {f"L{n}" for n in range(1, 9)}
    assert all(i.status in ("confirmed", "reported") for i in CONTENT.standards.indicators)


def test_the_bank_carries_the_scoring_rules_and_its_critical_questions() -> None:
    document = yaml.safe_load((CONTENT_DIR / "questionnaires" / "2026.2.yaml").read_text("utf-8"))
    assert document["level_rules"] == [
        {"level": 5, "min_answer_level": 3, "min_critical_level": 4},
        {"level": 4, "min_answer_level": 2, "min_critical_level": 3},
    ]
    critical = {q["id"] for a in document["areas"] for q in a["questions"] if q.get("critical")}
    assert critical == {
        "planning.top_level_design",
        "participation.privacy_law",
        "participation.cybersecurity",
        "participation.cybersecurity_responsibility",
    }


@pytest.mark.parametrize(
    ("question_id", "indicator", "source"),
    [
        ("planning.information_infrastructure", "L4", None),
        ("planning.open_data", "L5", "数据安全法"),
        ("environment.environmental_outcomes", "L3", "GB 3095-2012"),
        ("participation.cybersecurity_responsibility", "L6", "关键信息基础设施安全保护条例"),
        ("participation.commercial_cryptography", "L6", "GB/T 39786-2021"),
    ],
)
def test_the_new_questions_exist_with_their_sources_and_countermeasures(
    question_id: str, indicator: str, source: str | None
) -> None:
    question = BANK.question(question_id)
    assert question is not None and indicator in question.standards
    assert source is None or any(source in s for s in question.sources)
    assert any(question_id in m.question_ids for m in CATALOGUE.countermeasures)


def test_funding_follows_the_ppp_new_mechanism_and_the_hidden_debt_ban() -> None:
    question = BANK.question("planning.funding_model")
    measure = CATALOGUE.countermeasure("cm.planning.government_enterprise_cooperation")
    assert question is not None and measure is not None
    assert any("国办函〔2023〕115号" in s for s in question.sources + measure.sources)
    assert "隐性债务" in question.levels[-1].label.zh and "隐性债务" in measure.description.zh
    assert "stable mix" not in " ".join(o.label.en for o in question.levels)


def test_encryption_advice_tells_desensitisation_from_encryption() -> None:
    measure = CATALOGUE.countermeasure("cm.participation.encryption_desensitisation")
    assert measure is not None
    for word in ("masking", "pseudonymisation", "generalisation", "in transit and at rest"):
        assert word in measure.description.en
    assert "does not desensitise" in measure.description.en


def test_the_resident_survey_offers_no_health_code() -> None:
    survey = (CONTENT_DIR / "resident_survey.yaml").read_text("utf-8")
    assert "健康码" not in survey and "health code" not in survey.lower()


@pytest.mark.parametrize(
    "calque",
    ["就绪度", "公众委员会", "群众数据", "个人数据", "新潮", "请继续", "多方复用", "站得住"],
)
def test_the_reviews_chinese_phrasings_are_gone(calque: str) -> None:
    texts = [
        (CONTENT_DIR / "questionnaires" / "2026.2.yaml").read_text("utf-8"),
        (CONTENT_DIR / "countermeasures" / "2026.2.yaml").read_text("utf-8"),
        (CONTENT_DIR / "resident_survey.yaml").read_text("utf-8"),
        ZH_CATALOG.read_text("utf-8"),
    ]
    assert not any(calque in text for text in texts)
