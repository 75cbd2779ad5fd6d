"""电子监察 and 好差评: alerts with their life, one rating per ticket with its channel and comment, the
follow-ups of 差评, and the windows' times that supervision reads

A ticket rated more than once before this revision (the evaluator allowed it) keeps its first rating
tied to it; the later ones keep their row without the ticket (their facts stay in the event log).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE ratings SET ticket_id = NULL WHERE ticket_id IS NOT NULL AND id NOT IN "
        "(SELECT first_id FROM (SELECT MIN(id) AS first_id FROM ratings WHERE ticket_id IS NOT NULL "
        "GROUP BY ticket_id) AS firsts)"))
    with op.batch_alter_table('ratings') as batch:
        batch.add_column(sa.Column('number', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('matter', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('department', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('channel', sa.String(length=16), nullable=False, server_default='evaluator'))
        batch.add_column(sa.Column('comment', sa.Text(), nullable=True))
        batch.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint('uq_ratings_ticket_id', ['ticket_id'])
    with op.batch_alter_table('windows') as batch:
        batch.add_column(sa.Column('state_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('active_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('pause_reason', sa.String(length=120), nullable=True))
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('contact_due', sa.Date(), nullable=False),
    sa.Column('fix_due', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_follow_ups_rating_id'))
    )
    op.create_index('ix_follow_ups_status', 'follow_ups', ['status'], unique=False)
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('rule', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('open_key', sa.String(length=160), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('open_key', name=op.f('uq_alerts_open_key'))
    )
    op.create_index('ix_alerts_raised_at', 'alerts', ['raised_at'], unique=False)
    op.create_index('ix_alerts_open', 'alerts', ['cleared_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_alerts_open', table_name='alerts')
    op.drop_index('ix_alerts_raised_at', table_name='alerts')
    op.drop_table('alerts')
    op.drop_index('ix_follow_ups_status', table_name='follow_ups')
    op.drop_table('follow_ups')
    with op.batch_alter_table('windows') as batch:
        batch.drop_column('pause_reason')
        batch.drop_column('active_at')
        batch.drop_column('state_since')
    with op.batch_alter_table('ratings') as batch:
        batch.drop_constraint('uq_ratings_ticket_id', type_='unique')
        for column in ('removed_at', 'comment', 'channel', 'department', 'matter', 'number'):
            batch.drop_column(column)
