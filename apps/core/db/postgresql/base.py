"""Django's PostgreSQL backend (psycopg 3), with our compiler module (see compiler.py).

Settings name it as the ENGINE whenever DATABASE_URL is a PostgreSQL one; everything else —
connections, introspection, migrations, `connection.vendor == "postgresql"` — is Django's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "apps.core.db.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
