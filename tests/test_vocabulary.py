"""One vocabulary: every word and format about a commitment type lives in its catalogue entry.

The dashboard's labels and the alerts derive from the catalogue, so adding a commitment type takes
one place; these tests prove it by adding one at run time and reading it back everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gwp_monitor.domain import catalogue, formatting
from gwp_monitor.domain.catalogue import CATALOGUE, CommitmentSpec, CommitmentType, Rule
from gwp_monitor.notify import breach_alert, commitment_label, compose, render_text
from gwp_monitor.report import labels

PACKAGE = Path(catalogue.__file__).resolve().parents[1]


def test_commitment_types_are_a_str_enum_matching_the_catalogue() -> None:
    assert list(CATALOGUE) == [t.value for t in CommitmentType]  # catalogue order is the enum's order
    assert all(type(name) is str for name in CATALOGUE)  # plain text keys: safe to write to YAML and SQL
    assert CommitmentType.REAL_LIVING_WAGE == "real_living_wage"
    assert CATALOGUE[CommitmentType.WORKER_VOICE] is CATALOGUE["worker_voice"]
    assert {CommitmentType.MAX_AGENCY_SHARE: 1}["max_agency_share"] == 1


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_type_has_its_words_unit_and_formatters(name: str) -> None:
    spec = CATALOGUE[name]
    assert spec.name == name and isinstance(spec.name, CommitmentType)
    assert spec.title and spec.summary and spec.observed and spec.label and spec.next_steps
    assert isinstance(spec.unit, formatting.Unit)
    assert callable(spec.unit.show) and callable(spec.unit.say)
    assert spec.unit.show(Decimal("1")) and spec.unit.say(Decimal("1"))
    if spec.source_kind == "payroll":
        assert spec.rule.label and spec.floor_title  # the floor is named in verdicts, alerts and charts
    else:
        assert spec.measure  # what the alert says was observed
    if isinstance(spec.rule.limit, str):  # a parameter of the register: the label carries the limit
        assert "{limit}" in spec.label and spec.label_unset
        assert spec.relation in ("at least", "at most")


TYPE_LITERAL = re.compile(r"""["']({})["']""".format("|".join(re.escape(n) for n in CATALOGUE)))
# The modules that speak about commitments; none may list the types itself.
DERIVED = [
    "assess/verdicts.py",
    "assess/wages.py",
    "assess/workforce.py",
    "assess/missing.py",
    "notify/events.py",
    "notify/content.py",
    "notify/render.py",
    "report/labels.py",
    "domain/formatting.py",
    "domain/periods.py",
]


@pytest.mark.parametrize("module", DERIVED)
def test_no_module_outside_the_catalogue_names_a_type(module: str) -> None:
    source = (PACKAGE / module).read_text(encoding="utf-8")
    assert not TYPE_LITERAL.findall(source), f"{module} hard-codes commitment types; read them from the catalogue"


@pytest.fixture
def new_type(monkeypatch: pytest.MonkeyPatch) -> CommitmentSpec:
    """A commitment type added in one place, the catalogue, as a new one would be."""
    spec = CommitmentSpec(
        name="min_living_hours",  # type: ignore[arg-type]  # a new enum member in real life
        source_kind="workforce",
        severity="medium",
        summary="Workers are offered at least the agreed share of guaranteed hours.",
        observed="observed_value: guaranteed_hours / hours; threshold: min",
        rule=Rule("at_least", "min", lambda f: f["guaranteed_hours"] / f["hours"], "hours is missing"),
        title="Living hours",
        unit=formatting.SHARE,
        measure="share of hours guaranteed",
        label="guaranteed hours {limit} of hours worked",
        label_unset="the agreed share of guaranteed hours",
        next_steps=("Ask the supplier for a plan to guarantee more of the hours it offers.",),
    )
    monkeypatch.setitem(CATALOGUE, "min_living_hours", spec)
    return spec


def test_a_new_type_is_spoken_about_everywhere_from_its_entry(new_type: CommitmentSpec) -> None:
    # The dashboard.
    assert labels.commitment_name("min_living_hours") == "Living hours"
    assert labels.observed_text("min_living_hours", 0.125) == "12.5%"
    assert labels.threshold_text("min_living_hours", 0.2) == "at least 20.0%"
    assert labels.commitment_sort_key("min_living_hours") < labels.commitment_sort_key("zzz_unknown")
    # The alerts.
    assert commitment_label("min_living_hours", 0.2) == "guaranteed hours at least 20% of hours worked"
    assert commitment_label("min_living_hours") == "the agreed share of guaranteed hours"
    alert = breach_alert(
        "breach_opened",
        contract_ref="C-1",
        contract_title="Care",
        supplier_name="Acme",
        commitment="min_living_hours",
        severity="medium",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        first_period_start=date(2026, 4, 1),
        observed_value=0.125,
        threshold=0.2,
    )
    content = compose(alert)
    assert ("Observed", "share of hours guaranteed 12.5% (commitment: at least 20%)") in content.facts
    assert content.next_steps[0] == "Ask the supplier for a plan to guarantee more of the hours it offers."
    assert "agree a remedy under the contract" not in render_text(alert)


@pytest.mark.parametrize(
    ("commitment", "value", "dashboard", "alert"),
    [
        ("max_zero_hours_share", 0.0125, "1.3%", "1.3%"),  # half up in both, not 1.2% on the dashboard
        ("max_gender_pay_gap", 4.25, "4.3%", "4.3%"),
        ("min_training_hours_per_fte", 1234.5, "1,234.5 h", "1234.5"),
        ("min_apprentices", 3, "3", "3"),
        ("worker_voice", 0, "No", "no"),
    ],
)
def test_dashboard_and_alerts_round_a_figure_the_same_way(
    commitment: str, value: float, dashboard: str, alert: str
) -> None:
    unit = CATALOGUE[commitment].unit
    assert labels.observed_text(commitment, value) == dashboard
    assert unit.say(formatting.as_decimal(value)) == alert  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "gbp", "money"),
    [
        (Decimal("1234.565"), "£1,234.57", "£1,234.57"),
        (-12.3, "-£12.30", "\u2212£12.30"),  # plain text in alerts, a typographic minus on the dashboard
        (None, "\u2014", "\u2014"),
        ("not a number", "\u2014", "\u2014"),
    ],
)
def test_money_is_formatted_once(value: object, gbp: str, money: str) -> None:
    assert formatting.format_gbp(value) == gbp
    assert formatting.money(value) == money


def test_helpers_exist_once() -> None:
    from gwp_monitor.domain import periods
    from gwp_monitor.notify import content as notify_content
    from gwp_monitor.report import environment

    assert environment.period_label is periods.period_label
    assert notify_content.format_gbp is formatting.format_gbp
    assert notify_content.format_date is formatting.format_date is environment.format_date
    assert environment.money is formatting.money
    # The alerts' period_label is the same function in its plain-text style.
    assert notify_content.period_label(date(2026, 1, 1), date(2026, 3, 31)) == periods.period_label(
        date(2026, 1, 1), date(2026, 3, 31), plain=True
    )


def test_specs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE["worker_voice"].title = "x"  # type: ignore[misc]
