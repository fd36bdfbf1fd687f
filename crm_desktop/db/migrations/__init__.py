"""Alembic migrations, shipped inside the package and run on open."""
