"""A database made by an older version gains the columns added since."""

import sqlalchemy as sa

from bot.database import engine_with_tables, forget_tables
from bot.helpdesk.escalations import EscalationStore, NewEscalation


def test_an_old_escalations_table_gets_the_new_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.MetaData()
    sa.Table(
        "escalations",
        old,
        *(
            sa.Column(name, sa.Text)
            for name in (
                "conversation_id",
                "language",
                "script",
                "mood",
                "moods",
                "reason",
                "queue",
                "status",
                "email",
                "agent",
                "transcript",
            )
        ),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("priority", sa.Integer),
        sa.Column("created_at", sa.Float),
        sa.Column("updated_at", sa.Float),
    )
    forget_tables()
    engine_with_tables(url, old)
    forget_tables()
    store = EscalationStore(url)
    record = store.create(NewEscalation("c1", "request_human", 2, "support", "pt", articles=["free-trial"]))
    claimed = store.claim(record.id, "ana")
    assert claimed.articles == ["free-trial"] and claimed.claimed_at >= claimed.created_at
