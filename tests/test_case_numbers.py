"""Case numbers the service gives (directive VI.A): each new, counting on from the highest of
the year on record, whoever files at the same moment."""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from noticegen.errors import NoticegenError
from noticegen.service.complaints import ComplaintForm, file_complaint, following

NUMBER = re.compile(r"^CE-2026-(\d{4,5})$")


@given(st.lists(st.tuples(st.sampled_from(["CE", "CEX", "PW"]), st.sampled_from([2025, 2026]),
                          st.integers(1, 99_998))))
def test_the_next_number_is_past_every_one_of_its_year_and_prefix(taken):
    numbers = [f"{prefix}-{year}-{serial:04d}" for prefix, year, serial in taken]
    found = following(numbers, "CE-2026-")
    assert found not in numbers
    serial = int(NUMBER.match(found).group(1))
    mine = [s for p, y, s in taken if (p, y) == ("CE", 2026)]
    assert serial == max(mine, default=0) + 1


def test_the_last_number_of_a_year_is_refused_not_overflowed():
    with pytest.raises(NoticegenError, match="used up"):
        following(["CE-2026-99999"], "CE-2026-")


def _form(n: int) -> ComplaintForm:
    return ComplaintForm(address=f"{n} N Britton St", seen="Tall grass and weeds",
                         seen_on="2026-12-01", name=f"Person {n}", phone="(903) 555-0100")


def test_complaints_filed_at_once_get_distinct_consecutive_numbers(app):
    app = dataclasses.replace(app, actor="public")
    with ThreadPoolExecutor(4) as pool:
        filed = list(pool.map(lambda n: file_complaint(app, _form(n), [], f"10.0.0.{n}"),
                              range(12)))
    numbers = sorted(int(NUMBER.match(f.case_number).group(1)) for f in filed)
    first = numbers[0]
    assert numbers == list(range(first, first + 12))
    assert len({f.token for f in filed}) == 12
