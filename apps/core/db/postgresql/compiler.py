"""Django's PostgreSQL compilers; a small bulk insert is written as VALUES rows, not UNNEST.

Django 5.2 inserts two rows or more as `SELECT * FROM UNNEST(%s::type[], ...)`: one array per
column, to spare PostgreSQL the planning of a long VALUES list. Each array is dumped by psycopg's
list dumper, in Python, column by column; for the checkout's bulk inserts (an order's lines, a
ticket's lines, a payment's two log rows) that cost more than it saved. Measured on an order line
(20 columns), client CPU per insert: 2 rows 0.33 ms as VALUES against 0.65 as UNNEST, 8 rows even,
32 rows 2.8 against 1.9; a checkout's instructions fell by 7 % (issue 18). With prepared
statements, PostgreSQL plans each VALUES shape once per connection anyway.
"""

from django.db.backends.postgresql.compiler import (
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as PostgresInsertCompiler

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]

# From this many rows on, Django's UNNEST (where it applies); below, one VALUES row per object.
UNNEST_FROM_ROWS = 8


class SQLInsertCompiler(PostgresInsertCompiler):
    def assemble_as_sql(self, fields, value_rows):
        if len(value_rows) < UNNEST_FROM_ROWS:
            # The generic compiler's VALUES form, skipping PostgreSQL's UNNEST specialisation.
            return super(PostgresInsertCompiler, self).assemble_as_sql(fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)
