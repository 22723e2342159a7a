"""Turn the bench's measurements into plain figures, and print them with the targets from issue 6."""

from __future__ import annotations

import platform


def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def _stage(name: str, seconds: float, cpu_s: float, docs: int, words_per_doc: float, note: str = "",
           rows: int | None = None) -> dict:
    row = {"stage": name, "seconds": round(seconds, 3), "cpu_s": round(cpu_s, 3), "docs": docs,
           "docs_per_s": round(_rate(docs, seconds), 1), "words_per_s": round(_rate(docs * words_per_doc, seconds)),
           "docs_per_cpu_s": round(_rate(docs, cpu_s), 1), "note": note}
    if rows is not None:
        row.update(rows=rows, rows_per_s=round(_rate(rows, seconds), 1))
    return row


def summarise(args, f: dict) -> dict:
    """Every figure of one bench run as JSON-ready values."""
    corpus, run = f["corpus"], f["run"]
    out = {"docs": corpus.documents, "sources": len(corpus.sources), "words": corpus.words,
           "planted_deals": corpus.planted_deals, "stored": run.stored, "failures": run.failures,
           "mentions": run.mentions, "requests": f["requests"], "stages": _stages(corpus, run),
           "memory": {**f["memory"], **{k: round(v) for k, v in run.rss_mb.items()}},
           "model": f["model"], "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}"}
    if f["raw_model"] is not None:
        out["raw_model"] = _raw_model(run, f["raw_model"])
    out["load_floor"] = _load_floors(f, corpus, run)
    out["repoll"] = _repoll(f["repoll"])
    out["accuracy"] = f["accuracy"]
    if "prefect" in f:
        out["prefect"] = f["prefect"]
    return out


def _stages(corpus, run) -> list[dict]:
    wpd = corpus.words / max(corpus.documents, 1)
    return [
        _stage("fetch", run.fetch_s, run.fetch_cpu_s, run.poll.docs, wpd, "poll time minus parse CPU"),
        _stage("parse", run.parse.seconds, run.parse.seconds, run.parse.docs, wpd,
               f"thread CPU in parse_article/read_feed, {run.parse.calls} calls"),
        _stage("store", run.store.seconds, run.store.cpu_s, run.store.docs, wpd, "documents, fetch log, cursors",
               run.store.rows),
        _stage("extract", run.extract.seconds, run.extract.cpu_s, run.extract.docs, wpd,
               f"model load {run.model_load_s:.1f} s apart; workers also key mentions for the load"),
        _stage("load", run.load.seconds, run.load.cpu_s, run.load.docs, wpd,
               f"mentions matched to deals ({run.resolve.seconds:.2f} s CPU of it), inserted; batch logged",
               run.load.rows),
        _stage("end to end", run.total_s, run.total_cpu_s, corpus.documents, wpd,
               f"incl. model load, select ({run.select_s:.1f} s)"),
    ]


def _raw_model(run, raw) -> dict:
    extract_rate = _rate(run.extract.docs, run.extract.seconds)
    return {"sample_docs": raw.measured, "seconds": round(raw.seconds, 2),
                            "docs_per_s": round(raw.per_s, 2), "words_per_s": round(_rate(raw.words, raw.seconds)),
                            "extrapolated_s_for_corpus": round(raw.extrapolated_s, 1),
                            "extraction_speedup": round(extract_rate / raw.per_s, 1),
                            "cpu_s": round(raw.cpu_s, 2),
                            "extraction_speedup_cpu": round(_rate(run.extract.docs, run.extract.cpu_s)
                                                            / _rate(raw.measured, raw.cpu_s), 1)}


