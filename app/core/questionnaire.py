"""Load the question bank and the countermeasures from the versioned data files in ``content/``.

The files are validated once, when the app starts: a malformed file stops start-up with a
``ContentError`` naming the file and the item, so a bad edit never reaches a city official.
This module is part of the domain core and imports nothing from Flask.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

CONTENT_DIR = Path(__file__).parents[1] / "content"
LANGUAGES = ("en", "zh")
AREA_IDS = ("planning", "environment", "participation")
AREA_PAPER_SECTIONS = {"planning": "3.1", "environment": "3.2", "participation": "3.3"}
COUNTERMEASURE_SECTIONS = {"planning": "4.1", "environment": "4.2", "participation": "4.3"}
# Every numbered part of Bao's paper: a citation to anything else cannot be checked by a reader.
PAPER_SECTIONS = frozenset(
    {"2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "5"}
)
INDICATOR_STATUSES = ("confirmed", "reported")
LEVELS_PER_QUESTION = 5
MATURITY_LEVELS = 5
DONT_KNOW = "dont_know"
NOT_APPLICABLE = "not_applicable"

OptionKind = Literal["level", "dont_know", "not_applicable"]


class ContentError(ValueError):
    """A content file does not match its schema; the message names the file and the item."""


@dataclass(frozen=True)
class Text:
    """A piece of content text in every language the app speaks."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    kind: OptionKind
    score: float | None


@dataclass(frozen=True)
class Question:
    """A question; ``paper_section`` is where its problem comes from, ``ladder_sections`` where
    its levels come from, ``sources`` the national texts behind what the paper does not say."""

    id: str
    area_id: str
    paper_section: str
    weight: float
    text: Text
    help: Text
    options: tuple[Option, ...]
    critical: bool = False
    """A floor no average may hide: the bank's level rules ask more of critical questions."""
    ladder_sections: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()

    @property
    def levels(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.kind == "level")

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def answer_level(self, value: str | None) -> int | None:
        """The maturity level (1..5) an answer stands for, by its rung on this question's ladder.

        "Don't know" counts as level 1: a practice nobody can vouch for holds no level up.
        Not applicable, unanswered and unknown values have no level.
        """
        option = None if value is None else self.option(value)
        if option is None or option.kind == "not_applicable":
            return None
        if option.kind == "dont_know":
            return 1
        return maturity_of_rung(self.levels.index(option), len(self.levels))


def maturity_of_rung(rung: int, rungs: int) -> int:
    """Map rung ``rung`` (0 = lowest) of a ladder ``rungs`` long onto maturity levels 1..5.

    Rounded down, so only a ladder's top rung reaches level 5 and its lowest is always 1.
    """
    if rungs <= 1:
        return MATURITY_LEVELS
    return 1 + (MATURITY_LEVELS - 1) * rung // (rungs - 1)


@dataclass(frozen=True)
class Area:
    id: str
    paper_section: str
    weight: float
    title: Text
    summary: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class MaturityLevel:
    number: int
    min_score: float
    name: Text
    description: Text


@dataclass(frozen=True)
class LevelRule:
    """The weakest-link rule for one maturity level: reaching ``level`` (or any above it) needs
    every answer at ``min_answer_level`` or more, every critical one at ``min_critical_level``."""

    level: int
    min_answer_level: int
    min_critical_level: int


@dataclass(frozen=True)
class QuestionBank:
    version: str
    areas: tuple[Area, ...]
    maturity_levels: tuple[MaturityLevel, ...]
    level_rules: tuple[LevelRule, ...] = ()
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for a in self.areas for q in a.questions})

    def questions(self) -> Iterator[Question]:
        for area in self.areas:
            yield from area.questions

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def level_for(self, overall: float) -> MaturityLevel:
        """Return the highest maturity level whose floor the overall score reaches."""
        reached = [lvl for lvl in self.maturity_levels if overall >= lvl.min_score]
        return reached[-1] if reached else self.maturity_levels[0]


