"""Persistence around the service layer: the unit of work over SQLAlchemy, its repositories, tables,
engine settings per backend, and the device lock."""
