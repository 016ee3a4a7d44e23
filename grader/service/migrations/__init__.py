"""Alembic migrations of the service's database (shipped in the wheel; run by :func:`grader.service.db.upgrade`)."""
