"""Reading an export: one file, a folder or a .zip of files; JSON and text
decoded with errors that name the file, line and column."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, List, Optional, Sequence

from bot.kb.importers import ExportError

MAX_FILE_BYTES = 50_000_000  # one export file, or one file inside a zip, unpacked


@dataclass(frozen=True)
class ExportFile:
    name: str  # as shown in messages: the file's path, or "export.zip:pages/1.json"
    relative: PurePosixPath  # inside the folder or zip (its name alone for one file)
    data: bytes


def export_files(path: Path, suffixes: Sequence[str]) -> List[ExportFile]:
    """The files with these suffixes: PATH itself, the files under the folder
    PATH, or the members of the zip PATH; sorted by name, so a re-import reads
    them in the same order."""
    if not path.exists():
        raise ExportError(f"{path}: no such file or folder")
    if path.is_dir():
        found = [p for p in sorted(path.rglob("*")) if p.is_file() and _wanted(p.relative_to(path).parts, suffixes)]
        files = [ExportFile(str(p), PurePosixPath(p.relative_to(path).as_posix()), _read(p)) for p in found]
    elif path.suffix.lower() == ".zip" or (path.is_file() and zipfile.is_zipfile(path)):
        files = _zip_members(path, suffixes)
    else:
        return [ExportFile(str(path), PurePosixPath(path.name), _read(path))]
    if not files:
        raise ExportError(f"{path}: no {' / '.join(suffixes)} files in it")
    return files


def _wanted(parts: Sequence[str], suffixes: Sequence[str]) -> bool:
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in parts)
    return not hidden and parts[-1].lower().endswith(tuple(suffixes))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ExportError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
        return path.read_bytes()
    except OSError as error:
        raise ExportError(f"{path}: cannot read: {error.strerror or error}") from None


def _zip_members(path: Path, suffixes: Sequence[str]) -> List[ExportFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (
                    m
                    for m in archive.infolist()
                    if not m.is_dir() and _wanted(PurePosixPath(m.filename).parts, suffixes)
                ),
                key=lambda m: m.filename,
            )
            files = []
            for member in members:
                if member.file_size > MAX_FILE_BYTES:
                    raise ExportError(f"{path}:{member.filename}: larger than {MAX_FILE_BYTES:,} bytes unpacked")
                with archive.open(member) as stream:
                    data = stream.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise ExportError(f"{path}:{member.filename}: larger than {MAX_FILE_BYTES:,} bytes unpacked")
                files.append(ExportFile(f"{path}:{member.filename}", PurePosixPath(member.filename), data))
            return files
    except zipfile.BadZipFile as error:
        raise ExportError(f"{path}: not a zip file ({error})") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError) as error:  # unreadable, encrypted, unknown method
        raise ExportError(f"{path}: cannot read the zip: {error}") from None


def text_of(file: ExportFile) -> str:
    """UTF-8 (a byte-order mark allowed); else an error naming the line."""
    try:
        return file.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = file.data[: error.start].count(b"\n") + 1
        raise ExportError(f"{file.name}:{line}: not UTF-8 text (byte {error.start})") from None


def json_of(file: ExportFile) -> Any:
    text = text_of(file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(
            f"{file.name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise ExportError(f"{file.name}: not valid JSON: nested too deeply") from None


def json_list(file: ExportFile, document: Any, keys: Sequence[str], what: str) -> List[Any]:
    """The list of entries: the document itself, or its first key of `keys` that holds a list."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in keys:
            if isinstance(document.get(key), list):
                return list(document[key])
    wanted = " or ".join(f'{{"{k}": [...]}}' for k in keys)
    raise ExportError(f"{file.name}: not {what}: expected a list or {wanted}")


def text_field(entry: dict, *keys: str) -> str:
    """The first of these keys holding a non-empty string (numbers as text)."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()
    return ""


def timestamp(value: Any) -> Optional[str]:
    """ISO 8601 as given; Unix seconds (Intercom, Chatwoot) as UTC ISO 8601."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, datetime | date):  # YAML front matter's dates
        return value.isoformat()
    return str(value).strip() or None


def walk_positions(name: str, entries: List[Any], label: str) -> Iterator[tuple]:
    """(position, entry) for each entry: "file, articles[3]"."""
    for index, entry in enumerate(entries):
        yield f"{name}, {label}[{index}]", entry
