"""The benchmark runs end to end on a small corpus and prints every figure it promises (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.accuracy import planted_accuracy

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_prints_each_stage_and_target(tmp_path):
    result = subprocess.run([sys.executable, "bench/run.py", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout.lower()
    for figure in ("fetch", "parse", "extract", "load", "end to end", "raw", "rss", "re-poll"):
        assert figure in out, figure
    results = json.loads((tmp_path / "results.json").read_text())
    # The planted deals are scored from what the run stored: ~40 of them in 200 documents, nearly all read right.
    accuracy = results["accuracy"]
    assert accuracy["planted"] == results["planted_deals"] > 10
    assert accuracy["f1"] >= 0.9 and accuracy["mentions_in_documents_without_deals"] == 0
    assert "planted deals recovered" in out
    # The load ratio is also measured with the loads replayed beside raw passes, alternated.
    replayed = results["load_floor"]["deal_evidence"]["replayed"]
    assert len(replayed["ratios"]) == 3 and all(r > 0 for r in replayed["ratios"])
    assert "replayed on a copy of the warehouse" in out
    _replay_loads_what_the_run_loaded(tmp_path / "bench.duckdb", tmp_path)


def _replay_loads_what_the_run_loaded(warehouse: Path, work: Path) -> None:
    """A replay measures the run's loads only if it writes what they wrote: the same evidence, deals and log."""
    import duckdb

    from bench.replay import before_loads, replay_loads, stored_deals
    from flows.settings import Settings

    snapshot, scratch = work / "before.duckdb", work / "again.duckdb"
    before_loads(warehouse, snapshot)
    assert replay_loads(Settings(warehouse_path=warehouse), snapshot, scratch, stored_deals(warehouse)) > 0

    def written(path: Path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            return (sorted(con.execute("SELECT evidence_id, deal_id, doc_id, buyer, seller, asset FROM deal_evidence")
                           .fetchall()),
                    con.execute("SELECT sum(documents), sum(mentions) FROM extraction_batches").fetchone())
        finally:
            con.close()

    evidence, logged = written(scratch)
    assert evidence and (evidence, logged) == written(warehouse)


def test_planted_accuracy_scores_what_the_warehouse_stored(tmp_path):
    """A warehouse that stored one planted deal right, one with the wrong buyer, and a mention nobody planted."""
    import duckdb

    from warehouse import init_warehouse, open_warehouse

    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as engine:
        init_warehouse(engine)
    planted = {"deal_type": "lease", "seller": "IREN", "buyer": "Tamsin Hosting", "asset": "Ridgeway",
               "capacity_mw": 60.0, "price_usd": 48e6, "country": "Norway", "region": None}
    (tmp_path / "planted.jsonl").write_text(
        json.dumps({"path": "bench/a.html", "deals": [planted]}) + "\n"
        + json.dumps({"path": "bench/b.html", "deals": [planted]}) + "\n")
    con = duckdb.connect(str(path))
    for doc, url, buyer in (("a", "bench/a.html", "Tamsin Hosting Inc."), ("b", "bench/b.html", "Ridgeway"),
                            ("c", "bench/c.html", "Orrin")):
        con.execute("INSERT INTO documents (doc_id, key, url, content_hash, text, kind) VALUES (?, ?, ?, ?, 'x', "
                    "'article')", [doc, url, f"http://127.0.0.1:1/{url}", doc])
        con.execute("INSERT INTO deal_evidence (evidence_id, deal_id, doc_id, sentence, extractor_version, deal_type, "
                    "confidence, buyer, seller, capacity_mw, price_usd, country) "
                    "VALUES (?, ?, ?, 'x', 'test', 'lease', 1, ?, 'IREN', 60, 48e6, 'Norway')", [doc, doc, doc, buyer])
    con.close()
    result = planted_accuracy(path, tmp_path / "planted.jsonl")
    assert (result["tp"], result["fp"], result["fn"]) == (9, 1, 1)
    assert result["mentions_in_documents_without_deals"] == 1 and result["planted"] == 2


def test_asset_score_counts_asset_agreement_on_paired_deals(tmp_path, capsys):
    from bench.asset_score import main

    # A stand-in for ../shared/eval/score.py with the three functions the script uses: pairs by buyer.
    scorer = tmp_path / "score.py"
    scorer.write_text(
        "def same_org(a, b):\n    return a.lower().removesuffix(' inc.') == b.lower().removesuffix(' inc.')\n"
        "def match_deals(gold, pred):\n"
        "    return [(g, p) for g in range(len(gold)) for p in range(len(pred)) if gold[g]['buyer'] == pred[p]['buyer']]\n"
        "def prf(tp, fp, fn):\n"
        "    p, r = tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0\n"
        "    return p, r, 2 * p * r / (p + r) if p + r else 0.0\n")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(json.dumps({"doc": "a", "deals": [
        {"buyer": "X", "asset": "Red Mesa campus"}, {"buyer": "Y", "asset": None}, {"buyer": "Z", "asset": "Oak site"}]}))
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"doc": "a", "deals": [
        {"buyer": "X", "asset": "red mesa campus"}, {"buyer": "Y", "asset": "agreements"}, {"buyer": "Z", "asset": None}]}))
    assert main([str(scorer), str(gold), str(preds), "--list"]) == 0
    out = capsys.readouterr().out
    assert "tp 1 fp 1 fn 1" in out  # X agrees; Y's asset is invented; Z's is missed
    assert "'agreements'" in out and "'Oak site'" in out


def test_main_text_bench_prints_our_parser_and_trafilatura_side_by_side():
    result = subprocess.run([sys.executable, "bench/main_text.py"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    header, *_ = result.stdout.splitlines()
    assert "ours" in header and "trafilatura" in header
    for row in ("outlet/reuters", "outlet/miningweekly", "mean, sample site", "mean, outlet pages", "ms per page"):
        assert row in result.stdout, row


def test_main_text_keeps_every_sentence_of_the_story_in_each_outlet_structure():
    from bench.main_text import measure, ours

    pages = measure({"ours": ours}, repeat=1)["ours"]["pages"]
    assert len(pages) >= 28
    lost = {page: round(recall, 3) for page, (_, recall, _) in pages.items() if recall < 1.0}
    assert not lost, lost
    outlet_f1 = [f1 for page, (_, _, f1) in pages.items() if page.startswith("outlet/")]
    assert sum(outlet_f1) / len(outlet_f1) >= 0.85  # boilerplate kept stays a minority of what is read
