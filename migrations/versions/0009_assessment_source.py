"""assessment source (web, api or paper) and the paper form id it was keyed in from

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 23:33:25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=10), server_default='web', nullable=False)
        )
        batch_op.add_column(sa.Column('paper_form_id', sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_assessment_paper_form_id'), ['paper_form_id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_assessment_source'), "source IN ('web', 'api', 'paper')"
        )


def downgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assessment_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_assessment_paper_form_id'), type_='unique')
        batch_op.drop_column('paper_form_id')
        batch_op.drop_column('source')
