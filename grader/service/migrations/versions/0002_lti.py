"""LTI 1.3 sign-in: one-time login states, the launches that opened a session, sessions that expire.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.Float, nullable=True))
    op.create_table(
        "lti_states",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False, index=True),
        sa.Column("used_at", sa.Float),
    )
    op.create_table(
        "lti_launches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("deployment_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("assignment", sa.String(200)),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade():
    op.drop_table("lti_launches")
    op.drop_table("lti_states")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("expires_at")
