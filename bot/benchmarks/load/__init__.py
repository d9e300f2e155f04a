"""Load benchmark: this assistant against a stock Rasa 3.6 one (not a test).

Simulated customers chat with the whole assistant, and the same load goes
to a stock Rasa assistant on the same machine.

    python -m bot.benchmarks.load [--concurrency 1,10,50] [--messages 20]
        [--min-messages 200] [--think 0] [--targets web-ws,rasa-rest,stock-rest]
        [--skip-startup | --startup-only] [--json reports/bench.json]

What runs. Everything listens on free ports of 127.0.0.1 and is stopped at
the end, also on Ctrl-C or an error; logs and databases go to a temporary
folder (kept and named when something fails to start).
  - This project's stack as `make run` runs it: `python -m bot.action_server`, `rasa run
    --enable-api` with models/helpdesk.tar.gz and a copy of endpoints.yml
    (its own action port and SQLite tracker database), and `python -m
    bot.web.server` (RASA_URL, ACTION_SERVER_URL) on a SQLite help-desk
    database. Two settings differ, so that the benchmark measures speed and
    not policy: the web server's per-session and per-address limits are
    lifted (CHAT_MESSAGES_PER_10S, CHAT_SESSIONS_PER_MINUTE), and every queue
    is open around the clock (`hours` removed from a copy of helpdesk.yml),
    so an escalation goes the same way at any hour.
  - A stock assistant: `rasa init --no-prompt` in var/bench/stock (made and
    trained once, about 1.5 min; reused while var/bench/stock/models/ has a
    model), served by `rasa run --enable-api` with its own default endpoints:
    in-memory tracker store, no action server (its sample answers with
    responses only).

The load. Each simulated customer is a new conversation in one language
(round robin pt, es, vi, zh) that sends its messages one after another,
each after the whole answer to the one before: knowledge-base questions
(`kb`), greetings and thanks (`small_talk`), angry messages (`angry`), a
request for a person (`escalation`) and then, as no agent is online, the
e-mail address the bot asks for (`email`). --concurrency N runs N such
customers at once; each starts a new conversation when one ends, until at
least --min-messages were sent, so that a single conversation at a time
still gives enough samples for a p99. Without pauses (--think 0, the
default) this is a closed loop: N customers keep the servers saturated
as soon as N times the service time exceeds the time between answers, and
latency is then about N / throughput. --think S makes each customer pause
S seconds on average (0.5 S to 1.5 S) before the next message, as people
do; messages per second is then the load offered, and latency shows the
service time under that load.

The targets get the same messages:
  web-ws      this stack through the customer connection the widget uses:
              POST /api/sessions, then the WebSocket /api/ws;
  web-http    (optional) the same web server through POST /api/messages;
  rasa-rest   this stack's Rasa directly, its REST channel;
  stock-rest  the stock assistant's REST channel. It answers in English,
              mostly nonsense to these messages: only its speed counts.

When a message is answered. POST /api/messages and the REST channel return
every reply at once. The WebSocket has no end-of-answer event (the bot may
send several messages, or none), so after each message the customer sends
a second frame that is not a message, {"type": "ping"}. The web server
reads a connection's frames one at a time and handles the message, with
every reply published, before it reads the next frame, which it answers
with an error event `bad_request`. Latency runs from sending the message to
that event: exact rather than a guess from a quiet period, at the cost of
one JSON parse on the server. (If bot/web/server.py ever handles a
connection's frames concurrently, this rule breaks: the timings would come
out far too low and the answers empty.)

Figures, per target and concurrency: messages per second (answered
messages / wall time of the run, which includes opening each conversation:
a session and a WebSocket handshake for web-ws), latency p50/p95/p99 per
message type and overall (ms), errors by kind (HTTP status and error code,
error event, timeout, exception), messages answered with no reply at all,
the share of `kb` answers that link an article (this stack only: checks
that the messages take the intended path), and for each process, with its
children, the peak resident memory (VmRSS) sampled every 0.5 s. Each
target is warmed up first with one short conversation per language (not
counted). The simulated customers run in this process, on the same CPUs as
the servers. Other work on the machine slows every target: each run
reports the highest 1-minute load average and how many CPUs processes
other than the benchmark and its servers kept busy on average (from
/proc/stat and /proc/<pid>/stat).

Start-up: seconds from launching `python -m bot.run` (what `make run` runs
once installed and trained, without make's own checks) until a customer
who opened the chat at once gets a first bot answer: a session as soon as
the web server answers, then "oi" over the WebSocket, sent again a second
after each refusal, until a bot message arrives. bot.run runs on free
ports (RASA_PORT, ACTION_PORT, WEB_PORT), and the one conversation it makes
is written to var/conversations.db, the tracker store `make run` uses; the
help-desk records go to a temporary database.

The package: stack.py (the servers under test, their memory), customers.py
(what simulated customers type and the load generator), startup.py (the
start-up time), report.py (tables and verdicts), __main__.py (the command).
"""
