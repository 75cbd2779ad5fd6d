"""A print job can be dropped unprinted (its printer was down, or it waited too long), so a slip never
comes out by itself for the next person at the kiosk (issue 13; docs/hardware.md "Slips that did not
print").

Revision ID: 0011_print_dropped
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op


revision = '0011_print_dropped'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_jobs') as batch:
        batch.add_column(sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('dropped_reason', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('print_jobs') as batch:
        batch.drop_column('dropped_reason')
        batch.drop_column('dropped_at')
