"""The hall config's `[notices]` section: the gateway of notices to citizens (短信/微信通知, CONTRACT
v2), their retries, and the sentence of each kind of notice (docs/notices.md)."""
from __future__ import annotations

import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The values each notice's sentence may use (docs/notices.md); a template naming another is refused.
NOTICE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "ahead": frozenset({"hall", "number", "ahead", "matter"}),
    "called": frozenset({"hall", "number", "window", "matter"}),
    "case_ready": frozenset({"hall", "case", "matter", "window"}),
    "appointment_booked": frozenset({"hall", "matter", "date", "start", "code"}),
    "appointment_reminder": frozenset({"hall", "matter", "date", "start", "code"}),
}
NoticeText = Annotated[str, Field(min_length=1, max_length=300)]


class NoticeTemplates(_Strict):
    """The sentence of each notice, with named placeholders in braces (`{number}`)."""

    ahead: NoticeText = "【{hall}】您的{number}号前面还有{ahead}人，请回到等候区。"
    called: NoticeText = "【{hall}】您的{number}号已叫号，请到{window}号窗口办理。"
    case_ready: NoticeText = "【{hall}】您的办件{case}已办结，请凭本短信到综合窗口取件。"
    appointment_booked: NoticeText = "【{hall}】您已预约{date} {start}办理{matter}，预约码{code}，请按时到大厅取号。"
    appointment_reminder: NoticeText = "【{hall}】提醒：您预约的{matter}在{date} {start}，预约码{code}。"

    @model_validator(mode="after")
    def _known_placeholders(self):
        problems = []
        for event, known in NOTICE_PLACEHOLDERS.items():
            template = getattr(self, event)
            try:
                named = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
            except ValueError as exc:
                problems.append(f"{event}: {exc} (write a brace as {{{{ or }}}})")
                continue
            unknown = sorted(named - known)
            if unknown:
                problems.append(f"{event}: unknown placeholder {', '.join('{' + n + '}' for n in unknown)}; "
                                f"it may use {', '.join('{' + n + '}' for n in sorted(known))}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Notices(_Strict):
    """Notices to citizens (CONTRACT v2) through the hall's SMS/WeChat gateway; docs/notices.md.
    Without `url` no notice is queued at all."""

    url: Annotated[str, Field(pattern=r"^http://[^\s/]+(/\S*)?$", max_length=300)] | None = None
    ahead: int = Field(3, ge=1, le=50)  # tell a waiting ticket's phone once this few are before it
    max_attempts: int = Field(12, ge=1, le=100)  # then the notice is given up (failed)
    backoff_base_seconds: float = Field(5, gt=0, le=3600)  # the wait after the first failure, doubling
    backoff_cap_seconds: float = Field(600, gt=0, le=86400)  # the longest wait between two attempts
    timeout_seconds: float = Field(5, gt=0, le=60)  # one POST to the gateway
    reminder_minutes: int = Field(120, ge=5, le=2880)  # appointment_reminder: this long before the slot
    templates: NoticeTemplates = Field(default_factory=NoticeTemplates)

    @model_validator(mode="after")
    def _backoff(self):
        if self.backoff_base_seconds > self.backoff_cap_seconds:
            raise ValueError("backoff_base_seconds must not exceed backoff_cap_seconds")
        return self
