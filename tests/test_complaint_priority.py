"""A complaint's priority before a case is made of it (directive III.A.6): several
complainants about one property raise it; one person complaining twice, or a complaint not
accepted, does not."""

from __future__ import annotations

import dataclasses

from noticegen.service.complaints import (
    ComplaintForm,
    Decide,
    complaint_queue,
    decide,
    file_complaint,
)


def _file(app, name: str, address: str = "412 N Britton St") -> str:
    form = ComplaintForm(address=address, seen="Tall grass", seen_on="2026-12-01", name=name,
                         phone="(903) 555-0100")
    return file_complaint(dataclasses.replace(app, actor="public"), form, [],
                          "10.0.0.1").case_number


def _tiers(app) -> dict[str, int]:
    return {r.case_number: r.priority.tier for r in complaint_queue(app)}


def test_two_complainants_about_one_property_make_it_priority_6(app):
    first = _file(app, "Ann Lee")
    again = _file(app, "Ann Lee", "412 n. britton st")
    assert _tiers(app)[first] == _tiers(app)[again] == 8  # one person, twice
    other = _file(app, "Bo Diaz", "412 N Britton St.")
    tiers = _tiers(app)
    assert tiers[first] == tiers[again] == tiers[other] == 6
    assert any("2 complainants" in r for r in
               next(x for x in complaint_queue(app) if x.case_number == other).priority.reasons)


def test_a_complaint_not_accepted_does_not_count(app):
    first = _file(app, "Ann Lee")
    refused = _file(app, "Bo Diaz")
    decide(dataclasses.replace(app, actor="mo.manager"), refused,
           Decide(accept=False, reason="retaliatory"))
    assert _tiers(app)[first] == 8