@dataclass(frozen=True)
class Countermeasure:
    """A countermeasure. One citing section 4 or 5 carries ``paper_basis``, the passage it rests
    on; any other answers the problem in ``paper_section`` from outside the paper (``sources``)."""

    id: str
    area_id: str
    paper_section: str
    title: Text
    description: Text
    question_ids: tuple[str, ...]
    paper_basis: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def beyond_paper(self) -> bool:
        return not _recommends(self.paper_section)


@dataclass(frozen=True)
class StandardIndicator:
    """An indicator of GB/T 33356 that the reference notes can back, with how well they back it."""

    id: str
    parent: str | None
    name: Text
    status: str
    source: str

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


@dataclass(frozen=True)
class StandardCatalogue:
    title: Text
    note: Text
    indicators: tuple[StandardIndicator, ...]

    def indicator(self, indicator_id: str) -> StandardIndicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def first_level(self, indicator_id: str) -> StandardIndicator | None:
        """The first-level indicator above ``indicator_id`` (itself if it has no parent)."""
        found = self.indicator(indicator_id)
        while found is not None and found.parent is not None:
            found = self.indicator(found.parent)
        return found

    def first_levels(self) -> tuple[StandardIndicator, ...]:
        return tuple(i for i in self.indicators if i.parent is None)


@dataclass(frozen=True)
class Catalogue:
    """The countermeasures of section 4, and the note an already strong area gets instead."""

    version: str
    countermeasures: tuple[Countermeasure, ...]
    keep_doing: Mapping[str, Text]

    def countermeasure(self, countermeasure_id: str) -> Countermeasure | None:
        return next((m for m in self.countermeasures if m.id == countermeasure_id), None)


@dataclass(frozen=True)
class Content:
    """Every question bank version ever published, the current one, each bank's countermeasures
    and the national standard's indicators the questions relate to."""

    banks: Mapping[str, QuestionBank]
    current: QuestionBank
    catalogues: Mapping[str, Catalogue]
    standards: StandardCatalogue

    def bank(self, version: str) -> QuestionBank:
        """Return the bank an assessment was filed against, falling back to the current one."""
        return self.banks.get(version, self.current)

    def newer_banks(self, version: str) -> tuple[QuestionBank, ...]:
        """The banks published after ``version``, oldest first: where a draft may move to."""
        return tuple(
            self.banks[v]
            for v in sorted(self.banks, key=_version_key)
            if _version_key(v) > _version_key(version)
        )

    @property
    def catalogue(self) -> Catalogue:
        return self.catalogues[self.current.version]

    def catalogue_for(self, version: str) -> Catalogue:
        """The countermeasures written for a bank: their links name that bank's questions."""
        return self.catalogues[self.bank(version).version]


