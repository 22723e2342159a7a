"""The run's deal loads again, each beside a raw Arrow insert of the same rows: the load ratio with both sides
measured in the same minute.

The run's own ratio sets loads timed during the run against raw passes timed a minute or more later. On these
machines the raw floor's median moved from 8,400 to 25,900 rows/s between runs, and at 20,000 documents the
same code printed 0.26 and 0.44 in two runs. Here the two alternate, so a slow phase slows both.
"""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench import floors
from extractors import EXTRACTOR_VERSION
from flows import pipeline
from models.records import DealMention
from warehouse import held_warehouse
from warehouse.batch import DealBatch
from warehouse.matching import prepare_mentions
from models.records import DEAL_FIELDS


@dataclass
class Replay:
    """Seconds of each replayed run of loads and of the raw pass beside it, pair by pair."""

    load_s: list[float]
    raw_s: list[float]

    @property
    def ratios(self) -> list[float]:
        return [raw / load for raw, load in zip(self.raw_s, self.load_s)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def stored_deals(warehouse: Path) -> dict[str, list[DealMention]]:
    """The deals the run stored, per document, as extraction returned them (the evidence keeps every field)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(f"SELECT doc_id, {', '.join(DEAL_FIELDS)}, sentence, start_char, end_char, confidence, "
                           "extractor_version FROM deal_evidence ORDER BY doc_id, start_char, evidence_id").fetchall()
    finally:
        con.close()
    out: dict[str, list[DealMention]] = {}
    for doc_id, *fields, sentence, start, end, confidence, version in rows:
        out.setdefault(doc_id, []).append(DealMention(**dict(zip(DEAL_FIELDS, fields)), sentence=sentence, start_char=start,
                                               end_char=end, confidence=confidence, extractor_version=version))
    return out


def before_loads(warehouse: Path, snapshot: Path) -> None:
    """A copy of the warehouse as it was before extraction: every document stored, no deal loaded."""
    shutil.copyfile(warehouse, snapshot)
    con = duckdb.connect(str(snapshot))
    try:
        con.execute("DELETE FROM deal_evidence")
        con.execute("DELETE FROM extraction_batches")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def replay_loads(settings, snapshot: Path, scratch: Path, deals: dict[str, list[DealMention]]) -> float:
    """Seconds the run's loads take again on a fresh copy of the snapshot: the same batches, each read as the
    run read it and handed over prepared as the workers hand it, only the loads and the release timed."""
    shutil.copyfile(snapshot, scratch)
    settings = settings.model_copy(update={"warehouse_path": scratch})
    spent = 0.0
    held = held_warehouse(scratch)
    held.__enter__()
    try:
        ids = pipeline.select_document_ids(settings, stale_only=True)
        size = max(settings.batch_size, 1)
        for i in range(0, len(ids), size):
            batch = pipeline.read_documents(settings, ids[i:i + size])
            told = [deals.get(doc_id, []) for doc_id in batch.doc_ids]
            extractions = DealBatch(batch.doc_ids, told, batch.published, prepare_mentions(batch.doc_ids, told,
                                                              EXTRACTOR_VERSION))
            started = time.perf_counter()
            pipeline.load_deals(settings, extractions)
            spent += time.perf_counter() - started
    finally:
        started = time.perf_counter()
        held.__exit__(None, None, None)  # letting go of the file checkpoints it: part of loading, as in the run
        spent += time.perf_counter() - started
    return spent


def paired_ratio(settings, batches: list[int], work: Path, pairs: int = 3) -> Replay:
    """Alternate `pairs` replays of the run's loads with raw Arrow inserts of the rows they write."""
    snapshot, scratch, raw_file = work / "replay-before.duckdb", work / "replay.duckdb", work / "replay-raw.duckdb"
    before_loads(settings.warehouse_path, snapshot)
    deals = stored_deals(settings.warehouse_path)
    rows = floors.arrow_rows(settings.warehouse_path, "deal_evidence")
    out = Replay([], [])
    try:
        for _ in range(pairs):
            out.raw_s.append(floors.raw_arrow_insert("deal_evidence", rows, batches, raw_file, repeats=1).seconds)
            out.load_s.append(replay_loads(settings, snapshot, scratch, deals))
    finally:
        for path in (snapshot, scratch, raw_file):
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
    return out
