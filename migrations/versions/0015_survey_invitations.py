"""single-use survey invitations, verified answers, printed paper forms and answers per hour

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:37:21

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


# recreate='never': SQLite (3.35+) adds and drops these plain columns in place. Copying the
# survey table instead would fail on downgrade, with foreign keys on, while responses and
# invitations point at it.
def upgrade():
    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_invitation_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_survey_invitation_code_hash'))
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('survey', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('paper_forms_printed', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('invitations_printed', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('hour_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hour_answers', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('busiest_hour_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('busiest_hour_answers', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('survey_response', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Paper answers typed in before forms were counted: count them as printed, so an existing
    # survey does not read "10 of 0 printed" and refuse the next form it was handed. Cached pages
    # are empty after an upgrade's restart, so the data version need not move.
    op.execute(
        "UPDATE survey SET paper_forms_printed = ("
        "SELECT count(*) FROM survey_response "
        "WHERE survey_response.survey_id = survey.id AND survey_response.source = 'paper')"
    )


def downgrade():
    with op.batch_alter_table('survey_response', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('verified')

    with op.batch_alter_table('survey', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('busiest_hour_answers')
        batch_op.drop_column('busiest_hour_at')
        batch_op.drop_column('hour_answers')
        batch_op.drop_column('hour_started_at')
        batch_op.drop_column('invitations_printed')
        batch_op.drop_column('paper_forms_printed')

    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_survey_id'))

    op.drop_table('survey_invitation')
