"""The sentences the hall says aloud and shows: one place, so screens, LED strips and speakers agree."""
from __future__ import annotations


def call_text(number: str, window: str) -> str:
    """The call-out sentence (CONTRACT: `ticket_called.text`): 请A023号到15号窗口办理."""
    return f"请{number}号到{window}号窗口办理"


NOBODY_SERVING = "暂无窗口办理"


def wait_text(minutes: int | None, eta_range: list[int] | tuple[int, ...] | None) -> str:
    """A predicted wait as the slip words it: 预计等候约 8–15 分钟; 即将叫号 when at most a minute is
    left; 暂无窗口办理 when no clerk staffs the queue (no estimate)."""
    if minutes is None:
        return NOBODY_SERVING
    low, high = eta_range or (minutes, minutes)
    if high <= 1:
        return "即将叫号"
    if low < 1:  # "约 0–5 分钟" reads as a promise of no wait: the pages say "5 分钟内" too
        return f"预计等候 {high} 分钟内"
    return f"预计等候约 {low}–{high} 分钟" if low < high else f"预计等候约 {high} 分钟"
