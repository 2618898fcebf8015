"""notifications outbox (silent-call text messages)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'kind', name='uq_notification_once'),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_status', ['status'], unique=False)
        batch_op.create_index('ix_notifications_phone_sent', ['phone_hash', 'sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_phone_sent')
        batch_op.drop_index('ix_notifications_status')
    op.drop_table('notifications')