def _load_floors(f: dict, corpus, run) -> dict:
    floors = {
        name: {"pipeline_rows_per_s": round(_rate(rows, secs), 1), "raw_rows_per_s": round(fl.per_s, 1),
               "raw_seconds": round(fl.seconds, 3), "rows": rows, "batches": batches,
               "raw_rows_per_s_range": [round(_rate(rows, t)) for t in reversed(fl.spread)],
               "ratio": round(_rate(rows, secs) / fl.per_s, 3) if fl.per_s and rows else None,
               "ratio_without_matching": (round(_rate(rows, secs - matching) / fl.per_s, 3)
                                          if fl.per_s and rows and matching else None),
               "raw_reopen_rows_per_s": round(again.per_s, 1),
               "ratio_reopen": round(_rate(rows, secs) / again.per_s, 3) if again.per_s and rows else None}
        for name, rows, secs, matching, batches, fl, again in (
            ("deal_evidence", run.load.rows, run.load.seconds, run.resolve.seconds, len(run.load_batches),
             f["raw_evidence"], f["raw_evidence_reopen"]),
            ("documents", run.stored, run.store.seconds, 0.0, len(corpus.sources), f["raw_documents"],
             f["raw_documents_reopen"]))}
    replay = f.get("replay")
    if replay is not None:
        floors["deal_evidence"]["replayed"] = {
            "ratio": round(replay.ratio, 3), "ratios": [round(x, 3) for x in replay.ratios],
            "load_s": [round(x, 3) for x in replay.load_s], "raw_s": [round(x, 3) for x in replay.raw_s]}
    return floors


def _repoll(r) -> dict:
    return {"sources": r.sources, "requests": r.requests, "not_modified": r.not_modified,
            "rows_written": r.rows_written, "row_delta": r.row_delta, "stored": r.stored,
            "cpu_s": round(r.cpu_s, 3), "server_cpu_s": round(r.server_cpu_s, 3), "wall_s": round(r.wall_s, 3)}


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


def print_report(out: dict) -> None:
    """The figures and, for each target of issue 6, whether this run met it."""
    _print_head(out)
    _print_stages(out["stages"])
    print()
    if out.get("raw_model"):
        _print_raw_model(out["raw_model"], out["docs"])
    for name, lf in out["load_floor"].items():
        _print_load_floor(name, lf)
    _print_memory(out["memory"], out["docs"])
    _print_repoll(out["repoll"])
    if out.get("prefect"):
        _print_prefect(out["prefect"])


def _print_head(out: dict) -> None:
    print(f"\nminewire bench: {out['docs']} documents ({out['words']:,} words) over {out['sources']} feeds; "
          f"model {out['model']}; {out['machine']}")
    print(f"stored {out['stored']} documents, {out['failures']} failures, {out['requests']} HTTP requests; "
          f"{out['mentions']} deal mentions extracted ({out['planted_deals']} deals planted)")
    a = out["accuracy"]
    print(f"planted deals recovered, fields scored as the dev scorer does: P={a['precision']:.3f} R={a['recall']:.3f} "
          f"F1={a['f1']:.3f} over {a['planted']} deals (tp {a['tp']}, fp {a['fp']}, fn {a['fn']}); "
          f"{a['mentions_in_documents_without_deals']} mentions in documents that plant none\n")


def _print_stages(stages: list[dict]) -> None:
    print(f"{'stage':<11}{'wall s':>8}{'CPU s':>8}{'docs':>7}{'docs/s':>9}{'words/s':>11}{'docs/CPU s':>11}"
          f"{'rows/s':>9}  note")
    for s in stages:
        rows = f"{s['rows_per_s']:>9,.0f}" if "rows_per_s" in s else " " * 9
        print(f"{s['stage']:<11}{s['seconds']:>8.2f}{s['cpu_s']:>8.2f}{s['docs']:>7}{s['docs_per_s']:>9,.1f}"
              f"{s['words_per_s']:>11,}{s['docs_per_cpu_s']:>11,.1f}{rows}  {s['note']}")


def _print_raw_model(raw: dict, docs: int) -> None:
    ok = raw["extraction_speedup"] >= 20
    print(f"raw nlp.pipe, full model, whole documents: {raw['docs_per_s']:.2f} docs/s, {raw['words_per_s']:,} "
          f"words/s (measured on {raw['sample_docs']} docs in {raw['seconds']:.1f} s; {docs} docs "
          f"extrapolated: {raw['extrapolated_s_for_corpus']:.0f} s)")
    print(f"  extraction speed-up over it: {raw['extraction_speedup']:.1f}x wall, "
          f"{raw['extraction_speedup_cpu']:.1f}x CPU   target >= 20x: {_verdict(ok)}")


