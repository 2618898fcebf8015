"""identity: sessions, SMS codes, face templates, used 鲁通码, reservation no-shows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'identity_sessions',
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('person_hash', sa.String(length=64), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=True),
        sa.Column('id_masked', sa.String(length=20), nullable=True),
        sa.Column('phone_hash', sa.String(length=64), nullable=True),
        sa.Column('phone_masked', sa.String(length=20), nullable=True),
        sa.Column('phone_enc', sa.Text(), nullable=True),
        sa.Column('holder_masked', sa.String(length=50), nullable=True),
        sa.Column('age', sa.Integer(), nullable=True),
        sa.Column('green_reason', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('used_for', sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint('token_sha256'),
    )
    with op.batch_alter_table('identity_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_identity_sessions_created', ['created_at'], unique=False)

    op.create_table(
        'identity_otps',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('identity_otps', schema=None) as batch_op:
        batch_op.create_index('ix_identity_otps_phone', ['hall_id', 'phone_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_identity_otps_device', ['hall_id', 'device_id', 'created_at'], unique=False)

    op.create_table(
        'face_templates',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('id_masked', sa.String(length=20), nullable=False),
        sa.Column('holder_masked', sa.String(length=50), nullable=True),
        sa.Column('name_enc', sa.Text(), nullable=True),
        sa.Column('embedder', sa.String(length=16), nullable=False),
        sa.Column('template_enc', sa.Text(), nullable=False),
        sa.Column('enrolled_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('face_templates', schema=None) as batch_op:
        batch_op.create_index('ix_face_templates_person', ['hall_id', 'id_hash'], unique=False)

    op.create_table(
        'lutong_nonces',
        sa.Column('nonce_hash', sa.String(length=64), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('nonce_hash'),
    )
    op.create_table(
        'no_shows',
        sa.Column('reservation_id', sa.String(length=40), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('slot_end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('reservation_id'),
    )
    with op.batch_alter_table('no_shows', schema=None) as batch_op:
        batch_op.create_index('ix_no_shows_person', ['hall_id', 'id_hash', 'slot_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('no_shows', schema=None) as batch_op:
        batch_op.drop_index('ix_no_shows_person')
    op.drop_table('no_shows')
    op.drop_table('lutong_nonces')
    with op.batch_alter_table('face_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_face_templates_person')
    op.drop_table('face_templates')
    with op.batch_alter_table('identity_otps', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_otps_device')
        batch_op.drop_index('ix_identity_otps_phone')
    op.drop_table('identity_otps')
    with op.batch_alter_table('identity_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_sessions_created')
    op.drop_table('identity_sessions')
