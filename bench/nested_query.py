"""Figure: the five-level nested GraphQL query for all of Karang Rejo.

Seeds Karang Rejo's demo population (87 RTs, about 15,000 residents) in a
throwaway database, then runs, as the Lurah of Karang Rejo,

    kecamatanList > kelurahan > rts > households > residents

through the real schema (scope, optimizer, masking), counting SQL statements
and timing it, beside ONE raw SQL statement that builds the same JSON with
PostgreSQL's json_agg (same scope filter, ordering, masking and age). Prints
the ratio from the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_rt .venv/bin/python bench/nested_query.py

On SQLite only our path is measured (json_agg is PostgreSQL's).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from _harness import setup_django, throwaway_database, timed, vendor

QUERY = """
query {
  kecamatanList {
    code name
    kelurahan {
      code name
      rts(pagination: {limit: 500}) {
        code label
        households(pagination: {limit: 500}) {
          noKk
          residents(pagination: {limit: 500}) { name nik sex age }
        }
      }
    }
  }
}
"""

RAW_SQL = """
SELECT json_agg(kec ORDER BY kec_code) FROM (
  SELECT k.code AS kec_code, json_build_object(
    'code', k.code, 'name', k.name,
    'kelurahan', (
      SELECT coalesce(json_agg(json_build_object(
        'code', l.code, 'name', l.name,
        'rts', (
          SELECT coalesce(json_agg(json_build_object(
            'code', t.code, 'label', 'RT ' || lpad(t.number::text, 3, '0'),
            'households', (
              SELECT coalesce(json_agg(json_build_object(
                'noKk', substr(h.no_kk, 1, 6) || '********' || substr(h.no_kk, 13, 4),
                'residents', (
                  SELECT coalesce(json_agg(json_build_object(
                    'name', r.name,
                    'nik', CASE WHEN r.nik IS NULL THEN NULL
                           ELSE substr(r.nik, 1, 6) || '********' || substr(r.nik, 13, 4) END,
                    'sex', CASE r.sex WHEN 1 THEN 'MALE' ELSE 'FEMALE' END,
                    'age', date_part('year', age(%(today)s::date, r.birth_date))::int
                  ) ORDER BY r.name, r.id), '[]'::json)
                  FROM population_resident r WHERE r.household_id = h.id
                )
              ) ORDER BY h.no_kk), '[]'::json)
              FROM population_household h WHERE h.rt_id = t.id
            )
          ) ORDER BY t.kelurahan_id, t.number), '[]'::json)
          FROM wilayah_rt t WHERE t.kelurahan_id = l.id
        )
      ) ORDER BY l.code), '[]'::json)
      FROM wilayah_kelurahan l WHERE l.id = %(kelurahan_id)s
    )
  ) AS kec
  FROM wilayah_kecamatan k
  WHERE k.id = %(kecamatan_id)s
) AS tree
"""


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import RoleAssignment, User
    from backend.accounts.roles import Role
    from backend.population.age import today_wita
    from backend.population.demo import seed_demo
    from backend.population.models import Resident
    from backend.wilayah.loading import load_regions
    from backend.wilayah.models import Kelurahan
    from graphql_schema.schema import schema

    karang_rejo_code = "64.71.04.1003"
    with throwaway_database():
        load_regions(only_kelurahan={karang_rejo_code})
        seed_demo(kelurahan_codes=[karang_rejo_code], with_accounts=False)
        karang_rejo = Kelurahan.objects.get(code=karang_rejo_code)
        lurah = User.objects.create_user("bench.lurah", password="x", is_staff=True)
        RoleAssignment.objects.create(user=lurah, role=Role.LURAH, kelurahan=karang_rejo)
        residents = Resident.objects.filter(rt__kelurahan=karang_rejo).count()

        def ours():
            request = SimpleNamespace(user=User.objects.get(pk=lurah.pk))
            result = schema.execute_sync(
                QUERY, context_value=SimpleNamespace(request=request, response=None)
            )
            assert result.errors is None, result.errors
            return result.data

        with CaptureQueriesContext(connection) as ctx:
            data = ours()
        statements = len(ctx.captured_queries)
        seconds, _ = timed(ours, repeat=5)
        kel = data["kecamatanList"][0]["kelurahan"][0]
        served = sum(len(h["residents"]) for rt in kel["rts"] for h in rt["households"])

        print(f"database: {vendor()}")
        print(f"Karang Rejo: {len(kel['rts'])} RTs, {residents} residents, {served} served")
        print(f"GraphQL nested query: {statements} SQL statements, median {seconds * 1000:.0f} ms")

        if vendor() != "postgresql":
            print("raw json_agg comparison: PostgreSQL only (set DATABASE_URL)")
            return
        params = {
            "kelurahan_id": karang_rejo.pk,
            "kecamatan_id": karang_rejo.kecamatan_id,
            "today": today_wita(),
        }

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, params)
                value = cursor.fetchone()[0]
            return json.loads(value) if isinstance(value, str) else value

        raw_seconds, raw_data = timed(raw, repeat=5)
        same = raw_data == data["kecamatanList"]
        print(f"raw SQL json_agg:     1 SQL statement,  median {raw_seconds * 1000:.0f} ms")
        print(f"ratio GraphQL / raw SQL: {seconds / raw_seconds:.2f}x (same JSON: {same})")


if __name__ == "__main__":
    main()
