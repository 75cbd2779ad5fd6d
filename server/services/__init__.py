"""The service layer: commands and queries that every entry point (HTTP, Socket.IO, pagers, CLI) uses."""
