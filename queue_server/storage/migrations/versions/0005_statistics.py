"""统计分析: rollups by day, month and hour per dimension (hall, queue, window, staff, item,
channel), triggers that add evaluations and reservations to them, and reservations by day

Revision ID: 0005_statistics
Revises: 0004_evaluations
Create Date: 2026-12-03 13:30:00

The ticket figures are written by the server as tickets change (storage/rollups.py). Evaluations
and reservations are written by other services, so the database adds them itself: a trigger on a
first evaluation (its day, queue, window, clerk, item, and its ticket's channel, and "green" for a
green-channel ticket) and on a reservation's insert and its change of status, day or queue (due:
not cancelled; checked in). A deleted reservation (a purge of personal data) stays counted.

The rollups start empty: `python -m queue_server stats rebuild --config …` fills them from what is
recorded (docs/manager-console.md).
"""
from typing import Any

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
    + ['evaluations', 'bad', 'reservations_due', 'reservations_checked_in']
    + ['wait_max', 'handle_max']
)
BAD_LEVELS = '1, 2'  # 非常不满意, 不满意


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in MEASURES]


def _keys(period: str) -> list[sa.Column[Any]]:
    return [
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('dim', sa.String(length=8), nullable=False),
        sa.Column(period, sa.Date(), nullable=False),
    ]


def _upserts(row: str, dims: str, values: dict[str, str], postgres: bool) -> list[str]:
    """INSERT … SELECT … ON CONFLICT statements adding `values` (column → SQL of NEW/OLD) to the
    daily and monthly rollups of the row's day, for each (dim, key) of `dims` (a SELECT)."""
    month = f"date_trunc('month', {row}.service_day)::date" if postgres else f"date({row}.service_day, 'start of month')"
    columns = ', '.join(values)
    selected = ', '.join(values.values())
    added = ', '.join(f'{c} = {{table}}.{c} + excluded.{c}' for c in values)
    statements = []
    for table, period, start in (('stats_daily', 'day', f'{row}.service_day'), ('stats_monthly', 'month', month)):
        statements.append(
            f'INSERT INTO {table} (hall_id, dim, {period}, key, {columns}) '
            f'SELECT {row}.hall_id, d.dim, {start}, d.key, {selected} FROM ({dims}) AS d WHERE true '
            f'ON CONFLICT (hall_id, dim, {period}, key) DO UPDATE SET {added.format(table=table)};'
        )
    return statements


def _evaluation_dims() -> str:
    ticket = 'SELECT {c} FROM tickets WHERE tickets.id = NEW.ticket_id'
    return (
        "SELECT 'hall' AS dim, '' AS key UNION ALL SELECT 'queue', NEW.queue "
        "UNION ALL SELECT 'window', COALESCE(NEW.\"window\", '') UNION ALL SELECT 'staff', COALESCE(NEW.clerk_id, '') "
        "UNION ALL SELECT 'item', COALESCE(NEW.item_code, '') "
        f"UNION ALL SELECT 'channel', COALESCE(({ticket.format(c='channel')}), '') "
        f"UNION ALL SELECT 'channel', 'green' WHERE COALESCE(({ticket.format(c='green')}), false)"
    )


def _reservation_dims(row: str) -> str:
    return f"SELECT 'hall' AS dim, '' AS key UNION ALL SELECT 'queue', {row}.queue UNION ALL SELECT 'channel', 'reservation'"


def _reservation_values(row: str, sign: str) -> dict[str, str]:
    return {
        'reservations_due': f"{sign}(CASE WHEN {row}.status <> 'cancelled' THEN 1 ELSE 0 END)",
        'reservations_checked_in': f"{sign}(CASE WHEN {row}.status = 'checked_in' THEN 1 ELSE 0 END)",
    }


def _trigger_bodies(postgres: bool) -> dict[str, list[str]]:
    evaluation = _upserts('NEW', _evaluation_dims(), {
        'evaluations': '1', 'bad': f'CASE WHEN NEW.level IN ({BAD_LEVELS}) THEN 1 ELSE 0 END',
    }, postgres)
    added = _upserts('NEW', _reservation_dims('NEW'), _reservation_values('NEW', ''), postgres)
    removed = _upserts('OLD', _reservation_dims('OLD'), _reservation_values('OLD', '-'), postgres)
    return {'evaluation': evaluation, 'reservation_insert': added, 'reservation_update': removed + added}


TRIGGERS = {  # name → (table, event, condition)
    'evaluation': ('evaluations', 'INSERT', "NEW.kind = 'first'"),
    'reservation_insert': ('reservations', 'INSERT', None),
    'reservation_update': ('reservations', 'UPDATE OF status, service_day, queue',
                           'OLD.status <> NEW.status OR OLD.service_day <> NEW.service_day OR OLD.queue <> NEW.queue'),
}


def _create_triggers() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, body in _trigger_bodies(postgres).items():
        table, event, condition = TRIGGERS[name]
        if postgres:
            op.execute(
                f'CREATE FUNCTION stats_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
                + ' '.join(body) + ' RETURN NULL; END $$'
            )
            when = f' WHEN ({condition})' if condition else ''
            op.execute(f'CREATE TRIGGER stats_{name} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION stats_{name}()')
        else:
            when = f' WHEN {condition}' if condition else ''
            op.execute(f'CREATE TRIGGER stats_{name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN ' + ' '.join(body) + ' END')


def upgrade() -> None:
    op.create_table(
        'stats_daily', *_keys('day'), sa.Column('key', sa.String(length=64), nullable=False), *_measures(),
        sa.PrimaryKeyConstraint('hall_id', 'dim', 'day', 'key'),
    )
    op.create_table(
        'stats_monthly', *_keys('month'), sa.Column('key', sa.String(length=64), nullable=False), *_measures(),
        sa.PrimaryKeyConstraint('hall_id', 'dim', 'month', 'key'),
    )
    op.create_table(
        'stats_hourly', *_keys('day'), sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False), *_measures(),
        sa.PrimaryKeyConstraint('hall_id', 'dim', 'day', 'hour', 'key'),
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index('ix_reservations_day', ['hall_id', 'service_day'], unique=False)
    _create_triggers()


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, (table, _, _) in TRIGGERS.items():
        op.execute(f'DROP TRIGGER IF EXISTS stats_{name}' + (f' ON {table}' if postgres else ''))
        if postgres:
            op.execute(f'DROP FUNCTION IF EXISTS stats_{name}()')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_reservations_day')
    op.drop_table('stats_hourly')
    op.drop_table('stats_monthly')
    op.drop_table('stats_daily')
