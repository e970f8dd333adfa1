"""One- and two-character search beside its SQL twin (issue 17: "1–2 character search flat as
data grows"), for terms matching none, a few and many of generate_province.py's rows:

- ``search-catalogue-<n>-<spread>``: the public catalogue search ``/catalogues/search/?q=`` (one
  character is enough there);
- ``search-portal-2-<spread>``: the portal's one search ``/search/?q=`` on its default tab
  (powers), with the five tabs' counts; it asks for two characters, so only two are timed.

The twin runs, through a cursor, the statements the page's queries compile to (the ids of the
first CAP + 1 matches in order, the counts, the shown page's rows and their provisions), so the
ratio is what Python and the templates add to the database's work. Before timing, the plan of
every term's search is read with EXPLAIN (not timed, not forced) and must show a Bitmap Index
Scan on the n-gram index (for a term in a large share of the rows the planner may instead walk
the rows in order through an index and stop at the cap, also bounded; never a sequential scan):
that, not a timing, is what keeps the cost flat as the tables grow.
Run it on lecrs_x1 and on the ×10 database and compare.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client

from scale import Figure, get

TERMS = {
    1: {"none": "鲸", "few": "蛇", "many": "罚"},
    2: {"none": "量子", "few": "蜂箱", "many": "监督"},
}
PAGE = 30  # both pages show 30 rows


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _fetch(statement: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _plan(queryset) -> str:
    statement, params = _sql(queryset)
    return "\n".join(row[0] for row in _fetch(f"EXPLAIN {statement}", params))


def _served(plan: str, index: str, table: str, spread: str) -> bool:
    """The plan finds the matches through the n-gram index — or, for a term in a large share of
    the rows, walks the rows in the page's order through an index and stops at CAP + 1 matches,
    which costs the same whatever the table's size (the planner prefers it when matches are
    dense). Never a sequential scan of the table."""
    if f"Seq Scan on {table} " in plan:
        return False
    if f"Bitmap Index Scan on {index}" in plan:
        return True
    walked = f"Index Scan using {table}_" in plan and plan.lstrip().startswith("Limit")
    return spread == "many" and walked


ENTRY_ROWS = (
    "SELECT e.*, i.*, c.*, d.* FROM basis_catalogueentry e"
    " JOIN basis_legalinstrument i ON i.id = e.instrument_id"
    " JOIN basis_basiscatalogue c ON c.id = e.catalogue_id"
    " JOIN organisations_organisation d ON d.id = c.department_id WHERE e.id = ANY(%s)",
    "SELECT ep.catalogueentry_id, p.* FROM basis_catalogueentry_provisions ep"
    " JOIN basis_provision p ON p.id = ep.provision_id WHERE ep.catalogueentry_id = ANY(%s)",
)
POWER_ROWS = (
    "SELECT p.*, k.*, b.*, d.*, a.* FROM authority_poweritem p"
    " JOIN authority_powerkind k ON k.id = p.kind_id"
    " JOIN authority_breakdown b ON b.id = p.breakdown_id"
    " JOIN organisations_organisation d ON d.id = b.department_id"
    " LEFT JOIN organisations_organisation a ON a.id = p.handling_agency_id WHERE p.id = ANY(%s)",
    "SELECT pp.poweritem_id, pr.*, i.* FROM authority_poweritem_provisions pp"
    " JOIN basis_provision pr ON pr.id = pp.provision_id"
    " JOIN basis_legalinstrument i ON i.id = pr.instrument_id WHERE pp.poweritem_id = ANY(%s)",
)


def _paged_twin(ids_queryset, row_statements):
    """The ids of the first CAP + 1 matches (the statement the paginator's query compiles to),
    then the shown page's rows by id with their provisions."""
    ids_sql = _sql(ids_queryset)

    def run():
        ids = [row[0] for row in _fetch(*ids_sql)][:PAGE]
        return [_fetch(statement, [ids]) for statement in row_statements] if ids else []

    return run


def figures() -> list[Figure]:
    from basis.selectors_public import published_entries_search
    from portal import search as portal_search

    client = Client()
    figures, wrong = [], []

    for length, spreads in TERMS.items():
        for spread, term in spreads.items():
            matches = published_entries_search(term).order_by("catalogue__department__path", "position")
            ids = matches.values_list("pk", flat=True)[: portal_search.CAP + 1]
            plan = _plan(ids)
            if not _served(plan, "basis_entry_duties_ngram", "basis_catalogueentry", spread):
                wrong.append((f"catalogue search {term}", plan))
            figures.append(
                Figure(
                    f"search-catalogue-{length}-{spread}",
                    get(client, f"/catalogues/search/?q={term}"),
                    _paged_twin(ids, ENTRY_ROWS),
                    target="flat as the data grows",
                    note=f"{term}: {len(list(ids))} matches (capped at {portal_search.CAP + 1})",
                )
            )

    for spread, term in TERMS[2].items():
        powers = portal_search.powers(term).values_list("pk", flat=True)[: portal_search.CAP + 1]
        plan = _plan(powers)
        if not _served(plan, "authority_power_name_ngram", "authority_poweritem", spread):
            wrong.append((f"portal search {term}", plan))
        counts = [
            _sql(search(term, cap=portal_search.CAP + 1).order_by().values("pk")[: portal_search.CAP + 1])
            for search in portal_search.SEARCHES.values()
        ]

        def twin(counts=counts, page=_paged_twin(powers, POWER_ROWS)):
            return [_fetch(f"SELECT count(*) FROM ({statement}) AS matches", params) for statement, params in counts] + [
                page()
            ]

        found = portal_search.counts(term)
        figures.append(
            Figure(
                f"search-portal-2-{spread}",
                get(client, f"/search/?q={term}"),
                twin,
                target="flat as the data grows",
                note=f"{term}: " + ", ".join(f"{key} {n}" for key, n in found.items()),
            )
        )

    if wrong:
        raise AssertionError(
            "a search that the n-gram index does not serve:\n"
            + "\n\n".join(f"{what}:\n{plan}" for what, plan in wrong)
        )
    return figures
