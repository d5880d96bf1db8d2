"""users' display names, shown where a person is named instead of their email

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


# recreate='never' as in 0008: SQLite adds and drops a plain column in place, where copying the
# user table would fail on downgrade while other tables' foreign keys point at it.
def upgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('display_name')
