"""form ids of printed questionnaires, with the city each was printed for

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_form_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=20), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_paper_form_id_city_id_city'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_form_id')),
    sa.UniqueConstraint('form_id', name=op.f('uq_paper_form_id_form_id'))
    )
    with op.batch_alter_table('paper_form_id', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_form_id_city_id'), ['city_id'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_form_id', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_form_id_city_id'))

    op.drop_table('paper_form_id')
