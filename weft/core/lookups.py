"""`field__among=ids`: the rows whose (integer) field is one of `ids`, like `__in`, with the list
sent as a single parameter.

`__in` writes one placeholder per value and prepares each value in Python; with the thousands
of ids a bulk import's batch names in each of its queries, that preparation and (on PostgreSQL)
parsing and planning a list of thousands of constants cost more than the query itself. Here the
ids go as one array (PostgreSQL: `= ANY(%s)`) or one JSON text (SQLite: `IN (SELECT value FROM
json_each(%s))`, which SQLite answers with the same index look-ups as a list).

Pass the ids as a set (or any iterable but a list or tuple): Django walks a list or tuple value
element by element, looking for expressions, before any lookup sees it (400,000 calls in the
writing process of a 100,000-row import).
"""

import json

from django.db.models import Field, ForeignObject, Lookup


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        try:
            return [int(v) for v in self.rhs]
        except (TypeError, ValueError):
            raise TypeError("__among takes an iterable of integer ids") from None

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)  # a column Django quoted
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, self.rhs]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, json.dumps(self.rhs)]


Field.register_lookup(Among)
ForeignObject.register_lookup(Among)  # foreign keys look only at lookups of their own classes
