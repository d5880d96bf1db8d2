"""indexes for the reviewers' list filtered by status and sorted on a date or a score, and
for the newest approval

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 05:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

SORTED_COLUMNS = (
    'submitted_at',
    'overall_score',
    'planning_score',
    'environment_score',
    'participation_score',
)


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        for column in SORTED_COLUMNS:
            batch_op.create_index(f'ix_assessment_status_{column}', ['status', column], unique=False)
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.create_index('ix_status_change_to_status', ['to_status'], unique=False)


def downgrade():
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_status_change_to_status')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        for column in SORTED_COLUMNS:
            batch_op.drop_index(f'ix_assessment_status_{column}')
