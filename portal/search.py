"""The portal's one search: every published kind of record, one tab each, found by plain
substring (issue 13).

What the search box promises is what is searched:

- powers: name, code, kind (行政处罚), the laws of their basis (广告法), the department, the
  enforcing organ and the handling agency, and their duties (accountability grounds, the duty
  of each procedure step, the published responsibilities that cite the power);
- catalogue entries: the law's name, its provisions' text, the rights and duties, the department;
- departments: name and short name;
- posts that handle a published power: name, agency;
- published responsibilities: content and kind.

Matching is an exact substring (``contains``; ``icontains`` when the query has Latin letters,
which Chinese does not need), never similarity: whatever a longer query finds, its prefix finds
too, and two characters (食品, 处罚) match exactly what contains them. One character matches
too much to be of use; the page asks for two instead (``MIN_LENGTH``). On PostgreSQL the trigram
indexes of basis' 0002 migration serve three characters and more, the n-gram indexes of its 0009
(toolkit/search.py) one and two.

Only published versions are read, as everywhere in the portal. Officers are not searched here:
the public verifies a certificate by its number (``/verify/``) and sees a department's valid
officers on its page.

Ranking: the record whose name is the query, then those whose name contains it, then those
found by another field; within each, by department (the tree's path) and position.
Each tab counts up to ``CAP`` + 1 matches, so a page costs the same few queries whatever the query.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from authority.models import Breakdown, Post, PostAssignment, PowerItem, PowerKind, ProcedureStep
from basis.models import BasisCatalogue, CatalogueEntry, LegalInstrument
from organisations.models import Organisation
from responsibility.models import Responsibility, ResponsibilityKind, ResponsibilitySet
from toolkit.search import substring_lookup
from workflow.review import ReviewStatus

from .selectors import public_departments

PUBLISHED = ReviewStatus.PUBLISHED
MIN_LENGTH = 2
MAX_LENGTH = 100
CAP = 1000


@dataclass(frozen=True)
class Tab:
    key: str
    label: str


TABS = (
    Tab("powers", _("Powers")),
    Tab("entries", _("Enforcement basis")),
    Tab("departments", _("Departments")),
    Tab("posts", _("Posts")),
    Tab("responsibilities", _("Responsibilities")),
)
TAB_KEYS = tuple(tab.key for tab in TABS)


def clean_query(raw: str) -> str:
    return " ".join((raw or "").split())[:MAX_LENGTH]


def _lookup(query: str) -> str:
    # contains / icontains whose one- and two-character queries an n-gram index serves on
    # PostgreSQL (toolkit/search.py); longer ones a trigram index.
    return substring_lookup(query)


def _rank(field: str, query: str, lookup: str) -> Case:
    # Evaluated for every match, so the plain match (a LIKE on the row in hand), not the
    # n-gram lookup, whose lecrs_ngrams() would be computed for each row.
    exact, contains = ("iexact", "icontains") if lookup == "ngram_icontains" else ("exact", "contains")
    return Case(
        When(**{f"{field}__{exact}": query}, then=Value(0)),
        When(**{f"{field}__{contains}": query}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _ids(*sets: QuerySet, cap: int | None = None) -> QuerySet:
    """The union of one-column id sets, each found through an index of its own table: an OR
    across tables (or of EXISTS) reads every row of the outer table instead.

    With ``cap`` each set gives at most ``cap`` ids: enough to count a tab up to ``cap`` (each
    set keeps only published rows, so if one set is cut the tab has ``cap`` matches or more; if
    none is, the union is exact), and a common term no longer gathers every one of its
    hundred thousand ids to say "1000+"."""
    if not connection.features.supports_slicing_ordering_in_compound:
        cap = None  # SQLite: no LIMIT inside a UNION; the whole union, then the outer limit
    first, *rest = [ids.order_by()[:cap] if cap else ids.order_by() for ids in sets]
    return first.union(*rest)


def _matching(found: QuerySet, many: bool) -> dict:
    """The filter for the rows whose id ``found`` holds. Few (the usual case): the ids first,
    then each row by its key (``in_found``). Many (a tab past ``CAP``, which ``counts`` has just
    said): a plain ``IN``, which PostgreSQL joins by hashing; fetching ninety thousand rows one
    key at a time to rank them took twice as long."""
    return {"pk__in": found} if many else {"pk__in_found": found}


def _organisations(query: str, lookup: str) -> QuerySet:
    return Organisation.objects.filter(
        Q(**{f"name__{lookup}": query}) | Q(**{f"short_name__{lookup}": query})
    ).values("pk")


def powers(query: str, cap: int | None = None, many: bool = False) -> QuerySet[PowerItem]:
    lookup = _lookup(query)
    published = Breakdown.objects.filter(status=PUBLISHED).values("pk")
    # The small tables first: which laws, kinds and organisations the query names.
    instruments = LegalInstrument.objects.filter(**{f"name__{lookup}": query}).values("pk")
    organisations = _organisations(query, lookup)
    kinds = PowerKind.objects.filter(**{f"name__{lookup}": query}).values("pk")
    # A power is found by a published responsibility citing its code in its department.
    responsibilities = Responsibility.objects.filter(responsibility_set__status=PUBLISHED, **{f"content__{lookup}": query})
    by_responsibility = Responsibility.objects.filter(
        responsibility_set__status=PUBLISHED,
        responsibility_set__department=OuterRef("breakdown__department"),
        power_code=OuterRef("code"),
        **{f"content__{lookup}": query},
    )
    # Published is checked in each id set only when they are capped (for counting, below);
    # otherwise once, outside, where it costs no join per set.
    live = PowerItem.objects.filter(breakdown__status=PUBLISHED) if cap else PowerItem.objects.all()
    via = {"__status": PUBLISHED} if cap else {}
    found = _ids(
        live.filter(**{f"name__{lookup}": query}).values("pk"),
        # Codes are Latin letters and digits: case-insensitive whatever the query.
        live.filter(code__ngram_icontains=query).values("pk"),
        live.filter(**{f"accountability_grounds__{lookup}": query}).values("pk"),
        live.filter(kind__in=kinds).values("pk"),
        live.filter(breakdown__department__in=organisations).values("pk"),
        live.filter(enforcing_organ__in=organisations).values("pk"),
        live.filter(handling_agency__in=organisations).values("pk"),
        PowerItem.provisions.through.objects.filter(
            provision__instrument__in=instruments, **{f"poweritem__breakdown{k}": v for k, v in via.items()}
        ).values("poweritem_id"),
        ProcedureStep.objects.filter(
            **{f"duty__{lookup}": query}, **{f"power__breakdown{k}": v for k, v in via.items()}
        ).values("power_id"),
        live.filter(
            breakdown__department__in=responsibilities.values("responsibility_set__department"),
            code__in=responsibilities.values("power_code"),
        )
        .filter(Exists(by_responsibility))
        .values("pk"),
        cap=cap,
    )
    return (
        PowerItem.objects.filter(breakdown__in=published, **_matching(found, many))
        .annotate(rank=_rank("name", query, lookup))
        .select_related("kind", "breakdown__department", "handling_agency")
        .prefetch_related("provisions__instrument")
        .order_by("rank", "breakdown__department__path", "position", "id")
    )


def entries(query: str, cap: int | None = None, many: bool = False) -> QuerySet[CatalogueEntry]:
    lookup = _lookup(query)
    published = BasisCatalogue.objects.filter(status=PUBLISHED).values("pk")
    instruments = LegalInstrument.objects.filter(**{f"name__{lookup}": query}).values("pk")
    live = CatalogueEntry.objects.filter(catalogue__status=PUBLISHED) if cap else CatalogueEntry.objects.all()
    via = {"__status": PUBLISHED} if cap else {}
    found = _ids(
        live.filter(**{f"rights_and_duties__{lookup}": query}).values("pk"),
        live.filter(instrument__in=instruments).values("pk"),
        live.filter(catalogue__department__in=_organisations(query, lookup)).values("pk"),
        CatalogueEntry.provisions.through.objects.filter(
            **{f"provision__text__{lookup}": query}, **{f"catalogueentry__catalogue{k}": v for k, v in via.items()}
        ).values("catalogueentry_id"),
        cap=cap,
    )
    return (
        CatalogueEntry.objects.filter(catalogue__in=published, **_matching(found, many))
        .annotate(rank=_rank("instrument__name", query, lookup))
        .select_related("instrument", "catalogue__department")
        .prefetch_related("provisions")
        .order_by("rank", "catalogue__department__path", "position", "id")
    )


def departments(query: str, cap: int | None = None, many: bool = False) -> QuerySet[Organisation]:
    lookup = _lookup(query)
    return (
        public_departments()
        .filter(Q(**{f"name__{lookup}": query}) | Q(**{f"short_name__{lookup}": query}))
        .annotate(rank=_rank("name", query, lookup))
        .select_related("jurisdiction")
        .order_by("rank", "path", "id")
    )


def posts(query: str, cap: int | None = None, many: bool = False) -> QuerySet[Post]:
    """Posts that handle a power of a published breakdown, with that breakdown's department.
    (``cap`` is not applied: whether a post is handled is known only outside its id sets, and
    the posts are few next to the powers.)"""
    lookup = _lookup(query)
    handled = PostAssignment.objects.filter(post=OuterRef("pk"), power__breakdown__status=PUBLISHED)
    agencies = Organisation.objects.filter(**{f"name__{lookup}": query}).values("pk")
    found = _ids(
        Post.objects.filter(**{f"name__{lookup}": query}).values("pk"),
        Post.objects.filter(agency__in=agencies).values("pk"),
    )
    return (
        Post.objects.filter(Exists(handled), **_matching(found, many))
        .annotate(rank=_rank("name", query, lookup))
        .select_related("agency")
        .order_by("rank", "agency__path", "name", "id")
    )


def responsibilities(query: str, cap: int | None = None, many: bool = False) -> QuerySet[Responsibility]:
    lookup = _lookup(query)
    published = ResponsibilitySet.objects.filter(status=PUBLISHED).values("pk")
    kinds = ResponsibilityKind.objects.filter(**{f"name__{lookup}": query}).values("pk")
    live = Responsibility.objects.filter(responsibility_set__status=PUBLISHED) if cap else Responsibility.objects.all()
    found = _ids(
        live.filter(**{f"content__{lookup}": query}).values("pk"),
        live.filter(kind__in=kinds).values("pk"),
        cap=cap,
    )
    return (
        Responsibility.objects.filter(responsibility_set__in=published, **_matching(found, many))
        .annotate(rank=_rank("content", query, lookup))
        .select_related("kind", "stage", "agency", "post__agency", "responsibility_set__department")
        .order_by("rank", "responsibility_set__department__path", "position", "id")
    )


def post_departments(post_ids) -> dict[int, tuple[str, str]]:
    """For each post, the (code, name) of the department whose published breakdown it serves
    (one query for a page of posts: the paginator fetches the page's rows without annotations)."""
    rows = (
        PostAssignment.objects.filter(post_id__in=list(post_ids), power__breakdown__status=PUBLISHED)
        .order_by("post_id", "power__breakdown__department__path")
        .values_list("post_id", "power__breakdown__department__code", "power__breakdown__department__name")
    )
    found = {}
    for post_id, code, name in rows:
        found.setdefault(post_id, (code, name))
    return found


SEARCHES = {
    "powers": powers,
    "entries": entries,
    "departments": departments,
    "posts": posts,
    "responsibilities": responsibilities,
}


def counts(query: str) -> dict[str, int]:
    """Matches per tab, each counted up to CAP + 1 (one query per tab)."""
    # Ids only: the rank is for ordering a page, not for counting.
    return {
        key: search(query, cap=CAP + 1).order_by().values("pk")[: CAP + 1].count() for key, search in SEARCHES.items()
    }
