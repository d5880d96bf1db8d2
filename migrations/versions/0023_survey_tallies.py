"""running totals of each survey's answers, so its results never read its responses; filled
from the responses already given; each city's rounds by submission, to find its newest; on
PostgreSQL, indexes for the reviewers' list sorted newest or best first (descending, NULLs
last, ties by id)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 02:45:00

"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

BATCH = 5000
SORTED_COLUMNS = (
    'submitted_at', 'overall_score', 'planning_score', 'environment_score', 'participation_score'
)


def _channel(source, verified):
    if source == 'paper':
        return 'paper'
    return 'invited' if verified else 'open'


def _backfill():
    """Tally the responses already given, as ``record_response`` does for each new one."""
    responses = sa.table(
        'survey_response',
        sa.column('survey_id', sa.Integer),
        sa.column('source', sa.String),
        sa.column('verified', sa.Boolean),
        sa.column('answers', sa.JSON),
    )
    tallies = sa.table(
        'survey_tally',
        sa.column('survey_id', sa.Integer),
        sa.column('channel', sa.String),
        sa.column('question_id', sa.String),
        sa.column('point', sa.Integer),
        sa.column('answers', sa.Integer),
    )
    counted = defaultdict(int)
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(responses).execution_options(yield_per=BATCH)
    ):
        channel = _channel(row.source, row.verified)
        counted[(row.survey_id, channel, '', 0)] += 1
        for question_id, value in (row.answers or {}).items():
            if value in range(1, 6):
                counted[(row.survey_id, channel, question_id, value)] += 1
    rows = [
        {'survey_id': s, 'channel': c, 'question_id': q, 'point': p, 'answers': n}
        for (s, c, q, p), n in counted.items()
    ]
    for start in range(0, len(rows), BATCH):
        connection.execute(tallies.insert(), rows[start:start + BATCH])


def upgrade():
    op.create_table('survey_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('point', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_tally_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_tally')),
    sa.UniqueConstraint('survey_id', 'channel', 'question_id', 'point', name=op.f('uq_survey_tally_survey_id')),
    )
    _backfill()
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assessment_city_id_submitted_at_id', ['city_id', 'submitted_at', 'id'], unique=False
        )
    if op.get_bind().dialect.name == 'postgresql':
        for column in SORTED_COLUMNS:
            op.create_index(
                f'ix_assessment_status_{column}_desc',
                'assessment',
                ['status', sa.literal_column(column).desc().nulls_last(), sa.literal_column('id').desc()],
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for column in SORTED_COLUMNS:
            op.drop_index(f'ix_assessment_status_{column}_desc', table_name='assessment')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_city_id_submitted_at_id')
    op.drop_table('survey_tally')
