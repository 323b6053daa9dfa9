"""Work item claims: who claimed a work item in the inbox, and when.

Revision ID: b2595636ba8d
Revises: d67c918f4dae
Create Date: 2026-11-29 16:50:46.659252

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2595636ba8d'
down_revision = 'd67c918f4dae'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_items_claimed_by_id'), ['claimed_by_id'], unique=False)
        batch_op.create_foreign_key('fk_work_items_claimed_by_id_officers', 'officers', ['claimed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_constraint('fk_work_items_claimed_by_id_officers', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_work_items_claimed_by_id'))
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by_id')
