"""Database layer: models, the engine for a URL, migrations and search."""
