"""a second counter per city, for the writes that other cities' reports show

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


# recreate='never': SQLite (3.35+) adds and drops this plain column in place. Copying the city
# table instead would fail on downgrade, with foreign keys on, while other tables point at it.
def upgrade():
    with op.batch_alter_table('city', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('shared_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('city', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('shared_version')
