"""Alembic's environment: migrations run on the connection :func:`grader.service.db.upgrade` opened."""
from alembic import context

from grader.service.db import metadata


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic (a doctest collector only imports it)
    run_migrations()
