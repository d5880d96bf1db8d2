"""The content files: the shipped ones load, and a broken one stops start-up with a clear error."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app import create_app
from app.core.questionnaire import AREA_IDS, CONTENT_DIR, ContentError, load_content

PAPER_SUBPROBLEMS = {
    # The sub-problems the paper names in section 3, each with a word the question must carry.
    "planning": [
        "top-level",
        "coordinat",
        "duplicat",
        "invest",
        "island",
        "standard",
        "exchang",
        "fund",
        "risk",
    ],
    "environment": ["green industr", "pollution", "invest", "monitor", "awareness"],
    "participation": ["benefit", "planning", "elderly", "privacy", "encrypt", "cybersecurity"],
}


def test_shipped_content_loads_with_three_areas_of_at_least_eight_questions() -> None:
    content = load_content()
    assert [a.id for a in content.current.areas] == list(AREA_IDS)
    assert [a.paper_section for a in content.current.areas] == ["3.1", "3.2", "3.3"]
    for area in content.current.areas:
        assert len(area.questions) >= 8
        measures = [c for c in content.catalogue.countermeasures if c.area_id == area.id]
        assert len(measures) >= 5


@pytest.mark.parametrize("area_id", AREA_IDS)
def test_every_sub_problem_of_the_paper_has_a_question(area_id: str) -> None:
    area = load_content().current.area(area_id)
    assert area is not None
    texts = [f"{q.text.en} {q.help.en}".lower() for q in area.questions]
    for keyword in PAPER_SUBPROBLEMS[area_id]:
        assert any(keyword in text for text in texts), f"no question in {area_id} on {keyword}"


def _copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def _question(doc: Any) -> Any:
    return doc["areas"][0]["questions"][0]


BANK_BREAKAGES = [
    (lambda d: d.pop("version"), "'version' must be a non-empty string"),
    (lambda d: d["areas"].pop(), "expected the 3 areas"),
    (lambda d: d["areas"].reverse(), "expected area 'planning' in this position"),
    (lambda d: _question(d)["levels"].pop(), "needs exactly 5 levels"),
    (lambda d: _question(d)["text"].pop("zh"), "'zh' must be a non-empty string"),
    (lambda d: _question(d).update(weight="heavy"), "'weight' must be a number"),
    (lambda d: _question(d).update(weight=0), "'weight' must be above 0"),
    (lambda d: _question(d).update(paper_section="3.9"), "§3.9 is not a section of the paper"),
    (
        lambda d: _question(d).update(ladder_sections=["6.1"]),
        "names §6.1, which the paper does not",
    ),
    (lambda d: _question(d).update(standards=["L99"]), "'L99' is not in the catalogue"),
    (lambda d: _question(d).update(critical="yes"), "'critical' must be true or false"),
    (lambda d: _question(d).update(sources="网络安全法"), "'sources' must be a list"),
    (lambda d: d.update(level_rules=[{"level": 5}]), "level rule #1"),
    (lambda d: _question(d).update(id="environment.stray"), "id must start with 'planning.'"),
    (
        lambda d: d["areas"][0]["questions"].append(dict(_question(d))),
        "id is used twice",
    ),
    (lambda d: d["maturity_levels"].pop(), "needs levels 1 to 5"),
    (lambda d: _question(d).update(critical="yes"), "'critical' must be true or false"),
    (lambda d: d.update(level_rules=[]), "'level_rules' must be a non-empty list"),
    (lambda d: d["level_rules"][0].update(level=1), "'level' must be a whole number from 2"),
    (lambda d: d["level_rules"][0].update(min_answer_level=6), "'min_answer_level' must be"),
    (lambda d: d["level_rules"][0].pop("min_critical_level"), "'min_critical_level' must be"),
    (lambda d: d["level_rules"][0].update(floor=2), "unknown key(s) floor"),
    (lambda d: d["level_rules"][1].update(level=5), "level 5 has a rule already"),
    (
        lambda d: d["level_rules"][0].update(min_critical_level=1),
        "'min_critical_level' may not be below 'min_answer_level'",
    ),
]


@pytest.mark.parametrize(("break_it", "message"), BANK_BREAKAGES)
def test_a_broken_question_bank_names_the_file_and_the_item(
    tmp_path: Path, break_it: Callable[[Any], None], message: str
) -> None:
    content_dir = _copy_content(tmp_path)
    bank_file = next((content_dir / "questionnaires").glob("*.yaml"))
    _edit(bank_file, break_it)
    with pytest.raises(ContentError) as error:
        load_content(content_dir)
    assert bank_file.name in str(error.value)
    assert message in str(error.value)


def _unsourced(measure: Any, section: str) -> None:
    measure.update(paper_section=section)
    measure.pop("sources", None)


CATALOGUE_BREAKAGES = [
    (lambda d: d["countermeasures"][0].update(questions=["planning.nope"]), "'planning.nope'"),
    (lambda d: d["countermeasures"][0].update(area="weather"), "unknown area 'weather'"),
    (lambda d: d["countermeasures"][0].update(paper_section="4.2"), "must lie in 4.1"),
    (lambda d: d["countermeasures"][0].update(paper_section="4.9"), "§4.9 is not a section"),
    (lambda d: d["countermeasures"][0].pop("paper_basis"), "'paper_basis' must be a non-empty"),
    (lambda d: _unsourced(d["countermeasures"][0], "3.1"), "mark it beyond the paper"),
    (lambda d: d["keep_doing"].pop("planning"), "keep_doing"),
    (lambda d: d.update(countermeasures=d["countermeasures"][:1]), "no countermeasure addresses"),
]


@pytest.mark.parametrize(("break_it", "message"), CATALOGUE_BREAKAGES)
def test_a_broken_countermeasure_file_is_refused(
    tmp_path: Path, break_it: Callable[[Any], None], message: str
) -> None:
    content_dir = _copy_content(tmp_path)
    _edit(content_dir / "countermeasures" / "2026.2.yaml", break_it)
    with pytest.raises(ContentError, match="2026.2.yaml") as error:
        load_content(content_dir)
    assert message in str(error.value)


def test_unparseable_yaml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    content_dir = _copy_content(tmp_path)
    (content_dir / "countermeasures" / "2026.2.yaml").write_text("countermeasures: [", "utf-8")
    with pytest.raises(ContentError, match="2026.2.yaml: cannot be read"):
        load_content(content_dir)


def test_a_bank_without_its_own_countermeasures_is_refused(tmp_path: Path) -> None:
    content_dir = _copy_content(tmp_path)
    (content_dir / "countermeasures" / "2026.1.yaml").unlink()
    with pytest.raises(ContentError, match="no countermeasures file 2026.1.yaml"):
        load_content(content_dir)


def test_the_app_refuses_to_start_on_a_broken_bank(tmp_path: Path) -> None:
    content_dir = _copy_content(tmp_path)
    bank_file = next((content_dir / "questionnaires").glob("*.yaml"))
    _edit(bank_file, lambda d: _question(d)["levels"].pop())
    with pytest.raises(ContentError, match="needs exactly 5 levels"):
        create_app(
            {
                "SECRET_KEY": "x",
                "CONTENT_DIR": str(content_dir),
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            }
        )


def test_older_bank_versions_stay_available_and_the_newest_is_current(tmp_path: Path) -> None:
    content_dir = _copy_content(tmp_path)
    current = load_content(content_dir).current.version
    older = content_dir / "questionnaires" / "2025.1.yaml"
    shutil.copy(content_dir / "questionnaires" / f"{current}.yaml", older)
    shutil.copy(
        content_dir / "countermeasures" / f"{current}.yaml",
        content_dir / "countermeasures" / "2025.1.yaml",
    )
    _edit(older, lambda d: d.update(version="2025.1"))
    content = load_content(content_dir)
    assert {"2025.1", current} <= set(content.banks)
    assert content.current.version == current
    assert content.bank("2025.1").version == "2025.1"


STANDARDS_BREAKAGES = [
    (lambda d: d["indicators"][1].update(parent="L0"), "parent 'L0' must be listed before it"),
    (lambda d: d["indicators"][0].update(status="rumoured"), "'status' must be one of"),
    (lambda d: d["indicators"].append(dict(d["indicators"][0])), "id is used twice"),
    (lambda d: d.pop("note"), "top level.note"),
]


@pytest.mark.parametrize(("break_it", "message"), STANDARDS_BREAKAGES)
def test_a_broken_standards_catalogue_is_refused(
    tmp_path: Path, break_it: Callable[[Any], None], message: str
) -> None:
    content_dir = _copy_content(tmp_path)
    _edit(content_dir / "standards.yaml", break_it)
    with pytest.raises(ContentError, match="standards.yaml") as error:
        load_content(content_dir)
    assert message in str(error.value)
