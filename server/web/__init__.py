"""Pages served by the hall server."""