class _Reader:
    """Walks one parsed YAML document, raising ContentError with the file and item path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> ContentError:
        return ContentError(f"{self.path.name}: {where}: {problem}")

    def mapping(self, node: object, where: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(where, "expected a mapping")
        return node

    def items(self, node: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = node.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(where, f"'{key}' must be a non-empty list")
        return value

    def string(self, node: Mapping[str, Any], key: str, where: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{key}' must be a non-empty string")
        return value

    def number(self, node: Mapping[str, Any], key: str, where: str) -> float:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where, f"'{key}' must be a number of at least 0")
        return float(value)

    def strings(self, node: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        """An optional list of non-empty strings; absent means none."""
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, f"'{key}' must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def sections(self, node: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        found = self.strings(node, key, where)
        for section in found:
            if section not in PAPER_SECTIONS:
                raise self.fail(where, f"'{key}' names §{section}, which the paper does not have")
        return found

    def text(self, node: Mapping[str, Any], key: str, where: str) -> Text:
        value = self.mapping(node.get(key), f"{where}.{key}")
        for lang in LANGUAGES:
            self.string(value, lang, f"{where}.{key}")
        return Text(en=value["en"].strip(), zh=value["zh"].strip())


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path.name}: cannot be read: {exc}") from exc
    return _Reader(path).mapping(document, "top level")


def _scale(levels: list[Text], na_allowed: bool) -> tuple[Option, ...]:
    top = len(levels) - 1
    options = [
        Option(value=str(i + 1), label=label, kind="level", score=i / top)
        for i, label in enumerate(levels)
    ]
    options.append(Option(DONT_KNOW, Text("Don't know", "不清楚"), "dont_know", 0.0))
    if na_allowed:
        options.append(
            Option(NOT_APPLICABLE, Text("Not applicable", "不适用"), "not_applicable", None)
        )
    return tuple(options)


def _recommends(section: str) -> bool:
    """Whether a paper section is one where the paper makes recommendations (4.x, 5)."""
    return section.startswith("4.") or section == "5"


def _question(
    r: _Reader, node: object, area_id: str, where: str, standards: StandardCatalogue
) -> Question:
    q = r.mapping(node, where)
    question_id = r.string(q, "id", where)
    where = f"question '{question_id}'"
    if not question_id.startswith(f"{area_id}."):
        raise r.fail(where, f"id must start with '{area_id}.'")
    section = r.string(q, "paper_section", where)
    if section not in PAPER_SECTIONS:
        raise r.fail(where, f"paper_section §{section} is not a section of the paper")
    indicators = r.strings(q, "standards", where)
    for indicator in indicators:
        if standards.indicator(indicator) is None:
            raise r.fail(where, f"standard indicator '{indicator}' is not in the catalogue")
    weight = r.number(q, "weight", where)
    if weight == 0:
        raise r.fail(where, "'weight' must be above 0")
    raw_levels = r.items(q, "levels", where)
    if len(raw_levels) != LEVELS_PER_QUESTION:
        raise r.fail(where, f"needs exactly {LEVELS_PER_QUESTION} levels, has {len(raw_levels)}")
    levels = [
        r.text({"level": lvl}, "level", f"{where} level {i + 1}")
        for i, lvl in enumerate(raw_levels)
    ]
    na_allowed = q.get("not_applicable_allowed", False)
    if not isinstance(na_allowed, bool):
        raise r.fail(where, "'not_applicable_allowed' must be true or false")
    critical = q.get("critical", False)
    if not isinstance(critical, bool):
        raise r.fail(where, "'critical' must be true or false")
    return Question(
        id=question_id,
        area_id=area_id,
        paper_section=section,
        weight=weight,
        text=r.text(q, "text", where),
        help=r.text(q, "help", where),
        options=_scale(levels, na_allowed),
        critical=critical,
        ladder_sections=r.sections(q, "ladder_sections", where),
        sources=r.strings(q, "sources", where),
        standards=indicators,
    )


def _area(
    r: _Reader, node: object, expected_id: str, index: int, standards: StandardCatalogue
) -> Area:
    a = r.mapping(node, f"area #{index + 1}")
    area_id = r.string(a, "id", f"area #{index + 1}")
    where = f"area '{area_id}'"
    if area_id != expected_id:
        raise r.fail(where, f"expected area '{expected_id}' in this position")
    section = r.string(a, "paper_section", where)
    if section != AREA_PAPER_SECTIONS[area_id]:
        raise r.fail(where, f"paper_section must be {AREA_PAPER_SECTIONS[area_id]}")
    weight = r.number(a, "weight", where)
    if weight == 0:
        raise r.fail(where, "'weight' must be above 0")
    questions = tuple(
        _question(r, q, area_id, f"{where} question #{i + 1}", standards)
        for i, q in enumerate(r.items(a, "questions", where))
    )
    return Area(
        area_id, section, weight, r.text(a, "title", where), r.text(a, "summary", where), questions
    )


def _maturity_levels(r: _Reader, doc: Mapping[str, Any]) -> tuple[MaturityLevel, ...]:
    levels = []
    for i, node in enumerate(r.items(doc, "maturity_levels", "top level")):
        where = f"maturity level #{i + 1}"
        m = r.mapping(node, where)
        if m.get("number") != i + 1:
            raise r.fail(where, f"'number' must be {i + 1}")
        levels.append(
            MaturityLevel(
                i + 1,
                r.number(m, "min_score", where),
                r.text(m, "name", where),
                r.text(m, "description", where),
            )
        )
    if len(levels) != 5 or levels[0].min_score != 0:
        raise r.fail("maturity_levels", "needs levels 1 to 5, the first with min_score 0")
    floors = [lvl.min_score for lvl in levels]
    if floors != sorted(set(floors)) or floors[-1] > 100:
        raise r.fail("maturity_levels", "min_score must rise strictly and stay within 0..100")
    return tuple(levels)


def _level_rule_number(r: _Reader, m: Mapping[str, Any], key: str, where: str, low: int) -> int:
    value = m.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MATURITY_LEVELS:
        raise r.fail(where, f"'{key}' must be a whole number from {low} to {MATURITY_LEVELS}")
    return value


def _level_rules(r: _Reader, doc: Mapping[str, Any]) -> tuple[LevelRule, ...]:
    """The optional ``level_rules`` block: at most one rule per level from 2 to 5."""
    if "level_rules" not in doc:
        return ()
    rules: list[LevelRule] = []
    for i, node in enumerate(r.items(doc, "level_rules", "top level")):
        where = f"level rule #{i + 1}"
        m = r.mapping(node, where)
        unknown = set(m) - {"level", "min_answer_level", "min_critical_level"}
        if unknown:
            raise r.fail(where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        rule = LevelRule(
            _level_rule_number(r, m, "level", where, 2),
            _level_rule_number(r, m, "min_answer_level", where, 1),
            _level_rule_number(r, m, "min_critical_level", where, 1),
        )
        if any(other.level == rule.level for other in rules):
            raise r.fail(where, f"level {rule.level} has a rule already")
        if rule.min_critical_level < rule.min_answer_level:
            raise r.fail(where, "'min_critical_level' may not be below 'min_answer_level'")
        rules.append(rule)
    return tuple(sorted(rules, key=lambda rule: rule.level))


def load_question_bank(path: Path, standards: StandardCatalogue) -> QuestionBank:
    """Parse and validate one question bank file."""
    r = _Reader(path)
    doc = _load_yaml(path)
    version = r.string(doc, "version", "top level")
    raw_areas = r.items(doc, "areas", "top level")
    if len(raw_areas) != len(AREA_IDS):
        raise r.fail("areas", f"expected the {len(AREA_IDS)} areas {', '.join(AREA_IDS)}")
    areas = tuple(_area(r, node, AREA_IDS[i], i, standards) for i, node in enumerate(raw_areas))
    seen: set[str] = set()
    for question in (q for area in areas for q in area.questions):
        if question.id in seen:
            raise r.fail(f"question '{question.id}'", "id is used twice")
        seen.add(question.id)
    return QuestionBank(version, areas, _maturity_levels(r, doc), _level_rules(r, doc))


def load_catalogue(path: Path, bank: QuestionBank) -> Catalogue:
    """Parse one bank's countermeasures and check every link and citation against it."""
    r = _Reader(path)
    doc = _load_yaml(path)
    version = r.string(doc, "version", "top level")
    keep = r.mapping(doc.get("keep_doing"), "keep_doing")
    keep_doing = {area_id: r.text(keep, area_id, "keep_doing") for area_id in AREA_IDS}
    measures: list[Countermeasure] = []
    for i, node in enumerate(r.items(doc, "countermeasures", "top level")):
        c = r.mapping(node, f"countermeasure #{i + 1}")
        cm_id = r.string(c, "id", f"countermeasure #{i + 1}")
        where = f"countermeasure '{cm_id}'"
        if any(m.id == cm_id for m in measures):
            raise r.fail(where, "id is used twice")
        area_id = r.string(c, "area", where)
        if area_id not in AREA_IDS:
            raise r.fail(where, f"unknown area '{area_id}'")
        section = r.string(c, "paper_section", where)
        if section not in PAPER_SECTIONS:
            raise r.fail(where, f"paper_section §{section} is not a section of the paper")
        if section.startswith("4.") and section != COUNTERMEASURE_SECTIONS[area_id]:
            raise r.fail(where, f"paper_section must lie in {COUNTERMEASURE_SECTIONS[area_id]}")
        sources = r.strings(c, "sources", where)
        paper_basis = r.string(c, "paper_basis", where) if _recommends(section) else None
        if not _recommends(section) and not sources:
            raise r.fail(
                where,
                f"§{section} makes no recommendation: mark it beyond the paper with 'sources'",
            )
        question_ids = r.items(c, "questions", where)
        for qid in question_ids:
            question = bank.question(str(qid))
            if question is None or question.area_id != area_id:
                raise r.fail(
                    where, f"question '{qid}' is not in area '{area_id}' of bank {bank.version}"
                )
        measures.append(
            Countermeasure(
                cm_id,
                area_id,
                section,
                r.text(c, "title", where),
                r.text(c, "description", where),
                tuple(str(q) for q in question_ids),
                paper_basis.strip() if paper_basis else None,
                sources,
            )
        )
    covered = {qid for m in measures for qid in m.question_ids}
    for question in bank.questions():
        if question.id not in covered:
            raise r.fail(f"question '{question.id}'", "no countermeasure addresses it")
    return Catalogue(version, tuple(measures), keep_doing)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def load_standards(path: Path) -> StandardCatalogue:
    """Parse the national-standard indicators; each says how well the public sources back it."""
    r = _Reader(path)
    doc = _load_yaml(path)
    indicators: list[StandardIndicator] = []
    for i, node in enumerate(r.items(doc, "indicators", "top level")):
        n = r.mapping(node, f"indicator #{i + 1}")
        indicator_id = r.string(n, "id", f"indicator #{i + 1}")
        where = f"indicator '{indicator_id}'"
        parent = n.get("parent")
        if parent is not None and not any(x.id == parent for x in indicators):
            raise r.fail(where, f"parent '{parent}' must be listed before it")
        status = r.string(n, "status", where)
        if status not in INDICATOR_STATUSES:
            raise r.fail(where, f"'status' must be one of {', '.join(INDICATOR_STATUSES)}")
        if any(x.id == indicator_id for x in indicators):
            raise r.fail(where, "id is used twice")
        indicators.append(
            StandardIndicator(
                indicator_id, parent, r.text(n, "name", where), status, r.string(n, "source", where)
            )
        )
    return StandardCatalogue(
        r.text(doc, "title", "top level"), r.text(doc, "note", "top level"), tuple(indicators)
    )


def load_content(content_dir: Path = CONTENT_DIR) -> Content:
    """Load every question bank version with its countermeasures; the newest bank is current."""
    standards = load_standards(content_dir / "standards.yaml")
    banks = {}
    catalogues = {}
    for path in sorted((content_dir / "questionnaires").glob("*.yaml")):
        bank = load_question_bank(path, standards)
        if bank.version != path.stem:
            raise ContentError(f"{path.name}: version '{bank.version}' must match the file name")
        banks[bank.version] = bank
        measures = content_dir / "countermeasures" / path.name
        if not measures.is_file():
            raise ContentError(f"{path.name}: no countermeasures file {measures.name} beside it")
        catalogues[bank.version] = load_catalogue(measures, bank)
    if not banks:
        raise ContentError(f"{content_dir / 'questionnaires'}: no question bank found")
    current = banks[max(banks, key=_version_key)]
    return Content(banks, current, catalogues, standards)
