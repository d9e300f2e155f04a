// The agent console (/agent): the queue, one escalation, the live
// connection, the questions the bot could not answer, a customer's data.
// Signing in, the API and the agent's language are in agent-core.js; the
// console's other parts (agent-*.js) hook in through Desk.on().
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, api = Desk.api, t = Desk.t;
  var selected = null;     // id of the escalation on the right
  var queue = [];
  var socket = null;
  var retry = 1000;

  Desk.on("start", function () {
    $("privacy").hidden = !Desk.auth().admin;
    connect();
    loadQueue();
    loadGaps();
  });
  Desk.on("signout", function () {
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
  });
  Desk.on("refresh", function () {
    loadQueue();
    if (selected !== null) loadDetail(selected);
  });
  Desk.on("language", function () {
    renderQueue();
    if (selected !== null) loadDetail(selected);
    loadGaps();
    linkState(socket && socket.readyState === WebSocket.OPEN);
  });

  // --- a customer's data (admins only) -----------------------------------------

  $("privacy-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var email = $("privacy-email").value.trim();
    api("GET", "/api/privacy/export?email=" + encodeURIComponent(email)).then(function (document_) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" }));
      link.download = "customer-data.json";
      link.click();
      $("privacy-result").textContent = t("privacy.exported", { n: document_.conversations.length });
    }).catch(function (error) { $("privacy-result").textContent = error.message; });
  });
  $("privacy-delete").addEventListener("click", function () {
    var email = $("privacy-email").value.trim();
    if (!email || !$("privacy-sure").checked) {
      $("privacy-result").textContent = t("privacy.first");
      return;
    }
    api("POST", "/api/privacy/delete", { email: email }).then(function (result) {
      $("privacy-sure").checked = false;
      $("privacy-result").textContent = t("privacy.deleted", { n: result.conversations });
      loadQueue();
      loadGaps();
    }).catch(function (error) { $("privacy-result").textContent = error.message; });
  });

  // --- articles to write: the questions the bot could not answer ---------------

  function loadGaps() {
    $("gaps-error").textContent = "";
    api("GET", "/api/kb/gaps").then(function (data) {
      var list = $("gaps-list");
      list.textContent = "";
      data.groups.forEach(function (group) {
        var li = el("li");
        var title = el("div");
        title.appendChild(el("strong", group.size === 1 ? t("gaps.one_question") : t("gaps.questions", { n: group.size })));
        title.appendChild(el("span", " · " + t("gaps.last_asked", { when: Desk.date(group.newest_at) }), "muted"));
        li.appendChild(title);
        var meta = el("div", null, "meta");
        group.languages.forEach(function (language) { meta.appendChild(el("span", Desk.languageName(language), "badge")); });
        Object.keys(group.kinds).forEach(function (kind) {
          meta.appendChild(el("span", t("gaps.kind." + kind) + " × " + group.kinds[kind], "badge"));
        });
        if (group.articles_tried.length) meta.appendChild(el("span", t("gaps.tried", { articles: group.articles_tried.join(", ") })));
        li.appendChild(meta);
        var examples = el("ul", null, "examples");
        group.examples.forEach(function (text) { examples.appendChild(el("li", text)); });
        li.appendChild(examples);
        list.appendChild(li);
      });
      $("gaps-count").textContent = "(" + data.groups.length + ")";
      $("gaps-empty").hidden = data.groups.length > 0;
    }).catch(function (error) { $("gaps-error").textContent = error.message; });
  }

  $("gaps-refresh").addEventListener("click", loadGaps);

  // --- the live connection ----------------------------------------------------

  function linkState(up) {
    $("link").textContent = up ? t("link.online") : t("link.offline");
    $("link").className = up ? "link" : "link down";
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/agent/ws");
    var ping = null;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "auth", token: Desk.auth().token }));
    };
    socket.onmessage = function (frame) {
      var event = JSON.parse(frame.data);
      if (event.type === "ready") {
        retry = 1000;
        linkState(true);
        ping = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 20000);
        loadQueue();
      } else if (event.type === "queue_changed") {
        loadQueue();
        if (selected !== null) loadDetail(selected);
      } else if (event.type === "message") {
        // Read the conversation again rather than append: a reading already on
        // its way could otherwise arrive after this message and drop it.
        var current = Desk.current();
        if (current && event.conversation_id === current.conversation_id) loadDetail(selected);
        else loadQueue();
      } else if (event.type === "error" && event.code === "unauthorized") {
        Desk.signOut();
      }
      Desk.emit("event", event);
    };
    socket.onclose = function () {
      clearInterval(ping);
      linkState(false);
      setTimeout(function () { if (Desk.auth()) connect(); }, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  // --- the queue --------------------------------------------------------------

  // Other parts add their own query (search): Desk.queueQuery.push(function () { return "q=..."; }).
  Desk.queueQuery = [];

  function loadQueue() {
    var query = [];
    if ($("filter-queue").value) query.push("queue=" + encodeURIComponent($("filter-queue").value));
    if ($("filter-language").value) query.push("language=" + encodeURIComponent($("filter-language").value));
    Desk.queueQuery.forEach(function (part) { var q = part(); if (q) query.push(q); });
    api("GET", "/api/escalations" + (query.length ? "?" + query.join("&") : "")).then(function (list) {
      queue = list;
      renderQueue();
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  }
  Desk.loadQueue = loadQueue;

  function customerText(item) {
    return item.email || (item.customer_said ? "\u201c" + item.customer_said + "\u201d" : t("queue.customer"));
  }

  function waitingText(seconds) { return t("queue.waiting", { time: Desk.duration(seconds) }); }

  function renderQueue() {
    var list = $("queue");
    list.textContent = "";
    var now = Date.now() / 1000;
    queue.forEach(function (item) {
      var li = el("li");
      li.tabIndex = 0;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(item.id === selected));
      li.dataset.id = item.id;
      var title = el("div");
      title.appendChild(el("strong", customerText(item)));
      li.appendChild(title);
      li.appendChild(el("div", Desk.reason(item.reason), "reason"));
      var meta = el("div", null, "meta");
      meta.appendChild(el("span", t("queue.priority", { n: item.priority }), "badge"));
      meta.appendChild(el("span", Desk.customerLanguageName(item), "badge"));
      meta.appendChild(el("span", Desk.mood(item.mood), "badge " + (item.mood || "")));
      meta.appendChild(el("span", Desk.queueName(item.queue), "badge"));
      var state = Desk.status(item.status) + (item.agent ? " (" + item.agent + ")" : "");
      meta.appendChild(el("span", state, "badge " + item.status));
      var waited = item.claimed_at ? item.claimed_at - item.created_at : now - item.created_at;
      var waiting = el("span", waitingText(waited), "waiting");
      if (!item.claimed_at) waiting.dataset.since = item.created_at;
      meta.appendChild(waiting);
      li.appendChild(meta);
      li.addEventListener("click", function () { select(item.id); });
      li.addEventListener("keydown", function (event) { if (event.key === "Enter") select(item.id); });
      list.appendChild(li);
    });
    $("count").textContent = "(" + queue.length + ")";
    $("queue-empty").hidden = queue.length > 0;
    Desk.emit("queue", queue);
  }

  $("filter-queue").addEventListener("change", loadQueue);
  $("filter-language").addEventListener("change", loadQueue);
  // Waiting times tick in place (rebuilding the list would lose the keyboard focus).
  setInterval(function () {
    var now = Date.now() / 1000;
    document.querySelectorAll("#queue .waiting[data-since]").forEach(function (span) {
      span.textContent = waitingText(now - Number(span.dataset.since));
    });
  }, 1000);

  // --- one escalation ----------------------------------------------------------

  function select(id) {
    selected = id;
    renderQueue();
    loadDetail(id);
  }

  function fact(name, value) {
    $("facts").appendChild(el("dt", t(name)));
    $("facts").appendChild(el("dd", value === null || value === undefined || value === "" ? "—" : value));
  }

  function addLine(message) {
    var sender = message.sender || "bot";
    var li = el("li", null, sender);
    var who = sender === "agent" ? (message.name || t("sender.agent")) : t("sender." + sender);
    li.appendChild(el("span", who + (message.mood ? " · " + Desk.mood(message.mood) : ""), "who"));
    li.appendChild(el("span", message.text));
    Desk.emit("line", li, message);  // parts decorate a line (agent-attachments.js: the customer's files)
    $("transcript").appendChild(li);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }

  var detailReading = 0;  // only the latest reading of a conversation is shown

  function loadDetail(id) {
    var reading = ++detailReading;
    api("GET", "/api/escalations/" + id).then(function (detail) {
      if (selected !== id || reading !== detailReading) return;
      Desk.setCurrent(detail);
      $("detail").hidden = false;
      $("detail-error").textContent = "";
      $("detail-title").textContent = Desk.reason(detail.reason) + " · " + (detail.email || "#" + detail.id);
      $("facts").textContent = "";
      fact("fact.conversation", detail.conversation_id);
      fact("fact.language", Desk.customerLanguageName(detail));
      fact("fact.mood", Desk.mood(detail.mood));
      fact("fact.moods", (detail.moods || []).map(Desk.mood).join(" → "));
      fact("fact.priority", detail.priority);
      fact("fact.queue", Desk.queueName(detail.queue));
      fact("fact.status", Desk.status(detail.status) + (detail.agent ? " · " + detail.agent : ""));
      fact("fact.email", detail.email);
      if (detail.customer_name) fact("fact.name", detail.customer_name);  // from the widget's pre-chat form
      fact("fact.waiting", Desk.duration(detail.waiting_seconds));
      $("articles").textContent = "";
      (detail.articles || []).forEach(function (article) {
        var li = el("li");
        var link = el("a", article);
        link.href = "/kb/" + encodeURIComponent(detail.language || "pt") + "/" + encodeURIComponent(article);
        link.target = "_blank";
        link.rel = "noopener";
        li.appendChild(link);
        $("articles").appendChild(li);
      });
      if (!(detail.articles || []).length) $("articles").appendChild(el("li", t("detail.no_articles"), "muted"));
      $("transcript").textContent = "";
      // The conversation up to the hand-over (with moods), then what followed.
      var before = detail.transcript || [];
      before.forEach(addLine);
      (detail.messages || []).forEach(function (message) {
        var at = message.at;
        // (Files the customer attached before the hand-over are in no transcript: shown here.)
        if (at && at < detail.created_at && !message.attachment) return;
        addLine(message);
      });
      var mine = detail.status === "assigned" && detail.agent === Desk.auth().agent;
      $("claim").hidden = detail.status !== "queued";
      $("resolve").hidden = !mine;
      $("reply").hidden = !mine;
      Desk.emit("detail", detail);
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  }

  $("claim").addEventListener("click", function () {
    api("POST", "/api/escalations/" + selected + "/claim").then(function (result) {
      if (result.bot_paused === false) $("detail-error").textContent = t("detail.not_paused");
      loadQueue();
      loadDetail(selected);
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });

  $("resolve").addEventListener("click", function () {
    api("POST", "/api/escalations/" + selected + "/resolve").then(function () {
      selected = null;
      Desk.setCurrent(null);
      $("detail").hidden = true;
      loadQueue();
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });

  $("reply").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply-text").value;
    if (!text.trim()) return;
    api("POST", "/api/escalations/" + selected + "/message", { text: text }).then(function (sent) {
      $("reply-text").value = "";
      Desk.emit("sent", sent);
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });
})();
