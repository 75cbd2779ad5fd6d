"""one event log for every fact; print jobs and device health in the database; several departments per account

The ticket and case audit trails (ticket_events, case_events) move into `events`, in their order,
each row shaped as the event it was (the ticket's status, queue and window after it; the step's
details), then the old tables go.

Revision ID: 0004
Revises: 0003
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

HALL = "hall"  # rows from before the log carry no hall code of their own


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('window', sa.String(length=16), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_index('ix_events_subject', 'events', ['subject', 'subject_id', 'id'], unique=False)
    op.create_index('ix_events_kind', 'events', ['subject', 'kind', 'id'], unique=False)
    _move_audit_trails(op.get_bind())
    op.drop_table('ticket_events')
    op.drop_table('case_events')

    op.create_table('print_jobs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('printer', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('reprint', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs'))
    )
    op.create_index(op.f('ix_print_jobs_ticket_id'), 'print_jobs', ['ticket_id'], unique=False)
    op.create_index('ix_print_jobs_owed', 'print_jobs', ['printed_at', 'printer', 'id'], unique=False)
    op.create_table('device_health',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_device_health'))
    )

    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('departments', sa.Text(), nullable=False, server_default='[]'))
    users = sa.table('users', sa.column('username', sa.String), sa.column('department', sa.String),
                     sa.column('departments', sa.Text))
    bind = op.get_bind()
    for username, department in bind.execute(sa.select(users.c.username, users.c.department)).all():
        if department:
            bind.execute(users.update().where(users.c.username == username).values(departments=json.dumps([department])))
    with op.batch_alter_table('users') as batch:
        batch.drop_column('department')
    with op.batch_alter_table('idempotency') as batch:
        batch.drop_column('status_code')


def _move_audit_trails(bind) -> None:
    events = sa.table('events', *(sa.column(c) for c in ('hall', 'at', 'subject', 'kind', 'subject_id', 'actor',
                                                           'floor', 'window', 'payload')))
    ticket_rows = bind.execute(sa.text(
        "SELECT e.ticket_id, e.at, e.kind, e.status, e.queue, e.window, e.actor, e.detail, t.floor, t.number "
        "FROM ticket_events e LEFT JOIN tickets t ON t.id = e.ticket_id ORDER BY e.id")).all()
    case_rows = bind.execute(sa.text(
        "SELECT c.case_id, c.at, c.kind, c.actor, c.department, c.detail, k.number, k.window "
        "FROM case_events c LEFT JOIN cases k ON k.id = c.case_id ORDER BY c.id")).all()
    moved = []
    for r in ticket_rows:
        payload = {"ticket": {"id": r.ticket_id, "number": r.number, "status": r.status, "queue": r.queue,
                              "window": r.window}, **(json.loads(r.detail) if r.detail else {})}
        moved.append((r.at, dict(hall=HALL, at=r.at, subject="ticket", kind=r.kind, subject_id=r.ticket_id,
                                 actor=r.actor, floor=r.floor, window=r.window,
                                 payload=json.dumps(payload, ensure_ascii=False))))
    for r in case_rows:
        payload = {"case_id": r.case_id, "number": r.number, "department": r.department,
                   **(json.loads(r.detail) if r.detail else {})}
        moved.append((r.at, dict(hall=HALL, at=r.at, subject="case", kind=r.kind, subject_id=r.case_id,
                                 actor=r.actor, floor=None, window=r.window,
                                 payload=json.dumps(payload, ensure_ascii=False))))
    moved.sort(key=lambda item: item[0])  # one stream, in the order things happened (stable for equal times)
    if moved:
        bind.execute(events.insert(), [row for _, row in moved])


def downgrade() -> None:
    raise NotImplementedError("the event log replaces the old audit tables; restore a backup to go back")
