"""好差评: evaluations, 差评 cases, the provincial upload outbox

Revision ID: 0004_evaluations
Revises: 0003
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_evaluations'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluations',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('real_name', sa.Boolean(), nullable=False),
        sa.Column('service_day', sa.Date(), nullable=False),
        sa.Column('number', sa.String(length=12), nullable=False),
        sa.Column('queue', sa.String(length=2), nullable=False),
        sa.Column('item_code', sa.String(length=64), nullable=True),
        sa.Column('window', sa.String(length=32), nullable=True),
        sa.Column('clerk_id', sa.String(length=32), nullable=True),
        sa.Column('clerk_name', sa.String(length=50), nullable=True),
        sa.Column('served_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'kind', name='uq_evaluation_once'),
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_hall_created', ['hall_id', 'created_at'], unique=False)
    op.create_table(
        'evaluation_cases',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.String(length=40), nullable=False),
        sa.Column('evaluation_id', sa.String(length=40), nullable=False),
        sa.Column('number', sa.String(length=12), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('real_name', sa.Boolean(), nullable=False),
        sa.Column('queue', sa.String(length=2), nullable=False),
        sa.Column('item_code', sa.String(length=64), nullable=True),
        sa.Column('window', sa.String(length=32), nullable=True),
        sa.Column('clerk_id', sa.String(length=32), nullable=True),
        sa.Column('lead', sa.String(length=32), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('appeal', sa.String(length=12), nullable=False),
        sa.Column('appealed_by', sa.String(length=32), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('result', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', name='uq_case_per_ticket'),
    )
    with op.batch_alter_table('evaluation_cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_hall_state', ['hall_id', 'state'], unique=False)
    op.create_table(
        'evaluation_uploads',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.String(length=40), nullable=False),
        sa.Column('record_key', sa.String(length=80), nullable=False),
        sa.Column('record', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hall_id', 'record_key', name='uq_upload_once'),
    )
    with op.batch_alter_table('evaluation_uploads', schema=None) as batch_op:
        batch_op.create_index('ix_uploads_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_uploads_ticket', ['ticket_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('evaluation_uploads')
    op.drop_table('evaluation_cases')
    op.drop_table('evaluations')
