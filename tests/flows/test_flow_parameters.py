"""Flow parameters are typed: Prefect draws the settings as a form, validates them, and fills the blanks."""

from __future__ import annotations

import pytest
from prefect.exceptions import ParameterTypeError
from prefect.utilities.callables import parameter_schema

from flows.backfill import backfill
from flows.extract_deals import extract_deals
from flows.ingest import ingest
from flows.maintenance import compact_lake_flow
from flows.runs import settings_from, settings_param
from flows.settings import RunSettings, Settings

FLOWS = [ingest, extract_deals, backfill, compact_lake_flow]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_flow_settings_parameter_is_a_form_of_typed_fields(flow):
    schema = parameter_schema(flow.fn).model_dump()  # what `prefect deploy` sends as the parameter schema
    assert {"$ref": "#/definitions/RunSettings"} in schema["properties"]["settings"]["anyOf"]
    form = schema["definitions"]["RunSettings"]
    fields = form["properties"]
    assert {"format": "path", "type": "string"} in fields["warehouse_path"]["anyOf"]
    assert {"type": "integer"} in fields["batch_size"]["anyOf"]
    assert {"enum": ["thread", "dask"], "type": "string"} in fields["task_runner"]["anyOf"]
    assert "one per core" in fields["extract_processes"]["description"]
    assert "sec_user_agent" not in fields, "secrets never become flow parameters"
    assert form["additionalProperties"] is False


def test_settings_from_keeps_the_workers_value_for_a_blank_field(monkeypatch, tmp_path):
    monkeypatch.setenv("MINEWIRE_WAREHOUSE_PATH", str(tmp_path / "worker.duckdb"))
    monkeypatch.setenv("MINEWIRE_SEC_USER_AGENT", "minewire tests ops@example.com")
    cfg = settings_from(RunSettings(batch_size=64))
    assert cfg.batch_size == 64 and cfg.warehouse_path == tmp_path / "worker.duckdb"
    assert cfg.sec_user_agent == "minewire tests ops@example.com"
    assert settings_from({"batch_size": 64, "data_path": None}) == cfg  # a plain dict, as before


def test_settings_param_round_trips_through_the_form(tmp_path):
    cfg = Settings(warehouse_path=tmp_path / "w.duckdb", batch_size=77, sec_user_agent="secret ops@example.com")
    param = settings_param(cfg)
    assert "sec_user_agent" not in param
    again = settings_from(RunSettings.model_validate(param))
    assert again.warehouse_path == cfg.warehouse_path and again.batch_size == 77


def test_flow_takes_its_settings_as_a_dict_or_a_model(prefect_server, tmp_path):
    file = tmp_path / "w.duckdb"
    assert compact_lake_flow(settings={"warehouse_path": str(file)}) == {}  # a DuckDB file: nothing to compact
    assert compact_lake_flow(settings=RunSettings(warehouse_path=file)) == {}


def test_flow_refuses_a_misspelt_setting_naming_it(prefect_server, tmp_path):
    with pytest.raises(ParameterTypeError, match="warehose_path"):
        compact_lake_flow(settings={"warehose_path": str(tmp_path / "w.duckdb")})
