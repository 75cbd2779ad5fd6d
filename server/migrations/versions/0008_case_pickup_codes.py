"""Cases: the pickup code (取件码) printed on the acceptance receipt, the applicant's ID number when the
ticket was taken with the ID card, and the count of wrong codes given at kiosks (issue 14)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('pickup_code', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('applicant_id', sa.String(length=18), nullable=True))
        batch.add_column(sa.Column('pickup_failures', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('pickup_failures')
        batch.drop_column('applicant_id')
        batch.drop_column('pickup_code')
