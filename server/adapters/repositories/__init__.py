"""Repositories: load and save domain objects over one open transaction (a SQLAlchemy Connection)."""
