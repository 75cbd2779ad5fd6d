"""The sentences the hall says aloud and shows: one place, so screens, LED strips and speakers agree."""
from __future__ import annotations


def call_text(number: str, window: str) -> str:
    """The call-out sentence (CONTRACT: `ticket_called.text`): 请A023号到15号窗口办理."""
    return f"请{number}号到{window}号窗口办理"
