"""Socket.IO push adapter."""
