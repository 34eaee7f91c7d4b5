"""The JSON API against its own OpenAPI document, with schemathesis in-process (ASGI): every operation,
with generated paths, queries and bodies and a valid token, never answers 500 and answers what the
document says. Plus what a payroll system sees when it pushes a return."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from portal_support import build_world, csv_bytes
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory, returns):
    root = tmp_path_factory.mktemp("api") / "portal"
    return build_world(root, f"sqlite:///{root / 'gwp.db'}", returns)


def exercise_api(world, max_examples: int = 40) -> list[str]:
    """Every operation of /openapi.json, up to `max_examples` generated requests each, with A's token;
    returns the operations' labels. Raises on a 500 or an answer the document does not describe."""
    api = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    operations = [result.ok() for result in api.get_all_operations()]
    headers = {"Authorization": f"Bearer {world.tokens['a']}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
            )

        exercise()
    return [op.label for op in operations]


def test_no_operation_answers_500_to_a_valid_token(world):
    """Every operation of /openapi.json, up to 40 generated requests each (schemathesis's pytest plugin is
    not used: its fixture loader does not run on this pytest, so operations are driven with hypothesis)."""
    assert set(exercise_api(world)) >= {
        "GET /api/v1/contracts",
        "GET /api/v1/submissions",
        "POST /api/v1/returns",
        "GET /api/v1/templates/{kind}.{fmt}",
    }


def test_the_run_does_catch_a_server_error(world, monkeypatch):
    """The harness is real: an operation that fails inside is caught."""

    def broken(*_args, **_kw):
        raise RuntimeError("boom")

    monkeypatch.setattr("gwp_monitor.portal.data.submissions", broken)
    with pytest.raises(Exception, match="boom"):  # the in-process client raises what the app raised
        exercise_api(world, max_examples=3)


def test_a_payroll_system_pushes_a_return(world, returns):
    client = world.anonymous()
    headers = {"Authorization": f"Bearer {world.tokens['a']}"}
    bad = client.post(
        "/api/v1/returns",
        headers=headers,
        files={"file": ("july.csv", csv_bytes([returns.payroll_row(("2025-07-01", "2025-07-31"), basic_pay="-1")]))},
    )
    body = bad.json()
    assert bad.status_code == 200 and body["accepted"] is False and body["landed_as"] is None
    problem = body["submissions"][0]["problems"][0]
    assert problem["column"] == "basic_pay" and problem["first_rows"] == [2]
    good = client.post(
        "/api/v1/returns",
        headers=headers,
        files={"file": ("july.csv", csv_bytes([returns.payroll_row(("2025-07-01", "2025-07-31"))]))},
    )
    assert (
        good.status_code == 200 and good.json()["accepted"] is True and good.json()["landed_as"].startswith("portal-")
    )
    assert "next scheduled run" in good.json()["next_step"]
    xlsx = client.get("/api/v1/templates/workforce.xlsx", headers=headers)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert client.get("/api/v1/templates/payroll.pdf", headers=headers).status_code == 422
    manager = {"Authorization": f"Bearer {world.tokens['manager']}"}
    assert client.post("/api/v1/returns", headers=manager, files={"file": ("x.csv", b"a\n")}).status_code == 403
