"""Storage: SQLAlchemy Core, one MetaData, Alembic; SQLite by default, PostgreSQL at scale."""
