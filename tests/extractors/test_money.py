"""Money amounts read sentence by sentence."""

import pytest

from extractors.money import find_money, parse_money, sum_plus_chain


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("The miner agreed to pay $30 million for the site.", 30_000_000, "USD"),
        ("a transaction valued at US$1.09B including debt", 1_090_000_000, "USD"),
        ("for $212.5-million in cash", 212_500_000, "USD"),
        ("for C$62.75 million (~US$46 million)", 62_750_000, "CAD"),
        ("a consideration of A$2.0m", 2_000_000, "AUD"),
        ("the plant sold for €45 million", 45_000_000, "EUR"),
        ("a £1.2bn takeover", 1_200_000_000, "GBP"),
        ("the $87.3M purchase", 87_300_000, "USD"),
        ("about $437K per megawatt", 437_000, "USD"),
        ("a price of $9,480,000 in total", 9_480_000, "USD"),
        ("for 40 million Canadian dollars", 40_000_000, "CAD"),
        ("between $15 million and $20 million", 15_000_000, "USD"),
        ("a $3.6 billion all-stock deal", 3_600_000_000, "USD"),
    ],
)
def test_money_reads_amount_and_currency(text, amount, currency):
    money = parse_money(text)
    assert money is not None
    assert money.amount == pytest.approx(amount)
    assert money.currency == currency


@pytest.mark.parametrize(
    "text",
    ["a hashprice of $17 per terahash", "costs of $400,000 per MW", "at $1,950 an ounce",
     "between $950 and $1,000 per ounce", "trading at $16.50 a share"],
)
def test_money_marks_rates_as_per_unit(text):
    assert all(m.per_unit for m in find_money(text))


@pytest.mark.parametrize(
    ("text", "amount"), [("$10-$20 million", 20_000_000), ("$5 to $7 million", 7_000_000)],
)
def test_money_reads_range_as_its_upper_bound(text, amount):
    assert parse_money(text).amount == pytest.approx(amount)


def test_money_reads_up_to_as_qualifier():
    money = parse_money("Bitfarms may receive up to $21 million in milestone payments")
    assert money.qualifier == "up to"
    assert money.amount == 21_000_000


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("US$500 million plus up to an additional US$25 million tied to copper prices", 525_000_000),
        ("$9 million, plus up to an additional $21 million in milestones", 30_000_000),
        ("$40 million, plus approximately $7 million in deposit refunds and $3 million in other costs",
         50_000_000),
        ("$12 million and a $3 million loan", 12_000_000),
    ],
)
def test_money_sums_plus_chain(text, total):
    moneys = find_money(text)
    assert sum_plus_chain(text, moneys, moneys[0])[0] == pytest.approx(total)


@pytest.mark.parametrize("text", ["", "no figures here", "8.7% higher", "2,805 BTC", "in 2024 and 2025"])
def test_money_finds_nothing_without_currency(text):
    assert find_money(text) == []
