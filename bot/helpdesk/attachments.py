"""Files customers attach in the widget: images (PNG, JPEG, GIF, WebP) and PDFs.

A file's type is read from its content (its first bytes), never from its
name or what the browser claims: anything that is not one of the allowed
types is refused, and a PNG named "scan.pdf" is kept as "scan.png", an
image. Files live outside the web root (ATTACHMENTS_FOLDER, default
var/attachments), each under a random id; their metadata (conversation,
sanitised name, type, size, SHA-256) is a table of the help-desk database.
bot.privacy deletes both.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, TypedDict

import sqlalchemy as sa

from bot.database import engine_with_tables
from bot.settings import AttachmentSettings

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

chat_attachments = sa.Table(
    "chat_attachments",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # random: also the file's name in the folder
    sa.Column("session_id", sa.String(64), index=True, nullable=False),
    sa.Column("name", sa.String(120), nullable=False),  # sanitised, with the extension of its real type
    sa.Column("type", sa.String(40), nullable=False),  # from the content
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# The extensions each type's files go by; the first is given to a file named otherwise.
EXTENSIONS: Dict[str, Tuple[str, ...]] = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
}
MAX_NAME_CHARS = 80  # of the name before its extension
SNIFF_BYTES = 16


def sniff(head: bytes) -> Optional[str]:
    """The type of a file from its first bytes (its "magic number"), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


_UNSAFE = re.compile(r'[<>:"/\\|?*]')


def clean_name(given: str, kind: str) -> str:
    """A name safe to show and to offer for download: no folders, control or
    reserved characters, at most MAX_NAME_CHARS, ending in its real type's extension."""
    name = unicodedata.normalize("NFC", given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith(("C", "Z")) or c == " ")
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if extension.lower() not in EXTENSIONS[kind]:
        known = any(extension.lower() in extensions for extensions in EXTENSIONS.values())
        stem = stem if known else name  # a PNG named "scan.pdf": "scan.png"; "report.exe": "report.exe.png"
        extension = EXTENSIONS[kind][0]
    stem = stem.strip(" .")[:MAX_NAME_CHARS].strip(" .") or "file"
    return f"{stem}.{extension.lower()}"


class AttachedFile(TypedDict):
    """A file as a transcript line carries it (ChatLine's `attachment`)."""

    id: str
    name: str
    type: str
    size: int


@dataclass(frozen=True)
class Attachment:
    id: str
    session_id: str
    name: str
    type: str
    size: int
    sha256: str
    created_at: float

    @property
    def is_image(self) -> bool:
        return self.type.startswith("image/")

    def as_file(self) -> AttachedFile:
        return AttachedFile(id=self.id, name=self.name, type=self.type, size=self.size)


class Refused(Exception):
    """A file the help desk does not take, with a code the widget translates."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refuse_type(settings: AttachmentSettings) -> Refused:
    allowed = ", ".join(sorted({EXTENSIONS[kind][0].upper() for kind in settings.types})) or "none"
    return Refused(415, "attachment_type", f"This kind of file cannot be attached (allowed: {allowed}).")


def refuse_size(settings: AttachmentSettings) -> Refused:
    return Refused(413, "attachment_too_big", f"The file is too large (at most {settings.max_bytes} bytes).")


def check(data: bytes, settings: AttachmentSettings) -> str:
    """The file's type, if the help desk takes it; else Refused."""
    if not settings.types or settings.max_per_conversation < 1:
        raise Refused(403, "attachments_off", "Files cannot be attached in this chat.")
    if not data:
        raise Refused(400, "attachment_empty", "The file is empty.")
    if len(data) > settings.max_bytes:
        raise refuse_size(settings)
    kind = sniff(data[:SNIFF_BYTES])
    if kind is None or kind not in settings.types:
        raise refuse_type(settings)
    return kind


