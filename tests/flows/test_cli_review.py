"""Human review: a queue by confidence, decisions kept in `corrections` and applied by the views, surviving a
re-extraction. Runs the real CLI on a copy of the demo's warehouse."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.flows.test_cli import run


@pytest.fixture(scope="module")
def reviewed(demo_warehouse, tmp_path_factory):
    """A copy of the demo's warehouse (reviews write)."""
    path = tmp_path_factory.mktemp("review") / "minewire.duckdb"
    shutil.copy(demo_warehouse, path)
    return path


def _query(path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _deal(path, where: str) -> str:
    return _query(path, f"SELECT deal_id FROM deals WHERE {where}")[0][0]


def _review(path, *args: str, env: dict | None = None):
    return run("-w", str(path), "review", *args, env=env)


def test_cli_review_lists_every_deal_least_confident_first(reviewed):
    result = _review(reviewed, "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    confidences = [d["confidence"] for d in listed]
    assert confidences == sorted(confidences) and len(listed) == _query(reviewed, "SELECT count(*) FROM deals")[0][0]
    assert {"deal_id", "review", "seller", "buyer"} <= set(listed[0])


def test_cli_review_set_applies_over_extracted_values_with_who_when_why(reviewed):
    deal_id = _deal(reviewed, "asset LIKE '%Paso Pe%'")
    result = _review(reviewed, deal_id, "--set", "capacity_mw=75", "--set", "region=Alto Paraná",
                     "--note", "the 6-K says 75 MW", env={"MINEWIRE_REVIEWER": "ana"})
    assert result.returncode == 0, result.stderr
    row = _query(reviewed, "SELECT capacity_mw, region, usd_per_mw, review FROM deal_tracker WHERE deal_id = ?",
                 [deal_id])[0]
    assert row == (75.0, "Alto Paraná", 400000.0, "corrected")
    stored = _query(reviewed, "SELECT action, field, value, note, reviewer, decided_at FROM corrections "
                              "WHERE deal_id = ? ORDER BY field", [deal_id])
    assert [(a, f, v, n, r) for a, f, v, n, r, _ in stored] == [
        ("set", "capacity_mw", "75", "the 6-K says 75 MW", "ana"),
        ("set", "region", "Alto Paraná", "the 6-K says 75 MW", "ana")]
    assert all(when is not None for *_, when in stored)
    # the extracted mentions are untouched: the correction lies over them
    assert {mw for (mw,) in _query(reviewed, "SELECT capacity_mw FROM deal_evidence WHERE deal_id = ?", [deal_id])} \
        == {70.0}
    shown = run("-w", str(reviewed), "show", deal_id)
    assert "set by ana" in shown.stdout and "the 6-K says 75 MW" in shown.stdout


def test_cli_review_reject_drops_the_deal_from_the_tracker_and_accept_leaves_the_queue(reviewed):
    rejected = _deal(reviewed, "asset = 'Filo Corp.'")
    accepted = _deal(reviewed, "buyer LIKE 'Microsoft%'")
    assert _review(reviewed, rejected, "--reject", "--note", "a takeover of a company, not a site").returncode == 0
    assert _review(reviewed, accepted, "--accept").returncode == 0
    tracker = {i for (i,) in _query(reviewed, "SELECT deal_id FROM deal_tracker")}
    assert rejected not in tracker and accepted in tracker
    assert _query(reviewed, "SELECT review FROM deals WHERE deal_id = ?", [rejected]) == [("rejected",)]
    queue = {d["deal_id"] for d in json.loads(_review(reviewed, "--format", "json").stdout)}
    assert rejected not in queue and accepted not in queue
    everything = json.loads(_review(reviewed, "--all", "--format", "json").stdout)
    assert {d["deal_id"]: d["review"] for d in everything if d["review"] in ("accepted", "rejected")} == {
        rejected: "rejected", accepted: "accepted"}


@pytest.mark.parametrize("args, says, code", [
    (("0000000000000000", "--accept"), "no deal with id", 1),
    (("{deal}", "--set", "colour=blue"), "--set takes field=value", 1),
    (("{deal}", "--set", "capacity_mw=lots"), "not a number", 1),
    (("{deal}", "--accept", "--reject"), "one of", 2),  # the command used wrongly: a usage error
    (("{deal}",), "one of", 2),
])
def test_cli_review_refuses_bad_decisions_in_one_line(reviewed, args, says, code):
    deal_id = _deal(reviewed, "asset LIKE '%Paso Pe%'")
    before = _query(reviewed, "SELECT count(*) FROM corrections")[0][0]
    result = _review(reviewed, *(a.replace("{deal}", deal_id) for a in args))
    assert result.returncode == code, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert _query(reviewed, "SELECT count(*) FROM corrections")[0][0] == before


def test_cli_review_decisions_survive_reextraction(reviewed):
    paso = _deal(reviewed, "asset LIKE '%Paso Pe%'")
    assert _review(reviewed, paso, "--set", "price_usd=31000000").returncode == 0
    before = _query(reviewed, "SELECT deal_id, capacity_mw, region, price_usd, review FROM deals ORDER BY 1")
    result = run("-w", str(reviewed), "reextract", env={"MINEWIRE_EXTRACT_PROCESSES": "1"})
    assert result.returncode == 0, result.stderr
    assert "re-extracted" in result.stdout
    assert _query(reviewed, "SELECT deal_id, capacity_mw, region, price_usd, review FROM deals ORDER BY 1") == before
    assert _query(reviewed, "SELECT capacity_mw, price_usd FROM deal_tracker WHERE deal_id = ?", [paso]) == [
        (75.0, 31e6)]


def test_cli_report_marks_reviewed_deals_and_leaves_out_rejected_ones(reviewed, tmp_path):
    paso = _deal(reviewed, "asset LIKE '%Paso Pe%'")
    rejected = _deal(reviewed, "review = 'rejected'")
    out = tmp_path / "report.html"
    assert run("-w", str(reviewed), "report", "--out", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    row = html[html.index(f'href="#deal-{paso}"') - 200:html.index(f'href="#deal-{paso}"')]
    assert 'class="reviewed corrected"' in row
    assert f"deal-{rejected}" not in html


def test_cli_review_lists_the_deals_of_a_file_older_than_reviews(tmp_path):
    # The list failed on a file from before the corrections table until some write had upgraded it.
    from tests.warehouse.test_schema import _v1_file

    path = tmp_path / "old.duckdb"
    _v1_file(path, "INSERT INTO deal_evidence (evidence_id, deal_id, doc_id, sentence, extractor_version, deal_type, "
                   "seller, buyer, capacity_mw, confidence) VALUES ('old0deal', 'old0deal', '0123456789abcdef', "
                   "'An old sentence.', '0.1.0', 'asset_sale', 'Garnet Power', 'Pember Mining', 40, 0.6)")
    listed = run("-w", str(path), "review")
    assert listed.returncode == 0, listed.stderr
    assert "old0deal" in listed.stdout and "Pember Mining" in listed.stdout
