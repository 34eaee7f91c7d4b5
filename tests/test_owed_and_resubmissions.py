"""Owed to workers, uplift cost (spec 4, 5) and superseding that keeps the evidence (spec 2.4), on SQLite
and PostgreSQL, through the real pipeline.

June 2025, TST-001 (Real Living Wage), as of 2026-01-31: statutory 12.21, Real Living Wage 12.60,
upcoming 13.45 to be paid from 2026-05-01 (announced 2025-10-22). 100 hours each:
    W1 12.00: below both floors: owed the larger shortfall once, 0.60 x 100 = 60.00 (not 60 + 21)
    W2 12.50: below the Real Living Wage: 10.00
    W3 13.50: above everything
    W4 13.00: only below the upcoming rate
owed 70.00 to 2 workers; uplift (13.45 - rate) x 100 for W1, W2, W4 = 145 + 95 + 45 = 285.00.
"""

from __future__ import annotations

from decimal import Decimal

from factories import AS_OF, CONTRACT_REF

from gwp_monitor.notify.content import compose
from gwp_monitor.notify.events import recipients_for
from gwp_monitor.notify.lifecycle import resubmission_alerts
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database

JUNE = ("2025-06-01", "2025-06-30")
RATES = {1: "12.00", 2: "12.50", 3: "13.50", 4: "13.00"}


def _june(returns, rates: dict[int, str]) -> list[dict[str, str]]:
    return [returns.paid_row(CONTRACT_REF, JUNE, w, rate) for w, rate in rates.items()]


def test_owed_to_workers_and_resubmission_evidence(reporting_db_url, register, returns, landing_writer, db_rows):
    landing_writer("june.csv", _june(returns, RATES), "2025-07-05T09:00:00")
    db = open_database(reporting_db_url)
    run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)

    (owed,) = db_rows(db.engine, "SELECT * FROM v_owed_to_workers")
    assert (owed["workers_owed"], owed["owed_gbp"]) == (2, Decimal("70.00"))
    assert (owed["uplift_from"], owed["workers_below_uplift"], owed["uplift_cost_gbp"]) == (
        "2026-05-01",
        3,
        Decimal("285.00"),
    )
    per_commitment = db_rows(
        db.engine, "SELECT rate_type, SUM(arrears_gbp) AS a FROM v_wage_compliance GROUP BY rate_type ORDER BY 1"
    )
    assert [(r["rate_type"], r["a"]) for r in per_commitment] == [
        ("real_living_wage", Decimal("70.00")),
        ("statutory_minimum_wage", Decimal("21.00")),  # per-commitment arrears stay as they are
    ]

    # The supplier resubmits June with everyone at 13.50: the breaches clear, the evidence stays.
    landing_writer("june-fixed.csv", _june(returns, dict.fromkeys(RATES, "13.50")), "2025-07-20T09:00:00")
    run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
    subs = db_rows(db.engine, "SELECT submission_id, status, supersedes_submission_id, source FROM v_submissions")
    first, second = sorted(subs, key=lambda r: r["submission_id"])
    assert (first["status"], second["status"]) == ("superseded", "accepted")
    assert second["supersedes_submission_id"] == first["submission_id"] and first["supersedes_submission_id"] is None
    assert {first["source"], second["source"]} == {"folder"}
    kept = db_rows(
        db.engine,
        "SELECT COUNT(*) AS n FROM wage_figures WHERE submission_id = :s AND arrears_gbp > 0",
        s=first["submission_id"],
    )
    assert kept[0]["n"] == 2, "the superseded return's wage figures stay stored"
    changes = db_rows(db.engine, "SELECT * FROM v_resubmission_changes ORDER BY commitment")
    assert [
        (
            c["commitment"],
            c["previous_status"],
            c["new_status"],
            c["previous_arrears_gbp"],
            c["new_arrears_gbp"],
            c["previous_submission_id"],
            c["new_submission_id"],
        )
        for c in changes
    ] == [
        (
            "real_living_wage",
            "breach",
            "compliant",
            Decimal("70.00"),
            Decimal("0.00"),
            first["submission_id"],
            second["submission_id"],
        ),
        (
            "statutory_minimum_wage",
            "breach",
            "compliant",
            Decimal("21.00"),
            Decimal("0.00"),
            first["submission_id"],
            second["submission_id"],
        ),
    ]
    (owed,) = db_rows(db.engine, "SELECT * FROM v_owed_to_workers")
    assert (owed["workers_owed"], owed["owed_gbp"], owed["uplift_cost_gbp"]) == (0, Decimal("0.00"), Decimal("0.00"))

    # ... and the contract manager is told, once per commitment the resubmission changed
    alerts = resubmission_alerts(db)
    assert sorted(a.commitment for a in alerts) == ["real_living_wage", "statutory_minimum_wage"]
    assert {a.event for a in alerts} == {"verdict_changed_by_resubmission"}
    assert len({a.event_key for a in alerts}) == 2 and alerts == resubmission_alerts(db)
    rlw = next(a for a in alerts if a.commitment == "real_living_wage")
    assert recipients_for(
        "verdict_changed_by_resubmission", contract_manager="cm@c.example", supplier="s@s.example"
    ) == ("cm@c.example",)
    words = compose(rlw)
    assert "was breach and is now compliant" in words.summary and "£70.00" in words.summary
    assert not any(f"W0000{w}" in words.summary + str(words.facts) for w in RATES)
    db.engine.dispose()


def test_a_correction_stored_before_the_return_it_corrects_still_shows_what_it_changed(
    reporting_db_url, register, returns, landing_writer, db_rows
):
    """Parallel batch tasks can store a corrected return before the earlier one it corrects: the
    supersede chain follows the received times, not the order of storing, so the evidence is the same."""
    original = landing_writer("june.csv", _june(returns, RATES), "2025-07-05T09:00:00")
    fixed = landing_writer("june-fixed.csv", _june(returns, dict.fromkeys(RATES, "13.50")), "2025-07-20T09:00:00")
    db = open_database(reporting_db_url)
    try:
        for path in (fixed, original):  # the correction first
            run_pipeline(register, landing_writer.folder, db, as_of=AS_OF, paths=[path])
        subs = db_rows(
            db.engine, "SELECT submission_id, file_name, status, supersedes_submission_id FROM v_submissions"
        )
        by_name = {r["file_name"]: r for r in subs}
        assert by_name["june-fixed.csv"]["status"] == "accepted"
        assert by_name["june.csv"]["status"] == "superseded"
        assert by_name["june-fixed.csv"]["supersedes_submission_id"] == by_name["june.csv"]["submission_id"]
        changes = db_rows(
            db.engine,
            "SELECT commitment, previous_submission_id, new_submission_id, previous_status, new_status"
            " FROM v_resubmission_changes ORDER BY commitment",
        )
        assert [(c["commitment"], c["previous_status"], c["new_status"]) for c in changes] == [
            ("real_living_wage", "breach", "compliant"),
            ("statutory_minimum_wage", "breach", "compliant"),
        ]
        assert {(c["previous_submission_id"], c["new_submission_id"]) for c in changes} == {
            (by_name["june.csv"]["submission_id"], by_name["june-fixed.csv"]["submission_id"])
        }
    finally:
        db.engine.dispose()
