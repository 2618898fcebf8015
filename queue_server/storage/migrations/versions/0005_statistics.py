"""统计分析: daily and hourly rollups per dimension (hall, queue, window, staff, item, channel),
and reservations by day

Revision ID: 0005_statistics
Revises: 0004_evaluations
Create Date: 2026-12-03 13:30:00

The rollups start empty: `python -m queue_server stats rebuild --config …` fills them from the
tickets already recorded (docs/manager-console.md).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_statistics'
down_revision = '0004_evaluations'
branch_labels = None
depends_on = None

# The measures as in queue_server/core/statistics.py (MEASURES), written out: a migration does not
# change when the code does.
MEASURES = (
    ['issued', 'served', 'no_show', 'transferred', 'cancelled', 'expired', 'checked_in']
    + ['wait_n', 'wait_sum', 'handle_n', 'handle_sum', 'busy_s']
    + [f'w{i}' for i in range(12)] + [f'h{i}' for i in range(12)]
    + ['wait_max', 'handle_max']
)


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in MEASURES]


def upgrade() -> None:
    op.create_table(
        'stats_daily',
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('dim', sa.String(length=8), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint('hall_id', 'dim', 'day', 'key'),
    )
    op.create_table(
        'stats_hourly',
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('dim', sa.String(length=8), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint('hall_id', 'dim', 'day', 'hour', 'key'),
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index('ix_reservations_day', ['hall_id', 'service_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_reservations_day')
    op.drop_table('stats_hourly')
    op.drop_table('stats_daily')
