"""ratings from window evaluators (好差评)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=True),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings'))
    )
    op.create_index('ix_ratings_window_at', 'ratings', ['window', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ratings_window_at', table_name='ratings')
    op.drop_table('ratings')
