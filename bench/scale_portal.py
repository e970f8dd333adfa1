"""Issue 17's figures for the public department page, the editor's breakdown page and public
certificate verification, each beside its raw-SQL twin (bench_scale.py runs them).

- ``portal-department-page``: the public overview ``/departments/<code>/`` of the department
  with the most published powers (bench_portal.py's choice; its ``--prepare`` gives that
  department responsibilities, standards and booklets), as an anonymous visitor. The twin: the
  department with its published versions and the dates the page and its headers show, the six
  counts, its agencies and its documents.
- ``breakdown-page-largest`` / ``breakdown-page-typical``: the back-office breakdown page, first
  page, of the current version with the most powers and of the median one (bench_authority.py's
  choice), as that department's editor (``bench_authority_editor``; the typical one has
  ``bench_authority_editor_typical``, since both are timed in the same loop). The twin: the
  breakdown with its department, the number of powers, the page's 50 powers with kind and
  agency, their provisions with instruments, their posts, and the history. The completeness
  findings are not in the twin: the page reads them from the cache (computed once per change).
- ``verification``: ``/verify/<number>/`` for certificate numbers drawn at random, one in five
  unknown (404), each request from its own REMOTE_ADDR so that the rate limit never refuses one.
  The twin: the certificate with its holder, department, issuing government and kinds.
"""

from __future__ import annotations

import itertools
import logging
import random

from django.db.models import Count
from django.test import Client

import scale
from scale import Figure, sql_all, sql_rows


