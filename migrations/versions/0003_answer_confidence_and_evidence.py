"""answer confidence and evidence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 23:17:40.652121

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.Text(), server_default='', nullable=False))
        batch_op.create_check_constraint(
            'confidence', "confidence IS NULL OR confidence IN ('low', 'medium', 'high')"
        )


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_answer_confidence'), type_='check')
        batch_op.drop_column('evidence')
        batch_op.drop_column('confidence')
