"""reports rendered in the background, stored per assessment, kind, language and version

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('version_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_stored_document_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_document')),
    sa.UniqueConstraint('assessment_id', 'kind', 'language', 'version_key', name=op.f('uq_stored_document_assessment_id')),
    )
    with op.batch_alter_table('stored_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_document_assessment_id'), ['assessment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stored_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_document_assessment_id'))
    op.drop_table('stored_document')