def _department_page() -> Figure:
    from authority.models import Breakdown
    from workflow.review import ReviewStatus

    breakdown = (
        Breakdown.objects.filter(status=ReviewStatus.PUBLISHED)
        .annotate(n=Count("powers"))
        .order_by("-n")
        .select_related("department")
        .first()
    )
    department = breakdown.department
    published = "status = 'published' AND department_id = d.id ORDER BY version DESC LIMIT 1"
    state = sql_rows(
        f"""SELECT d.id, d.code, d.name, d.path, d.depth, d.subject_kind, d.stationed_provincial,
                   d.vertically_managed, d.dual_managed, d.complaint_phone, d.supervision_phone,
                   j.code, j.name, p.code, p.name,
                   (SELECT id FROM basis_basiscatalogue WHERE {published}),
                   (SELECT published_at FROM basis_basiscatalogue WHERE {published}),
                   (SELECT id FROM authority_breakdown WHERE {published}),
                   (SELECT published_at FROM authority_breakdown WHERE {published}),
                   (SELECT id FROM responsibility_responsibilityset WHERE {published}),
                   (SELECT published_at FROM responsibility_responsibilityset WHERE {published}),
                   (SELECT max(c.updated_at) FROM authority_certificate c
                      JOIN authority_officer o ON o.id = c.officer_id WHERE o.department_id = d.id),
                   (SELECT max(history_date) FROM authority_historicalofficer WHERE department_id = d.id),
                   (SELECT max(h.history_date) FROM authority_historicalofficerpost h
                      JOIN authority_officer o ON o.id = h.officer_id WHERE o.department_id = d.id),
                   (SELECT max(h.history_date) FROM authority_historicalpost h
                      JOIN organisations_organisation a ON a.id = h.agency_id
                     WHERE a.path >= d.path AND a.path <= d.path || '~'),
                   -- (max over COALESCE: a bare max(updated_at) becomes a walk of the
                   -- updated_at index from the top, 12 ms at ×10; as the page does)
                   (SELECT max(coalesce(o.updated_at, o.updated_at)) FROM organisations_organisation o
                     WHERE o.path >= d.path AND o.path <= d.path || '~'),
                   (SELECT max(finished_at) FROM responsibility_disclosuredocument
                     WHERE organisation_id = d.id AND status = 'ready')
              FROM organisations_organisation d
              LEFT JOIN organisations_organisation j ON j.id = d.jurisdiction_id
              LEFT JOIN organisations_organisation p ON p.id = d.principal_id
             WHERE d.code = %s AND d.kind = 'department' AND d.is_active AND d.office_function = ''""",
        [department.code],
    )
    counts = sql_rows(
        """WITH d AS (SELECT id,
                      (SELECT id FROM basis_basiscatalogue WHERE department_id = %s AND status = 'published' ORDER BY version DESC LIMIT 1) AS c,
                      (SELECT id FROM authority_breakdown WHERE department_id = %s AND status = 'published' ORDER BY version DESC LIMIT 1) AS b,
                      (SELECT id FROM responsibility_responsibilityset WHERE department_id = %s AND status = 'published' ORDER BY version DESC LIMIT 1) AS r
                      FROM organisations_organisation WHERE id = %s)
           SELECT (SELECT count(*) FROM basis_catalogueentry WHERE catalogue_id = d.c),
                  (SELECT count(*) FROM authority_poweritem WHERE breakdown_id = d.b),
                  (SELECT count(DISTINCT a.post_id) FROM authority_postassignment a
                     JOIN authority_poweritem p ON p.id = a.power_id WHERE p.breakdown_id = d.b),
                  (SELECT count(DISTINCT c.officer_id) FROM authority_certificate c
                     JOIN authority_officer o ON o.id = c.officer_id
                    WHERE o.department_id = d.id AND o.is_active AND c.status = 'valid'
                      AND c.valid_from <= current_date AND c.valid_until >= current_date),
                  (SELECT count(*) FROM responsibility_responsibility WHERE responsibility_set_id = d.r),
                  (SELECT count(*) FROM responsibility_enforcementstandard WHERE responsibility_set_id = d.r)
             FROM d""",
        [department.pk] * 4,
    )
    agencies = sql_rows(
        "SELECT id, name FROM organisations_organisation WHERE path LIKE %s AND depth = %s AND kind = 'agency'"
        " AND is_active ORDER BY path",
        [department.path + "%", department.depth + 1],
    )
    documents = sql_rows(
        "SELECT kind, version, data_as_of, pages FROM responsibility_disclosuredocument"
        " WHERE organisation_id = %s AND status = 'ready' ORDER BY kind, version DESC",
        [department.pk],
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    return Figure(
        "portal-department-page",
        scale.get(client, f"/departments/{department.code}/"),
        sql_all(state, counts, agencies, documents),
        note=f"{department.name}, {breakdown.n} powers",
    )


def _current_breakdowns():
    """bench_authority.py's choice: the current version of every generated department (the open
    one, else the published one), the largest and the median by number of powers."""
    from authority.models import Breakdown, PowerItem

    current = {}
    for breakdown in Breakdown.objects.filter(department__code__startswith="PRV-").order_by("department_id", "version"):
        current[breakdown.department_id] = breakdown
    sizes = dict(
        PowerItem.objects.filter(breakdown__in=[b.pk for b in current.values()])
        .values("breakdown_id").annotate(n=Count("id")).values_list("breakdown_id", "n")
    )
    ranked = sorted(current.values(), key=lambda b: sizes.get(b.pk, 0))
    return ranked[-1], ranked[len(ranked) // 2], sizes


def _breakdown_page(name: str, username: str, breakdown, powers: int) -> Figure:
    from accounts.models import Role

    editor = scale.account(username, Role.DEPARTMENT_EDITOR, breakdown.department)
    page = "SELECT id FROM authority_poweritem WHERE breakdown_id = %s ORDER BY position, id LIMIT 50"
    twin = sql_all(
        sql_rows(
            "SELECT b.id, b.version, b.status, b.comment, b.submitted_at, b.published_at, b.needs_revision,"
            " b.revision_reason, d.id, d.name, d.path FROM authority_breakdown b"
            " JOIN organisations_organisation d ON d.id = b.department_id WHERE b.id = %s",
            [breakdown.pk],
        ),
        sql_rows("SELECT count(*) FROM authority_poweritem WHERE breakdown_id = %s", [breakdown.pk]),
        sql_rows(
            "SELECT p.id, p.position, p.code, p.name, p.forwards_only, k.name, a.name FROM authority_poweritem p"
            " LEFT JOIN authority_powerkind k ON k.id = p.kind_id"
            " LEFT JOIN organisations_organisation a ON a.id = p.handling_agency_id"
            " WHERE p.breakdown_id = %s ORDER BY p.position, p.id LIMIT 50",
            [breakdown.pk],
        ),
        sql_rows(
            "SELECT pp.poweritem_id, i.name, pr.article, pr.paragraph, pr.item FROM authority_poweritem_provisions pp"
            " JOIN basis_provision pr ON pr.id = pp.provision_id JOIN basis_legalinstrument i ON i.id = pr.instrument_id"
            f" WHERE pp.poweritem_id IN ({page})",
            [breakdown.pk],
        ),
        sql_rows(
            "SELECT a.power_id, a.role, p.name FROM authority_postassignment a JOIN authority_post p ON p.id = a.post_id"
            " JOIN organisations_organisation g ON g.id = p.agency_id"
            f" WHERE a.power_id IN ({page}) ORDER BY a.role, g.path, p.name",
            [breakdown.pk],
        ),
        sql_rows(
            "SELECT e.occurred_at, e.from_status, e.to_status, e.comment, u.username, u.full_name"
            " FROM authority_breakdownevent e LEFT JOIN accounts_user u ON u.id = e.actor_id"
            " WHERE e.breakdown_id = %s ORDER BY e.occurred_at",
            [breakdown.pk],
        ),
    )
    return Figure(
        name,
        scale.get(scale.logged_in(editor), f"/office/authority/breakdowns/{breakdown.pk}/"),
        twin,
        note=(
            f"{breakdown.department.name} v{breakdown.version}, {powers} powers; the twin leaves out the cached findings. "
            "Profiled (cProfile, 20 requests, 2026-12-03): 10 queries against the twin's 6 (the session, the "
            "user with his organisation, the menu's officer lookup, the unread count); of the profiled time "
            "the template is 58 % (the layout's 24-entry menu, the 50 rows), building the rows 17 %, "
            "waiting for SQL 22 %"
        ),
    )


class _Verification:
    """One certificate number per request, drawn at random (one in five unknown); the twin asks for
    the number the page was last asked for."""

    def __init__(self, numbers: list[str]):
        rng = random.Random(17)
        self.urls = itertools.cycle([
            n if rng.random() >= 0.2 else f"UNKNOWN-{rng.randint(0, 10**8)}" for n in numbers
        ])
        self.addresses = (f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in itertools.count(1))
        self.client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.number = None
        self.twin = None

    def page(self):
        self.number = next(self.urls)
        response = self.client.get(f"/verify/{self.number}/", REMOTE_ADDR=next(self.addresses))
        assert response.status_code == (404 if self.number.startswith("UNKNOWN-") else 200), (self.number, response.status_code)
        return response.content

    def sql(self):
        return sql_rows(
            """SELECT c.number, c.status, c.valid_until, c.area, o.name, d.name, g.name,
                      (SELECT array_agg(k.name ORDER BY k.id) FROM authority_certificate_kinds ck
                         JOIN authority_powerkind k ON k.id = ck.powerkind_id WHERE ck.certificate_id = c.id)
                 FROM authority_certificate c JOIN authority_officer o ON o.id = c.officer_id
                 JOIN organisations_organisation d ON d.id = o.department_id
                 JOIN organisations_organisation g ON g.id = c.issuing_government_id
                WHERE c.number = %s""",
            [self.number],
        )()


def figures() -> list[Figure]:
    from authority.models import Certificate

    # Unknown numbers answer 404, which Django logs as a warning: not news here.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    largest, typical, sizes = _current_breakdowns()
    # Drawn with a fixed seed, so that two runs (before and after a change) ask for the same numbers.
    numbers = list(Certificate.objects.order_by("pk").values_list("number", flat=True))
    verification = _Verification(random.Random(17).sample(numbers, min(2000, len(numbers))))
    return [
        _department_page(),
        _breakdown_page("breakdown-page-largest", "bench_authority_editor", largest, sizes.get(largest.pk, 0)),
        _breakdown_page("breakdown-page-typical", "bench_authority_editor_typical", typical, sizes.get(typical.pk, 0)),
        Figure("verification", verification.page, verification.sql),
    ]


