"""user preferences: saved language and the large-text, high-contrast display

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:18:29.347380

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


# recreate='never': SQLite (3.35+) adds and drops these plain columns in place. Copying the user
# table instead would fail on downgrade, with foreign keys on, while other tables point at it.
def upgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('high_contrast', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('high_contrast')
        batch_op.drop_column('language')
