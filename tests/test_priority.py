"""Priority (directive III.A, III.B, III.E): rank, reasons, and batch order."""

from __future__ import annotations

from conftest import case_data

from noticegen.cases import Case
from noticegen.rules import batch_order, rank


def make(number: str, ordinance: str = "TB-34-2", received: str = "2026-11-01",
         **changes) -> Case:
    data = case_data()
    data["case_number"] = number
    data["complaint"] = {**data["complaint"], "received": received}
    data["violations"][0]["ordinance"] = ordinance
    data.update(changes)
    return Case.model_validate(data)


def test_priority_class_is_the_most_serious_violation(repo_project):
    data = case_data()
    second = {**data["violations"][0], "id": "v2", "ordinance": "TB-50-40"}
    case = make("CE-2026-0002", violations=[data["violations"][0], second])
    priority = rank(case, repo_project.catalog)
    assert priority.tier == 1
    assert any(r.startswith("III.A.1: violation presents an imminent threat") for r in
               priority.reasons)


def test_multiple_complainants_is_class_six(repo_project):
    case = make("CE-2026-0003", complaint={**case_data()["complaint"], "complainants": 3})
    priority = rank(case, repo_project.catalog)
    assert priority.tier == 6
    assert "III.E: multiple complaints" in " ".join(priority.reasons)


def test_aggravating_circumstances_raise_a_non_priority_case(repo_project):
    plain = rank(make("CE-2026-0004"), repo_project.catalog)
    assert plain.tier == 8 and plain.label == "Non-priority"
    raised = rank(make("CE-2026-0005", aggravating=["flagrant_visible"]), repo_project.catalog)
    assert raised.tier == 7
    assert "readily visible to non-residents" in " ".join(raised.reasons)


def test_prior_violations_count_as_habitual(repo_project):
    prior = {"case_number": "CE-2025-0031", "ordinance": "TB-34-2", "on": "2025-06-02",
             "corrected": True}
    priority = rank(make("CE-2026-0006", prior_violations=[prior]), repo_project.catalog)
    assert "habitual" in priority.aggravating


def test_batch_order_is_priority_then_complaint_date(repo_project):
    late_threat = make("CE-2026-0010", "TB-50-40", received="2026-11-10")
    early_plain = make("CE-2026-0011", received="2026-10-01")
    later_plain = make("CE-2026-0012", received="2026-10-15")
    zoning = make("CE-2026-0013", "TB-98-20", received="2026-11-12")
    raised = make("CE-2026-0014", received="2026-11-15", aggravating=["deliberate"])
    ordered = batch_order([later_plain, raised, zoning, early_plain, late_threat],
                          repo_project.catalog)
    assert [c.case_number for c in ordered] == [
        "CE-2026-0010", "CE-2026-0013", "CE-2026-0014", "CE-2026-0011", "CE-2026-0012"]
