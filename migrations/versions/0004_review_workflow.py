"""review workflow: approved and returned statuses, the status history, reviewers' notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:10:57.094855

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('draft', 'submitted')"
NEW_STATUSES = "status IN ('draft', 'submitted', 'approved', 'returned')"


def upgrade():
    op.create_table('status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_status_change_actor_id_user')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_status_change_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_change'))
    )
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_change_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_change_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('reviewer_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status_change_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['status_change_id'], ['status_change.id'], name=op.f('fk_reviewer_note_status_change_id_status_change'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer_note')),
    sa.UniqueConstraint('status_change_id', 'question_id', name=op.f('uq_reviewer_note_status_change_id'))
    )
    with op.batch_alter_table('reviewer_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_note_status_change_id'), ['status_change_id'], unique=False)

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_assessment_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_assessment_status'), sa.text(NEW_STATUSES))


def downgrade():
    # The old constraint knows only draft and submitted: fold the review outcomes back into
    # 'submitted' first, or the table could not be rebuilt.
    op.execute(
        "UPDATE assessment SET status = 'submitted' WHERE status IN ('approved', 'returned')"
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assessment_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_assessment_status'), sa.text(OLD_STATUSES))
        batch_op.drop_column('reviewed_at')

    with op.batch_alter_table('reviewer_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_note_status_change_id'))

    op.drop_table('reviewer_note')
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_change_assessment_id'))
        batch_op.drop_index(batch_op.f('ix_status_change_actor_id'))

    op.drop_table('status_change')
