"""Simulated customers: what they type, and how they talk to the REST channel,
the web server's HTTP API or its WebSocket; the load generator."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from bot.benchmarks import percentile
from bot.languages import LANGUAGES

TARGETS = {  # key: what the table calls it
    "web-ws": "this stack, web WebSocket",
    "web-http": "this stack, web /api/messages",
    "rasa-rest": "this stack, Rasa REST",
    "stock-rest": "stock Rasa, REST",
}
KINDS = ("kb", "small_talk", "angry", "escalation", "email")

# What customers type, as they type it. Each `kb` question is answered by
# an article (import-data, free-trial, book-a-demo; in Chinese
# multilingual-support, as the intent classifier misses asking for a demo).
# Angry messages are about importing, so that the bot answers or offers
# articles rather than "no article", and name no threat (cancel, lawyer,
# payment), so that they do not escalate by themselves.
MESSAGES: Dict[str, Dict[str, Tuple[str, ...]]] = {
    "pt": {
        "kb": (
            "como importo meus contatos de uma planilha csv?",
            "tem teste gratis? o que ele inclui?",
            "como agendo uma demonstracao?",
        ),
        "small_talk": ("oi, tudo bem?", "valeu, obrigado!"),
        "angry": (
            "A IMPORTACAO DO CSV NAO FUNCIONA!!! que absurdo",
            "ja tentei 3 vezes importar a planilha e NADA!!! que raiva",
        ),
        "escalation": ("quero falar com um atendente",),
        "email": ("meu email é {name}@example.com",),
    },
    "es": {
        "kb": (
            "como importo mis contactos desde un archivo csv?",
            "que incluye la prueba gratis?",
            "como reservo una demostracion del producto?",
        ),
        "small_talk": ("hola, buenas", "gracias!!"),
        "angry": (
            "LA IMPORTACION DEL CSV NO FUNCIONA!!! que desastre",
            "otra vez falla la importacion de la planilla, ESTOY HARTO!!!",
        ),
        "escalation": ("quiero hablar con una persona",),
        "email": ("mi correo es {name}@example.com",),
    },
    "vi": {
        "kb": (
            "lam sao nhap danh ba tu file csv?",
            "dung thu co gioi han tinh nang ko?",
            "muốn đặt lịch demo với bên sales",
        ),
        "small_talk": ("chào bạn", "cảm ơn nhiều nha"),
        "angry": ("NHẬP FILE CSV KHÔNG ĐƯỢC!!! bực quá", "import file csv lỗi hoài, bực mình quá!!!"),
        "escalation": ("cho tôi nói chuyện với nhân viên",),
        "email": ("email của mình là {name}@example.com",),
    },
    "zh": {
        "kb": ("怎么把CSV里的联系人导进来?", "免费试用包括哪些功能?", "支持多语言客服吗?"),
        "small_talk": ("你好", "谢谢啦"),
        "angry": ("CSV导入一直报错,气死我了!!!", "导入的文件乱码了!!!搞什么啊"),
        "escalation": ("我要找人工客服",),
        "email": ("我的邮箱是 {name}@example.com",),
    },
}
# A conversation opens with a greeting, questions, one angry message and a
# request for a person (then the e-mail address), and goes on with questions,
# thanks, anger and asking again; a second angry message before the first
# escalation would hand over by itself (repeated_anger).
OPENING = ("small_talk", "kb", "angry", "kb", "escalation", "email")
AFTER = ("kb", "small_talk", "kb", "angry", "kb", "escalation")


def conversation_script(language: str, count: int, number: int) -> List[Tuple[str, str]]:
    """The (kind, text) messages of simulated customer `number`."""
    texts = MESSAGES[language]
    used: Counter = Counter()
    script = []
    for position in range(count):
        kind = OPENING[position] if position < len(OPENING) else AFTER[(position - len(OPENING)) % len(AFTER)]
        options = texts[kind]
        start = 0 if kind == "small_talk" else number  # small talk: hello first, then thanks
        script.append((kind, options[(start + used[kind]) % len(options)].format(name=f"cliente{number}")))
        used[kind] += 1
    return script


# --- simulated customers -------------------------------------------------------


class Failure(Exception):
    """A message that got no proper answer; `kind` names it in the error counts."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


async def _failure(reply) -> Failure:
    try:
        code = (await reply.json()).get("error", {}).get("code")
    except Exception:  # not our JSON error body
        code = None
    return Failure(f"http {reply.status}" + (f" {code}" if isinstance(code, str) else ""))


class RestCustomer:
    """A customer on a Rasa REST channel (this stack's or the stock one)."""

    def __init__(self, http, url: str) -> None:
        self.http, self.url, self.sender = http, url, uuid.uuid4().hex

    async def open(self) -> None:
        pass

    async def say(self, text: str) -> List[str]:
        async with self.http.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text}
        ) as reply:
            if reply.status != 200:
                raise await _failure(reply)
            return [str(m.get("text") or "") for m in await reply.json()]

    async def close(self) -> None:
        pass


