"""Legal clock: pause intervals, apologies (one per dossier), step log, the original due time of a dossier

Revision ID: f7f3cf6bbd40
Revises: fb79fd3f8b3c
Create Date: 2026-11-29 16:53:00.381675

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7f3cf6bbd40'
down_revision = 'fb79fd3f8b3c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('previous_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_late', sa.Boolean(), nullable=False),
    sa.Column('signed_by', sa.String(length=250), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_id')
    )
    with op.batch_alter_table('apologies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apologies_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apologies_issued_at'), ['issued_at'], unique=False)

    op.create_table('clock_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_working_seconds', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clock_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_pauses_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('step_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=120), nullable=False),
    sa.Column('task_name', sa.String(length=300), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('officer_label', sa.String(length=250), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_log_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_due_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('original_due_at')

    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_log_dossier_id'))

    op.drop_table('step_log')
    with op.batch_alter_table('clock_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_pauses_dossier_id'))

    op.drop_table('clock_pauses')
    with op.batch_alter_table('apologies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apologies_issued_at'))
        batch_op.drop_index(batch_op.f('ix_apologies_agency_id'))

    op.drop_table('apologies')
