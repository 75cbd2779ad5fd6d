"""Tickets a kiosk's printer owes: kept in the database, so a restart or a dead printer loses none."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintJob:
    """One ticket to print on one printer. `ticket` is the TICKET as answered when it was issued
    (for a reprint: as it is now): id, number, queue, matter, floor, zone, issued_at, ahead,
    eta_minutes …"""
    id: int
    printer: str
    reprint: bool
    ticket: dict
