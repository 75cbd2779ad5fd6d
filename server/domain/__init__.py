"""The domain core: tickets, windows, cases, ratings, the typed events they record, and refusals with
their reasons. Plain Python: the standard library only."""
