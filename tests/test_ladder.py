"""The enforcement ladder: every rule, allowed and refused, with the rule quoted."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import case_data

from noticegen.cases import Case
from noticegen.rules import StepRefused, compliance_due, next_steps, require

# The fixture NOV below is mailed Wed Nov 4, 2026: presumed served Sat Nov 7 (+3 days);
# TB-34-2 (weeds) allows 7 days: Sat Nov 14, a weekend, rolls to Mon Nov 16.
NOV = {"action": "nov", "on": "2026-11-04 09:00", "method": "certified_mail",
       "recipients": ["owner"]}
DUE = date(2026, 11, 16)


def make(history=(), **changes) -> Case:
    data = case_data()
    data["history"] = [*data["history"], *history]
    data.update(changes)
    return Case.model_validate(data)


def steps(case: Case, repo_project, as_of=date(2026, 11, 10)) -> dict:
    return {s.name: s for s in next_steps(case, repo_project.catalog, repo_project.settings,
                                          as_of)}


def refused(case: Case, repo_project, name: str, rule: str, as_of=date(2026, 11, 10)) -> None:
    step = steps(case, repo_project, as_of)[name]
    assert not step.allowed, step
    assert any(rule in reason for reason in step.reasons), step.reasons


def allowed(case: Case, repo_project, name: str, as_of=date(2026, 11, 10)) -> None:
    step = steps(case, repo_project, as_of)[name]
    assert step.allowed, step.reasons


def test_fresh_case_allows_warning_and_nov(repo_project):
    case = make()
    allowed(case, repo_project, "warning")
    allowed(case, repo_project, "nov")


def test_warning_refused_once_an_nov_was_issued(repo_project):
    refused(make([NOV]), repo_project, "warning", "VIII.A.1")


def test_nothing_but_closure_papers_after_closure(repo_project):
    closure = {"reason": "voluntary_compliance", "on": "2026-11-20",
               "resolution": "The yard was mowed."}
    case = make([NOV], closure=closure)
    for name in ("warning", "nov", "vca", "citation", "stop-work", "follow-up"):
        refused(case, repo_project, name, "XIII.B")
    allowed(case, repo_project, "closure")


def test_no_violation_means_no_notice(repo_project):
    data = case_data()
    data["violations"] = []
    data["history"] = []
    case = Case.model_validate(data)
    refused(case, repo_project, "warning", "VII.A")
    refused(case, repo_project, "nov", "VII.A")


def test_nov_needs_a_photo_of_each_visible_violation(repo_project):
    data = case_data()
    data["violations"][0]["photos"] = []
    refused(Case.model_validate(data), repo_project, "nov", "VIII.B.2.d")
    data["violations"][0]["photo_override"] = "Owner's dog prevented photography; see report."
    allowed(Case.model_validate(data), repo_project, "nov")


def test_nov_needs_no_photo_of_noise(repo_project):
    data = case_data()
    data["violations"][0].update(ordinance="TB-34-20", photos=[])
    allowed(Case.model_validate(data), repo_project, "nov")


def test_vca_only_after_an_nov(repo_project):
    refused(make(), repo_project, "vca", "VIII.C.2")


REQUEST = {"action": "vca_request", "on": "2026-11-06", "admitted": True,
           "extended_until": "2026-12-15"}


def test_vca_allowed_after_nov_and_admission(repo_project):
    allowed(make([NOV, REQUEST]), repo_project, "vca")


def test_vca_needs_a_request(repo_project):
    refused(make([NOV]), repo_project, "vca", "appear before the Chief of Police")


def test_vca_needs_an_admission(repo_project):
    refused(make([NOV, {**REQUEST, "admitted": False}]), repo_project, "vca", "admits")


def test_vca_refused_for_a_repeat_offense(repo_project):
    prior = {"case_number": "CE-2025-0031", "ordinance": "TB-34-2", "on": "2025-06-02",
             "corrected": True}
    case = make([NOV, REQUEST], prior_violations=[prior])
    refused(case, repo_project, "vca", "repeat offense (prior case CE-2025-0031")


def test_vca_refused_for_an_uncorrected_prior_violation(repo_project):
    prior = {"case_number": "CE-2025-0031", "ordinance": "TB-34-3", "on": "2025-06-02",
             "corrected": False}
    case = make([NOV, REQUEST], prior_violations=[prior])
    refused(case, repo_project, "vca", "original violation was not corrected")


def test_vca_extension_must_follow_the_original_deadline(repo_project):
    case = make([NOV, {**REQUEST, "extended_until": "2026-11-16"}])
    refused(case, repo_project, "vca", "must fall after the NOV's deadline (November 16, 2026)")


def test_vca_extension_within_the_agency_maximum(repo_project):
    # 60 days after Mon Nov 16, 2026 is Fri Jan 15, 2027.
    allowed(make([NOV, {**REQUEST, "extended_until": "2027-01-15"}]), repo_project, "vca")
    case = make([NOV, {**REQUEST, "extended_until": "2027-01-16"}])
    refused(case, repo_project, "vca", "agency maximum of 60 days")


def test_vca_not_entered_twice(repo_project):
    entered = {"action": "vca", "on": "2026-11-07", "admitted": True,
               "extended_until": "2026-12-15"}
    refused(make([NOV, REQUEST, entered]), repo_project, "vca", "already entered")


def test_follow_up_due_only_after_the_deadline(repo_project):
    case = make([NOV])
    refused(case, repo_project, "follow-up", "has not yet expired", as_of=DUE)
    allowed(case, repo_project, "follow-up", as_of=date(2026, 11, 17))


def test_citation_needs_an_nov(repo_project):
    refused(make(), repo_project, "citation", "VIII.D.1", as_of=date(2026, 12, 1))


def test_citation_waits_for_the_compliance_date(repo_project):
    follow = {"action": "follow_up", "on": "2026-11-16", "result": "not_corrected"}
    refused(make([NOV, follow]), repo_project, "citation", "VIII.D.2", as_of=DUE)


def test_citation_needs_a_follow_up_after_the_deadline(repo_project):
    early = {"action": "follow_up", "on": "2026-11-12", "result": "not_corrected"}
    refused(make([NOV, early]), repo_project, "citation", "in-person follow-up",
            as_of=date(2026, 11, 20))


def test_citation_refused_when_the_follow_up_found_compliance(repo_project):
    follow = {"action": "follow_up", "on": "2026-11-17", "result": "corrected"}
    refused(make([NOV, follow]), repo_project, "citation", "VIII.D.3", as_of=date(2026, 11, 20))


@pytest.mark.parametrize("result", ["not_corrected", "partially_corrected", "no_contact"])
def test_citation_allowed_after_a_failed_follow_up(repo_project, result):
    follow = {"action": "follow_up", "on": "2026-11-17", "result": result}
    allowed(make([NOV, follow]), repo_project, "citation", as_of=date(2026, 11, 20))


def test_a_vca_moves_the_compliance_date(repo_project):
    entered = {"action": "vca", "on": "2026-11-07", "admitted": True,
               "extended_until": "2026-12-15"}
    case = make([NOV, REQUEST, entered])
    assert compliance_due(case, repo_project.catalog, repo_project.settings) == date(2026, 12, 15)
    follow = {"action": "follow_up", "on": "2026-11-17", "result": "not_corrected"}
    refused(make([NOV, REQUEST, entered, follow]), repo_project, "citation",
            "December 15, 2026", as_of=date(2026, 11, 20))


def _citation(day: str) -> dict:
    return {"action": "citation", "on": day, "violations": ["v1"]}


def test_referral_after_the_third_citation_still_uncorrected(repo_project):
    follow = {"action": "follow_up", "on": "2027-01-20", "result": "not_corrected"}
    cites = [_citation("2026-11-20"), _citation("2026-12-10"), _citation("2027-01-05")]
    later = date(2027, 2, 1)
    allowed(make([NOV, *cites, follow]), repo_project, "referral", as_of=later)
    refused(make([NOV, *cites]), repo_project, "referral", "XIII.A.2", as_of=later)
    refused(make([NOV, *cites[:2], follow]), repo_project, "referral", "2 citation(s)",
            as_of=later)


def test_referral_for_an_imminent_threat(repo_project):
    data = case_data()
    data["violations"][0]["ordinance"] = "TB-50-40"
    allowed(Case.model_validate(data), repo_project, "referral")


def test_stop_work_only_for_work_without_a_permit(repo_project):
    refused(make(), repo_project, "stop-work", "X.A.1")
    data = case_data()
    data["violations"][0]["ordinance"] = "TB-14-2"
    allowed(Case.model_validate(data), repo_project, "stop-work")


CLOSED = {"reason": "voluntary_compliance", "on": "2026-11-20",
          "resolution": "The owner mowed the yard."}


def test_closure_letter_needs_a_closed_file(repo_project):
    refused(make(), repo_project, "closure", "XIII.B")
    allowed(make(closure=CLOSED), repo_project, "closure")


def test_closure_letter_needs_a_reachable_named_complainant(repo_project):
    refused(make(closure=CLOSED, complainant={"anonymous": True}), repo_project, "closure",
            "anonymous")
    phone_only = {"name": "Margaret Ellison", "phone": "(903) 555-0147"}
    refused(make(closure=CLOSED, complainant=phone_only), repo_project, "closure",
            "mailing address or email")
    email = {"name": "Margaret Ellison", "email": "m.ellison@example.com"}
    allowed(make(closure=CLOSED, complainant=email), repo_project, "closure")
    staff = make(closure=CLOSED, complainant=None,
                 complaint={**case_data()["complaint"], "source": "staff_observation"})
    refused(staff, repo_project, "closure", "has none")


def test_field_report_needs_a_site_visit(repo_project):
    refused(make(), repo_project, "field-report", "VII.D.3")
    visit = {"at": "2026-11-03 10:15", "place": "512 N Britton St, from the sidewalk",
             "conditions": "Grass about 18 inches tall.", "recommended_action": "Warning notice"}
    allowed(make(site_visits=[visit]), repo_project, "field-report")


def test_require_raises_with_the_rules_quoted(repo_project):
    with pytest.raises(StepRefused) as caught:
        require("citation", make(), repo_project.catalog, repo_project.settings, date(2026, 12, 1))
    assert "VIII.D.1" in str(caught.value)
    assert "noticegen next" in str(caught.value)


def test_history_after_the_as_of_date_is_not_yet_known(repo_project):
    case = make([NOV])
    allowed(case, repo_project, "warning", as_of=date(2026, 11, 3))
    refused(case, repo_project, "warning", "VIII.A.1", as_of=date(2026, 11, 4))
