"""Capacity figures read sentence by sentence, converted to MW."""

import pytest

from extractors.capacity import find_capacity, parse_capacity


@pytest.mark.parametrize(
    ("text", "mw"),
    [
        ("the 70 MW site in Paraguay", 70),
        ("a 70-megawatt facility", 70),
        ("a partially built 150-MW campus", 150),
        ("1.1 GW of power", 1100),
        ("1.3 gigawatts of data-centre capacity", 1300),
        ("200 megawatts of critical IT load", 200),
        ("a 120MW data center", 120),
        ("access to 2,000 MW of power", 2000),
        ("up to 13 megawatts of electricity", 13),
    ],
)
def test_capacity_reads_mw(text, mw):
    assert parse_capacity(text) == pytest.approx(mw)


@pytest.mark.parametrize(
    "text",
    [
        "lifting its total capacity to 850 MW",
        "a development pipeline of 3 GW",
        "its fleet-wide 1.2 GW portfolio",
        "an expansion of 150 megawatts next year",
        "after expanding the site by 100 MW",
        "raising capacity to 2.5 GW worldwide",
    ],
)
def test_capacity_marks_fleet_totals_and_plans_as_aside(text):
    assert all(c.aside for c in find_capacity(text))


@pytest.mark.parametrize("text", ["40 MWh of storage", "5 EH/s of hashrate", "a MW-scale plan", ""])
def test_capacity_ignores_energy_and_hashrate(text):
    assert find_capacity(text) == []
