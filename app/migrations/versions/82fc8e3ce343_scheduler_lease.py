"""Scheduler lease: the row that says which scheduler process fires timers (the others stand by)

Revision ID: 82fc8e3ce343
Revises: b2595636ba8d
Create Date: 2026-11-29 16:52:21.385675

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '82fc8e3ce343'
down_revision = 'b2595636ba8d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('scheduler_leases')
