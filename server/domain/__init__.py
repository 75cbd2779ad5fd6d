"""The domain core: tickets, windows, call-next policy and waiting estimates. Plain Python only."""
