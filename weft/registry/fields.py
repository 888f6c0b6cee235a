"""A list-of-tokens column: `text[]` on PostgreSQL, space-separated text on SQLite.

The directory's search and filters are one containment query over these tokens; see search.py.
"""

from django.db import models


class TokenListField(models.Field):
    description = "Search tokens"

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        tokens = list(value)
        if connection.vendor == "postgresql":
            return tokens
        return " ".join(tokens)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        if isinstance(value, str):
            return value.split()
        return list(value)

    def to_python(self, value):
        if isinstance(value, str):
            return value.split()
        return list(value or [])


FTS = "registry_enterprise_fts"  # SQLite's token index (migration 0002)
GIN = "registry_enterprise_tokens_gin"  # PostgreSQL's token index (migration 0002)


def fts_match(tokens) -> str:
    """An FTS5 query requiring every token, each quoted as a phrase (tokens hold ':' and '_')."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in tokens)


@TokenListField.register_lookup
class ContainsAllTokens(models.Lookup):
    """`search_tokens__has_all=[...]`: every token is present.

    PostgreSQL answers from a GIN index on the array; SQLite from an FTS5 table kept in step
    by triggers (migration 0002), whose MATCH intersects the posting lists.
    """

    lookup_name = "has_all"

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::text[]", [*lhs_params, list(self.rhs)]

    def as_sqlite(self, compiler, connection):
        alias = self.lhs.alias
        match = fts_match(self.rhs)
        qn = compiler.quote_name_unless_alias
        # Only the table alias is interpolated; the MATCH expression is a bound parameter.
        sql = f"{qn(alias)}.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"  # noqa: S608
        return sql, [match]

    def as_sql(self, compiler, connection):
        raise NotImplementedError("Weft supports PostgreSQL and SQLite")