class AttachmentStore:
    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def path(self, attachment: Attachment) -> Path:
        return self.folder / attachment.id

    def count(self, session_id: str) -> int:
        query = sa.select(sa.func.count()).select_from(chat_attachments)
        with self.engine.connect() as db:
            return int(db.execute(query.where(chat_attachments.c.session_id == session_id)).scalar_one())

    def add(self, session_id: str, given_name: str, data: bytes, settings: AttachmentSettings) -> Attachment:
        """Check the file, keep it, and record it; Refused if it is not taken."""
        kind = check(data, settings)
        if self.count(session_id) >= settings.max_per_conversation:
            raise Refused(
                409, "attachment_too_many", f"This conversation holds {settings.max_per_conversation} files already."
            )
        attachment = Attachment(
            id=secrets.token_urlsafe(18),
            session_id=session_id,
            name=clean_name(given_name, kind),
            type=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=time.time(),
        )
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.path(attachment)
        partial = path.with_suffix(".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(partial, path)
        try:
            with self.engine.begin() as db:
                db.execute(chat_attachments.insert().values(**attachment.__dict__))
        except BaseException:
            path.unlink(missing_ok=True)  # no file without its record
            raise
        return attachment

    def get(self, attachment_id: str) -> Optional[Attachment]:
        if not isinstance(attachment_id, str) or len(attachment_id) > 32:
            return None
        with self.engine.connect() as db:
            row = db.execute(sa.select(chat_attachments).where(chat_attachments.c.id == attachment_id)).first()
        return Attachment(**row._mapping) if row is not None else None

    def read(self, attachment: Attachment) -> Optional[bytes]:
        try:
            return self.path(attachment).read_bytes()
        except FileNotFoundError:
            logger.error("attachment %s has a record but no file", attachment.id)
            return None


def of_conversations(db: sa.engine.Connection, conversation_ids: Iterable[str]) -> List[Attachment]:
    """The conversations' attachments (for bot.privacy's export and deletion)."""
    query = sa.select(chat_attachments).where(chat_attachments.c.session_id.in_(list(conversation_ids)))
    return [Attachment(**row._mapping) for row in db.execute(query.order_by(chat_attachments.c.created_at))]


# What the customer is told after attaching a file, in their language.
KEPT_FOR_THE_TEAM = {
    "pt": "Recebi o arquivo “{name}”, mas não consigo ler arquivos. Ele fica guardado nesta conversa: "
    "se você pedir para falar com uma pessoa, nossa equipe vai vê-lo.",
    "es": "Recibí el archivo «{name}», pero no puedo leer archivos. Queda guardado en esta conversación: "
    "si pides hablar con una persona, nuestro equipo lo verá.",
    "vi": "Tôi đã nhận tệp “{name}” nhưng không đọc được tệp. Tệp được lưu trong cuộc trò chuyện này: "
    "nếu bạn yêu cầu gặp nhân viên, đội ngũ hỗ trợ sẽ xem được.",
    "zh-Hans": "已收到文件“{name}”,但我无法读取文件。文件已保存在本次对话中:如果您转人工客服,客服可以看到它。",
    "zh-Hant": "已收到檔案「{name}」,但我無法讀取檔案。檔案已保存在本次對話中:如果您轉真人客服,客服可以看到它。",
}
# Waiting in the queue: the person who answers sees it.
KEPT_FOR_THE_AGENT = {
    "pt": "Recebi o arquivo “{name}”. A pessoa que vai atender você já pode vê-lo.",
    "es": "Recibí el archivo «{name}». La persona que te atenderá ya puede verlo.",
    "vi": "Đã nhận tệp “{name}”. Nhân viên hỗ trợ bạn đã có thể xem tệp này.",
    "zh-Hans": "已收到文件“{name}”,为您服务的客服已经可以看到它。",
    "zh-Hant": "已收到檔案「{name}」,為您服務的客服已經可以看到它。",
}


def kept_notice(name: str, language: str, script: Optional[str], queued: bool) -> str:
    key = ("zh-Hant" if script == "Hant" else "zh-Hans") if language == "zh" else language
    texts = KEPT_FOR_THE_AGENT if queued else KEPT_FOR_THE_TEAM
    return texts.get(key, texts["pt"]).format(name=name)
