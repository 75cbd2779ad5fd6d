"""Adapters around the service layer: database, HTTP API, Socket.IO push."""
