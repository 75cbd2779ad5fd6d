"""Database tables (SQLAlchemy Core). Alembic migrations under server/migrations create them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text,
                        TypeDecorator, UniqueConstraint)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
})


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no offset) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


tickets = Table(
    "tickets", metadata,
    Column("id", String(32), primary_key=True),
    Column("day", Date, nullable=False),
    Column("series_queue", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    Column("queue", String(32), nullable=False),
    Column("matter", String(32)),
    Column("floor", Integer, nullable=False),
    Column("zone", String(16), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("status", String(12), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("called_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("window", String(16)),
    Column("clerk", String(64)),
    Column("recalls", Integer, nullable=False, default=0),
    Column("service_seconds", Integer),
    Column("case_number", String(32)),
    Column("issued_by", String(64)),
    Column("kind", String(12), nullable=False, default="walk_in"),  # walk_in | appointment | pickup
    Column("placed_at", UTCDateTime, nullable=False),  # orders its queue: the issue time, later if re-queued
    # The citizen it is tied to (ID card read at the kiosk, a booking, the kiosk's phone field): shown in
    # full only to the window serving it (CONTRACT v2).
    Column("id_number", String(18)),
    Column("holder_name", String(64)),
    Column("phone", String(32)),  # the citizen's mobile for notices (kiosk, booking, case applicant)
    Column("appointment", String(32)),
    Column("requeued", Boolean, nullable=False, default=False),
    # Two tickets can never share a number on one day: the database itself refuses.
    UniqueConstraint("day", "series_queue", "seq", name="uq_tickets_day_queue_seq"),
)
# Call-next takes the head of (queue, priority) by kind then place: 'appointment' sorts before 'walk_in'.
Index("ix_tickets_waiting", tickets.c.status, tickets.c.queue, tickets.c.priority, tickets.c.kind, tickets.c.placed_at)
Index("ix_tickets_identity", tickets.c.day, tickets.c.id_number)
Index("ix_tickets_day_status", tickets.c.day, tickets.c.status)

# The hall's event log: every fact, once, in order (`id`), with the hall's code so that the logs of
# several halls can be merged. A ticket's or a case's audit trail is its rows here; `floor` and
# `window` say where it happened. Append-only.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("subject", String(16), nullable=False),  # ticket, window, case, rating, device
    Column("kind", String(24), nullable=False),  # issued, called … (server/domain/events/)
    Column("subject_id", String(64), nullable=False),
    Column("actor", String(80)),  # who caused it: user:NAME, device:NAME, system:hallq
    Column("floor", Integer),
    Column("window", String(16)),
    Column("payload", Text, nullable=False),  # the event's fields as JSON
)
Index("ix_events_subject", events.c.subject, events.c.subject_id, events.c.id)
Index("ix_events_kind", events.c.subject, events.c.kind, events.c.id)

# 预约: one row per booking. `code` is what the citizen types at the kiosk, unique within its day.
appointments = Table(
    "appointments", metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(6), nullable=False),
    Column("matter", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("end", UTCDateTime, nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("name", String(64), nullable=False),
    Column("phone", String(20)),
    Column("status", String(12), nullable=False),
    Column("booked_by", String(80), nullable=False),
    Column("booked_at", UTCDateTime, nullable=False),
    Column("ticket", String(32)),
    Column("changed_at", UTCDateTime),
    UniqueConstraint("day", "code", name="uq_appointments_day_code"),
)
Index("ix_appointments_slot", appointments.c.matter, appointments.c.day, appointments.c.start)
Index("ix_appointments_holder", appointments.c.id_number, appointments.c.day)
Index("ix_appointments_open", appointments.c.status, appointments.c.end)

counters = Table(
    "counters", metadata,
    Column("day", Date, primary_key=True),
    Column("queue", String(32), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

windows = Table(
    "windows", metadata,
    Column("number", String(16), primary_key=True),
    Column("floor", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("department", String(32)),
    Column("queues", Text, nullable=False),  # JSON list, in order of preference
    Column("state", String(8), nullable=False),
    Column("clerk", String(64)),
    Column("current_ticket", String(32)),
    Column("green_streak", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
    # 电子监察 reads these: since when the window is in its state (or has its clerk), when it last
    # called or ended a ticket, and why it is paused.
    Column("state_since", UTCDateTime),
    Column("active_at", UTCDateTime),
    Column("pause_reason", String(120)),
)

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("departments", Text, nullable=False),  # JSON list: the departments whose windows or cases they work for
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("display_name", String(40), nullable=True),  # what public screens show of the clerk (0010)
)

devices = Table(
    "devices", metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("token_issued_at", UTCDateTime),  # when the current token was made (rotate renews it)
    Column("revoked_at", UTCDateTime),  # set: the token is refused until a rotate gives a new one
)

# Staff sign-in tokens; only a hash of each token is stored.
staff_tokens = Table(
    "staff_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # False from the moment the attempt is counted (before its password is checked), True once it succeeded.
    Column("ok", Boolean, nullable=False),
)
Index("ix_login_attempts_username_at", login_attempts.c.username, login_attempts.c.at)
Index("ix_login_attempts_address_at", login_attempts.c.address, login_attempts.c.at)

# Answers to POSTs that carried an Idempotency-Key, stored in the same transaction as their effect.
idempotency = Table(
    "idempotency", metadata,
    Column("principal", String(80), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request", String(300), nullable=False),  # method and path, so a key reused elsewhere is refused
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# 好差评: one rating per served ticket (一次一评: the first counts), from an evaluator, a rating pad or
# the tracking page. An appeal may take it out of the statistics (`removed_at`); the row stays.
ratings = Table(
    "ratings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("window", String(16), nullable=False),
    Column("ticket_id", String(32), unique=True),
    Column("number", String(16)),
    Column("clerk", String(64)),
    Column("matter", String(32)),
    Column("department", String(32)),
    Column("level", Integer, nullable=False),  # 1 非常满意 … 5 非常不满意
    Column("channel", String(16), nullable=False),  # pad | tracking | evaluator
    Column("comment", Text),
    Column("source", String(80), nullable=False),  # who sent it: device:NAME, user:NAME, anonymous:-
    Column("removed_at", UTCDateTime),  # an upheld appeal (申诉) removed it from the statistics
)
Index("ix_ratings_window_at", ratings.c.window, ratings.c.at)

# Cases (办件) routed from a window to the back office. Applicant data stays here; views mask it.
cases = Table(
    "cases", metadata,
    Column("id", String(32), primary_key=True),  # unguessable: the public tracking key
    Column("number", String(32), nullable=False, unique=True),  # what the citizen types at the kiosk
    Column("ticket_id", String(32), nullable=False),
    Column("ticket_number", String(16), nullable=False),
    Column("matter", String(32), nullable=False),
    Column("status", String(20), nullable=False),
    Column("applicant_name", String(64), nullable=False),
    Column("applicant_phone", String(32), nullable=False),
    Column("materials", Text, nullable=False),  # JSON list, from the matter's guide
    Column("supplements", Text, nullable=False),  # JSON list, recorded after a 补正 request
    Column("note", Text),
    Column("window", String(16), nullable=False),
    Column("clerk", String(64)),
    Column("accepted_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("returned_at", UTCDateTime),
    Column("stopped_at", UTCDateTime),
    Column("handed_over", String(8)),
    Column("tracking", String(64)),
    Column("handed_over_at", UTCDateTime),
    Column("alerted", String(12)),
    # 取件码: kept in clear, since the clerk may show it again and a 6-digit code hashed would be found by
    # trying the 10^6 codes; it sits beside the applicant's phone, which is as private.
    Column("pickup_code", String(8)),
    Column("applicant_id", String(18)),  # the applicant's ID number (ticket taken with the ID card)
    Column("pickup_failures", Integer, nullable=False, default=0, server_default="0"),
)
Index("ix_cases_status_due", cases.c.status, cases.c.due_at)

# One row per department a case involves (several for a one-thing case: 并联审批).
case_reviews = Table(
    "case_reviews", metadata,
    Column("case_id", String(32), primary_key=True),
    Column("department", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("claimed_by", String(64)),
    Column("note", Text),
    Column("requested", Text, nullable=False),  # JSON list of materials asked for (补正)
    Column("decided_by", String(64)),
    Column("decided_at", UTCDateTime),
)
Index("ix_case_reviews_department_status", case_reviews.c.department, case_reviews.c.status)

# Tickets a printer owes (printing.py): written with the ticket, crossed off when printed.
print_jobs = Table(
    "print_jobs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("printer", String(64), nullable=False),
    Column("ticket_id", String(32), nullable=False, index=True),
    Column("number", String(16), nullable=False),
    Column("reprint", Boolean, nullable=False),
    Column("payload", Text, nullable=False),  # the TICKET to print, as JSON
    Column("queued_at", UTCDateTime, nullable=False),
    Column("printed_at", UTCDateTime),
    # Taken off the queue unprinted (printer down, or waited too long): never printed by itself.
    Column("dropped_at", UTCDateTime),
    Column("dropped_reason", String(16)),
)
Index("ix_print_jobs_owed", print_jobs.c.printed_at, print_jobs.c.printer, print_jobs.c.id)

# Each device's health as its driver last reported it (devices.py): every process and a restart see it.
device_health = Table(
    "device_health", metadata,
    Column("name", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime),
    # A floor speaker's calls waiting to be spoken, and since when the oldest waits (NULL: none waiting).
    Column("backlog_calls", Integer),
    Column("backlog_since", UTCDateTime),
)

# 回访整改: the follow-up of each 差评; its history is the event log's (subject follow_up).
follow_ups = Table(
    "follow_ups", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rating_id", Integer, nullable=False, unique=True),
    Column("status", String(12), nullable=False),  # open contacted fixed appealed closed
    Column("outcome", String(12)),  # an appeal's: upheld | removed
    Column("contact_due", Date, nullable=False),
    Column("fix_due", Date, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_follow_ups_status", follow_ups.c.status)

# 电子监察: every alert with its whole life. `open_key` (rule, subject, level) is set while the alert is
# open and unique, so each is raised once however many processes watch; cleared, it is NULL.
alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("rule", String(24), nullable=False),
    Column("level", String(8), nullable=False),  # yellow | red
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("open_key", String(160), unique=True),
    Column("message", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: what the board shows and jumps to (window, ticket …)
    Column("raised_at", UTCDateTime, nullable=False),
    Column("cleared_at", UTCDateTime),
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", UTCDateTime),
    Column("note", Text),
)
Index("ix_alerts_raised_at", alerts.c.raised_at)
Index("ix_alerts_open", alerts.c.cleared_at, alerts.c.id)

# Notices to citizens (短信/微信 through the hall's gateway, docs/notices.md): the outbox. A notice is
# written in the transaction of the command that causes it; `dedupe_key` (unique) keeps it from being
# queued twice; the worker claims due ones with a lease (`claimed_until`), posts them, crosses them off.
notices = Table(
    "notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event", String(24), nullable=False),  # ahead called case_ready appointment_booked appointment_reminder
    Column("phone", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("ticket_id", String(32)),
    Column("case_id", String(32)),
    Column("dedupe_key", String(120), nullable=False, unique=True),  # e.g. called:TICKET:WINDOW, case_ready:CASE
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_until", UTCDateTime),  # a worker's lease: nobody else sends it before then
    Column("sent_at", UTCDateTime),
    Column("failed_at", UTCDateTime),  # gave up after [notices] max_attempts
    Column("last_error", String(200)),  # short, never the phone
)
Index("ix_notices_due", notices.c.sent_at, notices.c.failed_at, notices.c.due_at)
Index("ix_tickets_waiting_phone", tickets.c.status, tickets.c.phone)
