"""provinces and tiers of cities, provincial reviewers, evaluation rounds that cities are
called to assess themselves in, and notifications

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _add_reference(table, column, target):
    """Add a nullable reference column in place. Copying city, user or assessment (batch mode)
    would fail with foreign keys on while other tables point at them, and Alembic cannot add a
    foreign key to an existing SQLite table, which takes one only inline, with the column."""
    name = f'fk_{table}_{column}_{target}'
    if op.get_context().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), table, target, [column], ['id'])
    op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def _drop_reference(table, column):
    op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
    with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
        batch_op.drop_column(column)


# Existing cities and admins keep a NULL province: a city waits for an admin to place it, and
# every existing admin stays a national reviewer, as they were.
def upgrade():
    op.create_table('province',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province')),
    sa.UniqueConstraint('name', name=op.f('uq_province_name'))
    )
    _add_reference('city', 'province_id', 'province')
    with op.batch_alter_table('city', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('tier', sa.String(length=20), nullable=True))
    _add_reference('user', 'province_id', 'province')
    op.create_table('evaluation_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('questionnaire_version', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_evaluation_round_opened_by_id_user')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_evaluation_round_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_round'))
    )
    with op.batch_alter_table('evaluation_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_round_province_id'), ['province_id'], unique=False)
    op.create_table('round_city',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_round_city_city_id_city'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_round_city_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_city')),
    sa.UniqueConstraint('round_id', 'city_id', name=op.f('uq_round_city_round_id'))
    )
    with op.batch_alter_table('round_city', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_city_city_id'), ['city_id'], unique=False)
    _add_reference('assessment', 'round_id', 'evaluation_round')
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('notify_all_submissions', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_notification_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'], name=op.f('fk_notification_round_id_evaluation_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notification_round_id_kind', ['round_id', 'kind'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_round_id_kind')
        batch_op.drop_index('ix_notification_user_id_read_at')
    op.drop_table('notification')
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('notify_all_submissions')
        batch_op.drop_column('email_notifications')
    _drop_reference('assessment', 'round_id')
    with op.batch_alter_table('round_city', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_city_city_id'))
    op.drop_table('round_city')
    with op.batch_alter_table('evaluation_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_round_province_id'))
    op.drop_table('evaluation_round')
    _drop_reference('user', 'province_id')
    _drop_reference('city', 'province_id')
    with op.batch_alter_table('city', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('tier')
