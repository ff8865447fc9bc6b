"""The committed schema matches the code; unexpected errors reveal nothing."""

from __future__ import annotations

import logging
from pathlib import Path

from strawberry.printer import print_schema

from graphql_schema.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "graphql_schema" / "schema.graphql"


def test_printed_schema_matches_the_committed_file():
    """Regenerate with: manage.py export_schema graphql_schema.schema:schema
    --path graphql_schema/schema.graphql"""
    assert print_schema(schema).strip() == SCHEMA_FILE.read_text(encoding="utf-8").strip()


def test_unexpected_error_gives_a_reference_and_logs_no_personal_data(
    gql, actors, population, monkeypatch, caplog
):
    nik = population.rt1.residents.first().nik

    def broken(**kwargs):
        raise RuntimeError(f"duplicate key value violates unique constraint: (nik)=({nik})")

    monkeypatch.setattr("backend.population.selectors.resident_list", broken)
    with caplog.at_level(logging.ERROR, logger="graphql_schema.extensions"):
        result = gql(actors.lurah).execute("{ residents { results { name } } }")
    error = result["errors"][0]
    reference = error["extensions"]["reference"]
    assert error["extensions"]["code"] == "internal_error"
    assert error["message"] == f"Terjadi kesalahan pada server. Referensi: {reference}"
    assert nik not in str(result)
    logged = [r for r in caplog.records if getattr(r, "reference", None) == reference]
    assert len(logged) == 1
    assert logged[0].error_type == "RuntimeError"
    assert nik not in logged[0].getMessage() and nik not in str(vars(logged[0]))
