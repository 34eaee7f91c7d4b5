"""Breach alerts quote "owed to workers" (spec 4): one figure per contract, each worker once, beside the
breach's own arrears; the lifecycle computes it from v_owed_to_workers as the dashboard does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_alert_messages import plain, rlw_opened

from gwp_monitor.domain.owed import owed_in_open_breaches
from gwp_monitor.notify import compose
from gwp_monitor.notify.lifecycle import breach_alerts


@pytest.mark.parametrize(
    ("owed", "fact", "sentence"),
    [
        (
            Decimal("1500.10"),
            "£1,500.10 on this contract (each worker once)",
            "workers on this contract are owed £1,500.10",
        ),
        (Decimal("0"), "£0.00 on this contract (each worker once)", "workers on this contract are owed £0.00"),
        (None, None, None),
    ],
)
def test_breach_alert_says_what_workers_are_owed(owed, fact, sentence) -> None:
    alert = rlw_opened(owed_gbp=owed)
    content = compose(alert)
    facts = dict(content.facts)
    assert facts.get("Owed to workers") == fact
    assert facts["Arrears"] == "£1,234.56"  # the breach's own arrears stay
    if sentence:
        assert sentence in content.summary and sentence in plain(alert)
    else:
        assert "owed £" not in content.summary and "Owed to workers" not in plain(alert)


def test_owed_is_refused_when_not_money() -> None:
    with pytest.raises(ValueError, match="owed_gbp"):
        rlw_opened(owed_gbp="lots")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request, demo_dashboard):
    return demo_dashboard(request.param)


def test_demo_breach_alerts_carry_the_dashboard_owed_figure(demo, db_rows) -> None:
    """Every wage breach alert on a contract quotes the same figure, the one the dashboard shows; it is
    never the sum of the contract's statutory and Real Living Wage arrears when both are open."""
    from datetime import date

    alerts = [a for a in breach_alerts(demo.database, date(2026, 3, 15)) if a.event == "breach_opened"]
    wage = [a for a in alerts if a.commitment in ("statutory_minimum_wage", "real_living_wage")]
    assert wage, "the demo opens wage breaches"
    owed_rows = db_rows(demo.database, "SELECT contract_ref, period_start, owed_gbp FROM v_owed_to_workers")
    breaches = db_rows(demo.database, "SELECT * FROM v_open_breaches")
    for a in wage:
        mine = [b for b in breaches if b["contract_ref"] == a.contract_ref]
        expected = owed_in_open_breaches([r for r in owed_rows if r["contract_ref"] == a.contract_ref], mine)
        assert a.owed_gbp == Decimal(str(expected)), a.contract_ref
        arrears = [float(b["arrears_gbp"] or 0) for b in mine if b["arrears_gbp"] is not None]
        assert max(arrears) - 0.005 <= expected <= sum(arrears) + 0.005
    assert all(a.owed_gbp is None for a in alerts if a not in wage)
