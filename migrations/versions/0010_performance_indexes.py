"""indexes for the lists of rounds and the peers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 00:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_city_id_created_at', ['city_id', 'created_at'], unique=False)
        batch_op.create_index('ix_assessment_status_city_id_submitted_at', ['status', 'city_id', 'submitted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_status_city_id_submitted_at')
        batch_op.drop_index('ix_assessment_city_id_created_at')
