"""`field__any=[...]`: membership in a list as ONE parameter on PostgreSQL (`= ANY(%s)`), where `__in` sends a
placeholder per value — which the driver must split and the server parse again (a chunk of the send path
looks up a thousand endpoints and addresses at once). Other databases get the plain IN list."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Lookup


@CharField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self) -> Any:
        return [str(v) for v in self.rhs]

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::text[])", [*lhs_params, list(self.rhs)]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []
        marks = ", ".join("%s" for _ in self.rhs)
        return f"{lhs} IN ({marks})", [*lhs_params, *self.rhs]
