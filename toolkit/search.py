"""Exact substring search that an index serves at every length, Chinese included.

pg_trgm's indexes serve patterns of three characters and more; one- and two-character Chinese
queries (食, 食品, 处罚) fell back to a sequential scan whose cost grows with the table. On
PostgreSQL the ``lecrs_ngrams(text)`` function (basis migration 0009) returns the distinct
single characters and bigrams of a text, lower-cased, and GIN expression indexes over it let
``col ngram_contains '食品'`` find the candidate rows by ``lecrs_ngrams(col) @> '{食品}'`` — then
the same match as ``contains`` (by ``strpos``) rechecks them, so the result is exactly
``contains``'s. Three characters and more keep the plain ``LIKE`` that the trigram indexes serve
(``ILIKE`` for the case-insensitive lookup, which they serve too). Elsewhere (SQLite) the
lookups are ``contains`` and ``icontains``.
"""

from django.db.models import AutoField, BigAutoField, CharField, Lookup, TextField
from django.db.models.lookups import Contains, IContains

NGRAM = 2  # the longest query the n-gram index answers; longer ones go to the trigram index


class _NgramMixin:
    """Registered under its own name, but builds its SQL as the lookup it extends (the backends'
    operator tables and casts know only ``contains`` and ``icontains``)."""

    def __init__(self, lhs, rhs):
        super().__init__(lhs, rhs)
        self.lookup_name = self.base_lookup_name

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        query = self.rhs
        if isinstance(query, str) and 0 < len(query) <= NGRAM:
            # The bare column, as the index expression has it (not icontains' UPPER(...)).
            # The recheck is strpos, not the LIKE: a two-character LIKE looks servable to a
            # trigram index of the same column, which the planner then walks whole (it has no
            # trigram to look up) instead of the n-gram index. Same match as contains
            # (icontains: both sides upper-cased, as Django's).
            lhs_sql, lhs_params = compiler.compile(self.lhs)
            if self.base_lookup_name == "icontains":
                recheck, needle = f"strpos(upper({lhs_sql}::text), upper(%s)) > 0", query
            else:
                recheck, needle = f"strpos({lhs_sql}::text, %s) > 0", query
            return (
                f"(lecrs_ngrams({lhs_sql}) @> ARRAY[%s]::text[] AND {recheck})",
                [*lhs_params, query.lower(), *lhs_params, needle],
            )
        if self.base_lookup_name == "icontains":
            # Django's icontains is UPPER(col) LIKE UPPER(...), which no index of the bare
            # column serves; ILIKE on the column is the same match and pg_trgm's index serves it.
            lhs_sql, lhs_params = compiler.compile(self.lhs)
            rhs_sql, rhs_params = self.process_rhs(compiler, connection)
            return f"{lhs_sql} ILIKE {rhs_sql}", [*lhs_params, *rhs_params]
        return sql, params


@CharField.register_lookup
@TextField.register_lookup
class NgramContains(_NgramMixin, Contains):
    lookup_name = "ngram_contains"
    base_lookup_name = "contains"


@CharField.register_lookup
@TextField.register_lookup
class NgramIContains(_NgramMixin, IContains):
    lookup_name = "ngram_icontains"
    base_lookup_name = "icontains"


def substring_lookup(query: str) -> str:
    """The lookup for ``query``: Chinese has no letter case, so the case-sensitive one (which the
    indexes serve directly) unless the query has Latin letters to fold."""
    return "ngram_icontains" if any(c.isascii() and c.isalpha() for c in query) else "ngram_contains"


@AutoField.register_lookup
@BigAutoField.register_lookup
class InFound(Lookup):
    """``pk__in_found=<id queryset>``: the rows whose id the subquery finds, with the subquery
    run first. Elsewhere it is ``IN``; on PostgreSQL ``= ANY(ARRAY(subquery))``, an init plan
    whose ids then fetch the rows by primary key. ``IN (subquery)`` lets the planner guess how
    many ids a union of searches finds, and a guess in the thousands (it cannot know that no
    kind or department matched) made it read the whole table to hash-join them."""

    lookup_name = "in_found"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} IN {rhs_sql}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", [*lhs_params, *rhs_params]
