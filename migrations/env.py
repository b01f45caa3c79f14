"""Alembic environment for StrikeDesk's schema; run in-process by `app.store.migrate`.

`app.store.migrate` builds the alembic Config in code and hands over an open connection in
`config.attributes["connection"]` (no alembic.ini at run time, in a checkout or a frozen build).
`sqlalchemy.url` is the fallback for developer tooling (`app.store.migrate.revision`).
No `logging.config.fileConfig` here: the application configures logging, and the frozen build
would otherwise need `logging.config` as a hidden import.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.store.engine import create_engine_for
from app.store.migrate import render_item
from app.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: alembic rebuilds the table (copy, drop, rename).
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url or not url.startswith("sqlite:///"):
        raise RuntimeError("set sqlalchemy.url to sqlite:///PATH or pass a connection")
    engine = create_engine_for(url.removeprefix("sqlite:///"), foreign_keys=False)
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
