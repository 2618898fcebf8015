"""统计分析, second step: monthly rollups, evaluation and reservation counts in the rollups, kept by
triggers

Revision ID: 0006_statistics_monthly
Revises: 0005_statistics
Create Date: 2026-12-03 14:10:00

A year's report reads whole months from `stats_monthly` (filled here from the daily rows already
written) and only the days at its edges from `stats_daily`. Evaluations and reservations are
written by other services, so the database adds them to the daily and monthly rollups itself: a
trigger on a first evaluation (its day, queue, window, clerk, item, its ticket's channel, and
"green" for a green-channel ticket) and on a reservation's insert and its change of status, day or
queue (due: not cancelled; checked in). A deleted reservation (a purge of personal data) stays
counted. Evaluations and reservations recorded before this migration are counted by
`python -m queue_server stats rebuild --config …` (docs/manager-console.md).
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006_statistics_monthly'
down_revision = '0005_statistics'
branch_labels = None
depends_on = None

# As in queue_server/core/statistics.py, written out: a migration does not change when the code does.
OLD_ADDED = (
    ['issued', 'served', 'no_show', 'transferred', 'cancelled', 'expired', 'checked_in']
    + ['wait_n', 'wait_sum', 'handle_n', 'handle_sum', 'busy_s']
    + [f'w{i}' for i in range(12)] + [f'h{i}' for i in range(12)]
)
RECORDED = ['evaluations', 'bad', 'reservations_due', 'reservations_checked_in']
MAXES = ['wait_max', 'handle_max']
MEASURES = OLD_ADDED + RECORDED + MAXES
BAD_LEVELS = '1, 2'  # 非常不满意, 不满意


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


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in MEASURES]


def upgrade() -> None:
    for table in ('stats_daily', 'stats_hourly'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in RECORDED:
                batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    columns: list[Any] = [
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('dim', sa.String(length=8), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
    ]
    op.create_table('stats_monthly', *columns, *_measures(), sa.PrimaryKeyConstraint('hall_id', 'dim', 'month', 'key'))
    # The months of what is already rolled up by day.
    postgres = op.get_bind().dialect.name == 'postgresql'
    month = "date_trunc('month', day)::date" if postgres else "date(day, 'start of month')"
    summed = ', '.join([f'SUM({c})' for c in OLD_ADDED + RECORDED] + [f'MAX({c})' for c in MAXES])
    names = ', '.join(OLD_ADDED + RECORDED + MAXES)
    op.execute(
        f'INSERT INTO stats_monthly (hall_id, dim, month, key, {names}) '
        f'SELECT hall_id, dim, {month}, key, {summed} FROM stats_daily GROUP BY hall_id, dim, {month}, key'
    )
    _create_triggers()


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, (table, _, _) in TRIGGERS.items():
        op.execute(f'DROP TRIGGER IF EXISTS stats_{name}' + (f' ON {table}' if postgres else ''))
        if postgres:
            op.execute(f'DROP FUNCTION IF EXISTS stats_{name}()')
    op.drop_table('stats_monthly')
    for table in ('stats_daily', 'stats_hourly'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in RECORDED:
                batch_op.drop_column(name)
