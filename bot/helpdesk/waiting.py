"""What a customer waiting in the queue is told when they write.

While their escalation is queued, its queue open and someone of it online,
the bot does not answer them as if nothing were pending: they are told
their place in the queue, in their language and script (a ticket waiting
for a closed or empty queue leaves them with the bot: bot.web.chat). Not on every message, though: again
only when the place has changed or a while after the last time, and the
last time is kept in the database (several web servers may share it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa

from bot.database import engine_with_tables
from bot.helpdesk.escalations import Escalation

AGAIN_AFTER_SECONDS = 120.0  # the same place is said again after this long

metadata = sa.MetaData()

queue_notices = sa.Table(
    "queue_notices",
    metadata,
    sa.Column("escalation_id", sa.Integer, primary_key=True, autoincrement=False),
    # With the id (a database whose escalations were emptied hands the same ids
    # out again); nothing about the customer is kept here.
    sa.Column("escalation_created_at", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("told_at", sa.Float, nullable=False),
)

# The customer's place, worded as the bot's escalation messages word it (domain.yml utter_escalation_online).
PLACE = {
    "pt": "Você é o {position}º na fila. Uma pessoa da nossa equipe vai responder aqui mesmo assim que estiver livre; "
    "suas mensagens já chegam até ela.",
    "es": "Estás en el puesto {position} de la fila. Una persona de nuestro equipo te responderá aquí mismo en cuanto "
    "esté libre; tus mensajes ya le llegan.",
    "vi": "Bạn đang ở vị trí {position} trong hàng chờ. Nhân viên hỗ trợ sẽ trả lời bạn ngay tại đây khi có người rảnh; "
    "tin nhắn của bạn đã được chuyển đến nhân viên.",
    "zh-Hans": "您目前排在第 {position} 位。客服一有空就会在这里回复您，您的消息客服都能看到。",
    "zh-Hant": "您目前排在第 {position} 位。客服一有空就會在這裡回覆您，您的訊息客服都看得到。",
}

# Added when the customer gave an e-mail address (the agents' replies reach it once they have left).
BY_EMAIL = {
    "pt": " Se você sair, a resposta chega no seu e-mail.",
    "es": " Si te vas, la respuesta te llegará por correo electrónico.",
    "vi": " Nếu bạn rời đi, câu trả lời sẽ được gửi qua email của bạn.",
    "zh-Hans": "如果您离开了，回复会发到您的邮箱。",
    "zh-Hant": "如果您離開了，回覆會寄到您的電子郵件信箱。",
}


def place_in_queue(
    position: int,
    language: Optional[str],
    script: Optional[str],
    has_email: bool = False,
    default: str = "pt",
) -> str:
    """The customer's place in the queue, in their language (and script, for Chinese)."""
    language = language if language in ("pt", "es", "vi", "zh") else default
    key = ("zh-Hant" if script == "Hant" else "zh-Hans") if language == "zh" else language
    if key not in PLACE:
        key = "pt"
    text = PLACE[key].format(position=position)
    return text + (BY_EMAIL[key] if has_email else "")


@dataclass(frozen=True)
class Told:
    """The last time a waiting customer was told their place."""

    position: int
    at: float


class QueueNotices:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def last(self, escalation: Escalation) -> Optional[Told]:
        query = sa.select(queue_notices).where(
            queue_notices.c.escalation_id == escalation.id,
            queue_notices.c.escalation_created_at == escalation.created_at,
        )
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return Told(row.position, row.told_at) if row else None

    def told(self, escalation: Escalation, position: int, at: Optional[float] = None) -> None:
        values = {
            "escalation_created_at": escalation.created_at,
            "position": position,
            "told_at": time.time() if at is None else at,
        }
        with self.engine.begin() as db:
            changed = db.execute(
                queue_notices.update().where(queue_notices.c.escalation_id == escalation.id).values(**values)
            ).rowcount
        if changed:
            return
        try:
            with self.engine.begin() as db:
                db.execute(queue_notices.insert().values(escalation_id=escalation.id, **values))
        except sa.exc.IntegrityError:
            pass  # another web server told them at the same moment

    def due(self, escalation: Escalation, position: int, now: Optional[float] = None) -> bool:
        """Should the customer be told `position` now? Yes the first time, when
        it changed, or AGAIN_AFTER_SECONDS after the last time."""
        last = self.last(escalation)
        now = time.time() if now is None else now
        return last is None or last.position != position or now - last.at >= AGAIN_AFTER_SECONDS
