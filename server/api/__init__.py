"""HTTP adapter: the /api/v1 routes."""
