"""A queryset compiled once per database connection and re-run with new parameter values.

Compiling a queryset's SQL is Python work on every request: a query with a dozen subqueries (a
public page's freshness check, say) takes longer to compile than PostgreSQL takes to run it.
``PreparedQuery(build, int, str)`` calls ``build`` once per connection with stand-in values of
the declared types, compiles the result, finds where each stand-in landed among the SQL's
parameters, and from then on runs that SQL with the real values put in their place. Rows come
back through Django's own iterables (model instances with their ``select_related`` objects and
annotations, or ``values_list`` tuples), prefetches included.

``build`` must pass each argument to the database unchanged (``pk=x``, ``code=x``,
``Value(x)``): a lookup that rewrites it (``__startswith`` adds a ``%``, ``__in`` spreads a list)
is refused when the query is prepared, as is an argument that reaches no parameter. ``None``
cannot stand for a value (``x=None`` compiles to IS NULL): pass 0 for "no id".
"""

from __future__ import annotations

import datetime
from typing import Callable

from django.db import connections, router
from django.db.models import QuerySet

_STAND_INS = {
    int: lambda i: -2_000_000_011 - i,
    str: lambda i: f"\x1fprepared-query-{i}\x1f",
    datetime.date: lambda i: datetime.date(1, 1, 1 + i),
}


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet], *types: type):
        unknown = [t for t in types if t not in _STAND_INS]
        if unknown:
            raise TypeError(f"PreparedQuery takes arguments of types {list(_STAND_INS)}, not {unknown}")
        self.build = build
        self.types = types
        self.model = None  # learnt from the first build
        self._spare = None

    def _alias(self, using: str | None) -> str:
        """The connection the queryset would read from now: the router decides per request (a
        public page may read from the replica), so the SQL is compiled, kept and run on that
        connection, never on the one the query happened to be prepared on first."""
        if using is not None:
            return using
        if self.model is None:
            self._spare = self._build_stand_in()
            self.model = self._spare.model
        return router.db_for_read(self.model) or "default"

    def _build_stand_in(self) -> QuerySet:
        spare, self._spare = self._spare, None  # the build that taught us the model, used once
        return spare if spare is not None else self.build(*self._stand_ins())

    def _stand_ins(self) -> list:
        return [_STAND_INS[t](i) for i, t in enumerate(self.types)]

    def _prepared(self, using: str):
        connection = connections[using]
        prepared = connection.__dict__.setdefault("_prepared_queries", {})
        entry = prepared.get(self)
        if entry is None:
            stand_ins = self._stand_ins()
            queryset = self._build_stand_in().using(using)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = []
            for value in params:
                # A backend may send a value as its text (SQLite does dates so): then so is the
                # real value.
                slot = next((i for i, s in enumerate(stand_ins) if type(value) is type(s) and value == s), None)
                as_text = False
                if slot is None and isinstance(value, str):
                    slot = next((i for i, s in enumerate(stand_ins) if value == str(s)), None)
                    as_text = slot is not None
                    if slot is None and any(str(s) in value for s in stand_ins):
                        raise ValueError(f"{self.build.__qualname__}: an argument was rewritten on its way to the SQL ({value!r})")
                slots.append(None if slot is None else (slot, as_text))
            missing = set(range(len(stand_ins))) - {slot[0] for slot in slots if slot}
            if missing:
                raise ValueError(f"{self.build.__qualname__}: arguments {sorted(missing)} reach no SQL parameter")
            entry = prepared[self] = (queryset, compiler, sql, tuple(params), tuple(slots))
        return entry

    def all(self, *args, using: str | None = None) -> list:
        """The rows of ``build(*args)``, as that queryset would give them, read from ``using`` or
        from where the router sends the model's reads."""
        if len(args) != len(self.types):
            raise TypeError(f"expected {len(self.types)} arguments, got {len(args)}")
        queryset, compiler, sql, params, slots = self._prepared(self._alias(using))
        params = tuple(
            value if slot is None else str(args[slot[0]]) if slot[1] else args[slot[0]] for value, slot in zip(params, slots)
        )
        # The compiler already knows the columns, their converters and which model each belongs
        # to; it is only told to hand over this SQL instead of compiling again. A fresh clone
        # carries the patched compiler into Django's iterable and is dropped after.
        compiler.as_sql = lambda *a, **k: (sql, params)
        run = queryset._chain()
        run.query.get_compiler = lambda *a, **k: compiler
        return list(run)

    def first(self, *args, using: str | None = None):
        rows = self.all(*args, using=using)
        return rows[0] if rows else None
