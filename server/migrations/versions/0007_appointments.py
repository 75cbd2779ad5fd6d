"""Appointments, identity, quotas: bookings, and what a ticket carries of them — its kind, the holder an
ID card or a booking tied it to (its phone came with the notices, 0006), where it stands in its queue
(a re-queued no-show stands later than its issue time), the booking it came from

Tickets issued before this revision keep their place (`placed_at` = issue time); those that collect a
case's result become `pickup` tickets.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='walk_in'))
        batch.add_column(sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))
        batch.add_column(sa.Column('holder_name', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('appointment', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('requeued', sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE tickets SET placed_at = issued_at"))
    bind.execute(sa.text("UPDATE tickets SET kind = 'pickup' WHERE case_number IS NOT NULL AND status <> 'routed'"))
    with op.batch_alter_table('tickets') as batch:
        batch.alter_column('placed_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.drop_index('ix_tickets_waiting')
        batch.create_index('ix_tickets_waiting', ['status', 'queue', 'priority', 'kind', 'placed_at'], unique=False)
        batch.create_index('ix_tickets_identity', ['day', 'id_number'], unique=False)
    op.create_table('appointments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('matter', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('booked_by', sa.String(length=80), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ticket', sa.String(length=32), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('day', 'code', name='uq_appointments_day_code')
    )
    op.create_index('ix_appointments_slot', 'appointments', ['matter', 'day', 'start'], unique=False)
    op.create_index('ix_appointments_holder', 'appointments', ['id_number', 'day'], unique=False)
    op.create_index('ix_appointments_open', 'appointments', ['status', 'end'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_appointments_open', table_name='appointments')
    op.drop_index('ix_appointments_holder', table_name='appointments')
    op.drop_index('ix_appointments_slot', table_name='appointments')
    op.drop_table('appointments')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_index('ix_tickets_identity')
        batch.drop_index('ix_tickets_waiting')
        batch.create_index('ix_tickets_waiting', ['status', 'queue', 'priority', 'issued_at'], unique=False)
        for column in ('requeued', 'appointment', 'holder_name', 'id_number', 'placed_at', 'kind'):
            batch.drop_column(column)
