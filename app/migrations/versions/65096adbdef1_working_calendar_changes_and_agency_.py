"""Working calendar: audit trail of edits (working_calendar_changes) and per-agency office hours (R113, R116).

Revision ID: 65096adbdef1
Revises: f7f3cf6bbd40
Create Date: 2026-11-29 16:51:45.747911

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '65096adbdef1'
down_revision = 'f7f3cf6bbd40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('working_calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.String(length=800), nullable=False),
    sa.Column('changed_by', sa.String(length=120), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('working_calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_calendar_changes_on'), ['on'], unique=False)

    op.create_table('agency_office_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.Time(), nullable=False),
    sa.Column('closes_at', sa.Time(), nullable=False),
    sa.Column('same_day_cutoff', sa.Time(), nullable=False),
    sa.Column('edited_by', sa.String(length=120), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('opens_at <= same_day_cutoff AND same_day_cutoff <= closes_at AND opens_at < closes_at', name='ck_agency_office_hours_order'),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id')
    )


def downgrade():
    op.drop_table('agency_office_hours')
    with op.batch_alter_table('working_calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_calendar_changes_on'))

    op.drop_table('working_calendar_changes')
