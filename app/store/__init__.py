"""Persistence: SQLAlchemy models, engine, migrations, repositories and data services."""