def _print_load_floor(name: str, lf: dict) -> None:
    ok = None if lf["ratio"] is None else lf["ratio"] >= 0.5
    low, high = lf["raw_rows_per_s_range"]
    print(f"load {name}: {lf['pipeline_rows_per_s']:,.0f} rows/s vs raw Arrow insert {lf['raw_rows_per_s']:,.0f}"
          f" rows/s ({lf['rows']} rows in {lf['batches']} batches; median pass, {low:,}-{high:,}): ratio "
          f"{lf['ratio']}   target >= 0.5: {_verdict(ok)}")
    print(f"  (raw insert opening the file per batch: {lf['raw_reopen_rows_per_s']:,.0f} rows/s, ratio "
          f"{lf['ratio_reopen']}" + (f"; leaving out the CPU matching mentions to deals: ratio "
                                     f"{lf['ratio_without_matching']}" if lf.get("ratio_without_matching") else "")
          + ")")
    if lf.get("replayed"):
        rp = lf["replayed"]
        print(f"  the loads replayed on a copy of the warehouse, each beside a raw pass ({len(rp['ratios'])} pairs, "
              f"alternated): ratio {rp['ratio']} (median; pairs {', '.join(map(str, rp['ratios']))})   "
              f"target >= 0.5: {_verdict(rp['ratio'] >= 0.5)}")


def _print_memory(m: dict, docs: int) -> None:
    ok = m["run_peak_rss_mb"] <= 1536 if docs >= 20000 else None
    print(f"peak RSS of the run (this process + extraction workers, sampled): {m['run_peak_rss_mb']:.0f} MB; "
          f"this process alone {m['pipeline_peak_rss_mb']:.0f} MB, whole bench VmHWM "
          f"{m['vm_hwm_mb']:.0f} MB, largest child {m['children_peak_rss_mb']:.0f} MB; high-water mark after "
          f"poll+store {m.get('hwm_after_store', 0):.0f} MB, after extract+load {m.get('hwm_after_load', 0):.0f} MB   "
          f"target <= 1.5 GB at 20,000 docs: {_verdict(ok)}")


def _print_repoll(r: dict) -> None:
    ok = r["rows_written"] == 0 and r["row_delta"] == 0 and r["cpu_s"] < 1.0 * r["sources"] / 50
    print(f"re-poll of {r['sources']} unchanged sources: {r['requests']} requests ({r['not_modified']} x 304), "
          f"{r['rows_written']} rows written (row counts {r['row_delta']:+d}), {r['cpu_s']:.2f} s CPU (the bench's "
          f"own loopback server's {r['server_cpu_s']:.2f} s answering them left out), {r['wall_s']:.2f} s wall   "
          f"target 0 rows, < 1 s CPU per 50 sources: {_verdict(ok)}")


def _print_prefect(p: dict) -> None:
    ok = p["overhead_pct"] < 10
    plains = ", ".join(f"{s:.1f}" for s in p["plain_runs_s"])
    each = ", ".join(f"{o:.1f}%" for o in p["overheads_pct"])
    print(f"under Prefect: {p['prefect_docs_per_s']:.1f} docs/s end to end ({p['prefect_s']:.1f} s, the mean of "
          f"{', '.join(f'{s:.1f}' for s in p['prefect_runs_s'])} s) vs plain {p['plain_docs_per_s']:.1f} docs/s "
          f"(runs alternated with them: {plains} s); Prefect overhead {p['overhead_pct']:.1f}% of the run "
          f"(each Prefect run against the plain runs either side of it: {each}), {p['overhead_cpu_pct']}% of "
          f"its CPU incl. the API server (server start-up {p['server_start_s']:.1f} s apart)   target < 10%: "
          f"{_verdict(ok)}")
    print(f"  plain stored {p['plain']['stored']}, extracted {p['plain']['documents']}; Prefect stored "
          f"{p['prefect']['stored']}, extracted {p['prefect']['documents']}")
