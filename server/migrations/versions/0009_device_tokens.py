"""Device tokens get an issue date and can be revoked (issue 14: accounts and devices are managed)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.add_column(sa.Column('token_issued_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    # Tokens made before this revision were issued when their device was registered.
    op.execute("UPDATE devices SET token_issued_at = created_at WHERE token_issued_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('token_issued_at')