class WebHttpCustomer:
    """A customer of the web server through POST /api/messages."""

    def __init__(self, http, url: str) -> None:
        self.http, self.url = http, url
        self.session: Dict[str, str] = {}

    async def open(self) -> None:
        async with self.http.post(f"{self.url}/api/sessions") as reply:
            if reply.status != 201:
                raise await _failure(reply)
            self.session = await reply.json()

    async def say(self, text: str) -> List[str]:
        async with self.http.post(f"{self.url}/api/messages", json={**self.session, "text": text}) as reply:
            if reply.status != 200:
                raise await _failure(reply)
            return [str(m.get("text") or "") for m in (await reply.json())["messages"]]

    async def close(self) -> None:
        pass


END_OF_ANSWER = {"type": "ping"}  # not a message: answered with `bad_request` once the message before is done


class WebSocketCustomer(WebHttpCustomer):
    """A customer of the web server through its WebSocket, as the widget is."""

    socket: Any = None  # the aiohttp WebSocket, once open

    async def open(self) -> None:
        await super().open()
        self.socket = await self.http.ws_connect(
            self.url.replace("http://", "ws://", 1) + "/api/ws",
            params=self.session,
            autoping=True,
        )
        first = await self.socket.receive_json()
        if first.get("type") != "history":
            raise Failure(f"ws first event {first.get('type')}")

    async def say(self, text: str) -> List[str]:
        await self.socket.send_json({"type": "message", "text": text})
        await self.socket.send_json(END_OF_ANSWER)
        replies: List[str] = []
        failure: Optional[str] = None
        while True:
            frame = await self.socket.receive()
            if frame.type.name != "TEXT":
                raise Failure(f"ws {frame.type.name.lower()}")
            event = json.loads(frame.data)
            if event.get("type") == "error":
                if event.get("code") == "bad_request":
                    break  # the end-of-answer frame: everything before it was published
                failure = failure or f"ws error {event.get('code')}"
            elif event.get("type") == "message" and event.get("sender") == "bot":
                replies.append(str(event.get("text") or ""))
        if failure:
            raise Failure(failure)
        return replies

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


@dataclass
class Target:
    key: str
    url: str
    customer: Callable[[Any, str], Any]
    processes: Tuple[str, ...]  # whose memory counts for it
    ours: bool = True

    @property
    def label(self) -> str:
        return TARGETS[self.key]


def error_kind(error: BaseException) -> str:
    if isinstance(error, Failure):
        return error.kind
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    return type(error).__name__


def latency_summary(values: List[float]) -> Dict[str, Any]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 0.50), 1),
        "p95": round(percentile(values, 0.95), 1),
        "p99": round(percentile(values, 0.99), 1),
        "max": round(max(values), 1),
    }


async def run_load(
    target: Target, concurrency: int, messages: int, min_messages: int, timeout: float, think: float = 0.0
) -> Dict[str, Any]:
    """`concurrency` customers at once, each conversation's messages in turn,
    `think` seconds apart on average (0: each message right after the answer)."""
    import aiohttp

    conversations = max(concurrency, math.ceil(min_messages / messages))
    numbers: Iterator[int] = iter(range(conversations))
    samples: List[Tuple[str, float]] = []
    errors: Counter = Counter()
    empty: Counter = Counter()
    kb_linked = 0
    sent = 0

    async def customer_loop(http) -> None:
        nonlocal kb_linked, sent
        for number in numbers:  # shared: each free customer takes the next conversation
            language = LANGUAGES[number % len(LANGUAGES)]
            customer = target.customer(http, target.url)
            try:
                await asyncio.wait_for(customer.open(), timeout)
            except Exception as error:  # counted; the conversation is not held
                errors[f"open: {error_kind(error)}"] += 1
                await customer.close()
                continue
            pause = random.Random(number)
            try:
                for position, (kind, text) in enumerate(conversation_script(language, messages, number)):
                    if think and position:  # reading the answer and typing the next message
                        await asyncio.sleep(think * pause.uniform(0.5, 1.5))
                    sent += 1
                    started = time.perf_counter()
                    try:
                        replies = await asyncio.wait_for(customer.say(text), timeout)
                    except Exception as error:  # counted; the conversation's state is unknown: end it
                        errors[error_kind(error)] += 1
                        break
                    samples.append((kind, (time.perf_counter() - started) * 1000))
                    if not replies:
                        empty[kind] += 1
                    if kind == "kb" and any("/kb/" in r for r in replies):
                        kb_linked += 1
            finally:
                await customer.close()

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(customer_loop(http) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    kb_count = sum(1 for kind, _ in samples if kind == "kb")
    return {
        "target": target.key,
        "concurrency": concurrency,
        "think_seconds": think,
        "conversations": conversations,
        "messages_sent": sent,
        "messages_answered": len(samples),
        "seconds": round(wall, 2),
        "messages_per_second": round(len(samples) / wall, 2) if wall else 0.0,
        "latency_ms": {
            "all": latency_summary([ms for _, ms in samples]),
            **{kind: latency_summary([ms for k, ms in samples if k == kind]) for kind in KINDS},
        },
        "errors": dict(errors),
        "error_count": sum(errors.values()),
        "empty_replies": dict(empty),
        **({"kb_answers_with_article": round(kb_linked / kb_count, 3) if kb_count else None} if target.ours else {}),
    }
