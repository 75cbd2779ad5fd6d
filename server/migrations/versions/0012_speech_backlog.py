"""A floor speaker's backlog (calls waiting to be spoken, since when the oldest waits), beside its health,
so the admin board sees it on every process (issue 13; docs/hardware.md "A busy floor").

Revision ID: 0012_speech_backlog
Revises: 0011_print_dropped
"""
import sqlalchemy as sa
from alembic import op


revision = '0012_speech_backlog'
down_revision = '0011_print_dropped'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('device_health') as batch:
        batch.add_column(sa.Column('backlog_calls', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('backlog_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('device_health') as batch:
        batch.drop_column('backlog_since')
        batch.drop_column('backlog_calls')
