"""Notices to citizens: the outbox of notices for the hall's SMS/WeChat gateway, and a ticket's
optional phone (the kiosk's field) that its notices go to

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
    op.create_index('ix_tickets_waiting_phone', 'tickets', ['status', 'phone'], unique=False)
    op.create_table('notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event', sa.String(length=24), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notices_dedupe_key'))
    )
    op.create_index('ix_notices_due', 'notices', ['sent_at', 'failed_at', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notices_due', table_name='notices')
    op.drop_table('notices')
    op.drop_index('ix_tickets_waiting_phone', table_name='tickets')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('phone')
