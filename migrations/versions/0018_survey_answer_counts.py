"""open-link survey answers per hashed client address and window, counted in the database so
every worker shares the limit

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_answer_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_answer_count_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer_count')),
    sa.UniqueConstraint('survey_id', 'address_key', 'window_start', name=op.f('uq_survey_answer_count_survey_id')),
    )
    with op.batch_alter_table('survey_answer_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_count_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answer_count_window_start'), ['window_start'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answer_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_count_window_start'))
        batch_op.drop_index(batch_op.f('ix_survey_answer_count_survey_id'))
    op.drop_table('survey_answer_count')
