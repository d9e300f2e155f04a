// The agent console (/agent) and the report (/agent/report).
// Everything shown comes from the agents' API; text is always set with
// textContent, never as HTML, since customers write what they like.
(function () {
  "use strict";
  var TOKEN_KEY = "helpdesk.agent";
  var page = document.body.getAttribute("data-page");
  var $ = function (id) { return document.getElementById(id); };
  // Console-only controls: the report page shares this script but not them.
  function on(id, type, handler) {
    var node = $(id);
    if (node) node.addEventListener(type, handler);
  }
  var auth = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
  var selected = null;     // id of the escalation on the right
  var current = null;      // its details
  var queue = [];
  var socket = null;
  var retry = 1000;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function api(method, path, body) {
    var options = { method: method, headers: { "Authorization": "Bearer " + (auth && auth.token) } };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        if (reply.status === 401) { signOut(); throw new Error("Your session ended; sign in again."); }
        if (!reply.ok) throw new Error(data.message || ("HTTP " + reply.status));
        return data;
      });
    });
  }

  function minutes(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    return seconds < 60 ? seconds + " s" : Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  }

  // --- signing in -------------------------------------------------------------

  function showSignIn() {
    $("sign-in").hidden = false;
    $("nav").hidden = true;
    $("who").hidden = true;
    var main = $(page === "console" ? "console" : "report");
    main.hidden = true;
  }

  function signOut() {
    auth = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    showSignIn();
  }

  $("sign-in").addEventListener("submit", function (event) {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    fetch("/api/agent/login", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: $("name").value, password: $("password").value })
    }).then(function (reply) {
      return reply.json().then(function (data) {
        if (!reply.ok) throw new Error(data.message || "Sign-in failed.");
        auth = data;
        sessionStorage.setItem(TOKEN_KEY, JSON.stringify(data));
        $("password").value = "";
        start();
      });
    }).catch(function (error) { $("sign-in-error").textContent = error.message; });
  });

  $("sign-out").addEventListener("click", function () {
    // End the session on the server too, so the token cannot be used again.
    if (auth) fetch("/api/agent/logout", { method: "POST", headers: { "Authorization": "Bearer " + auth.token } }).catch(function () {});
    signOut();
  });

  function start() {
    $("sign-in").hidden = true;
    $("nav").hidden = false;
    $("who").hidden = false;
    $("who").textContent = auth.agent;
    if (page === "console") {
      $("console").hidden = false;
      $("privacy").hidden = !auth.admin;
      connect();
      loadQueue();
      loadGaps();
    } else {
      $("report").hidden = false;
      loadReport();
    }
  }

  // --- a customer's data (admins only) -----------------------------------------

  if (page === "console") {
    $("privacy-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var email = $("privacy-email").value.trim();
      api("GET", "/api/privacy/export?email=" + encodeURIComponent(email)).then(function (document_) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" }));
        link.download = "customer-data.json";
        link.click();
        $("privacy-result").textContent = "Exported " + document_.conversations.length + " conversation(s).";
      }).catch(function (error) { $("privacy-result").textContent = error.message; });
    });
    $("privacy-delete").addEventListener("click", function () {
      var email = $("privacy-email").value.trim();
      if (!email || !$("privacy-sure").checked) {
        $("privacy-result").textContent = "Type the e-mail and tick \u201cI am sure\u201d first.";
        return;
      }
      api("POST", "/api/privacy/delete", { email: email }).then(function (result) {
        $("privacy-sure").checked = false;
        $("privacy-result").textContent = "Deleted " + result.conversations + " conversation(s) from every store.";
        loadQueue();
        loadGaps();
      }).catch(function (error) { $("privacy-result").textContent = error.message; });
    });
  }

  // --- articles to write: the questions the bot could not answer ---------------

  var KIND_LABELS = {
    no_article: "no article found",
    refused_suggestion: "suggestion turned down",
    not_helpful: "answer did not help"
  };

  function when(seconds) {
    return new Date(seconds * 1000).toLocaleString();
  }

  function loadGaps() {
    $("gaps-error").textContent = "";
    api("GET", "/api/kb/gaps").then(function (data) {
      var list = $("gaps-list");
      list.textContent = "";
      data.groups.forEach(function (group) {
        var li = el("li");
        var title = el("div");
        title.appendChild(el("strong", group.size === 1 ? "1 question" : group.size + " questions"));
        title.appendChild(el("span", " · last asked " + when(group.newest_at), "muted"));
        li.appendChild(title);
        var meta = el("div", null, "meta");
        group.languages.forEach(function (language) { meta.appendChild(el("span", language, "badge")); });
        Object.keys(group.kinds).forEach(function (kind) {
          meta.appendChild(el("span", (KIND_LABELS[kind] || kind) + " × " + group.kinds[kind], "badge"));
        });
        if (group.articles_tried.length) meta.appendChild(el("span", "tried: " + group.articles_tried.join(", ")));
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

  if (page === "console") $("gaps-refresh").addEventListener("click", loadGaps);

  // --- the live connection ----------------------------------------------------

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/agent/ws");
    var ping = null;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "auth", token: auth.token }));
    };
    socket.onmessage = function (frame) {
      var event = JSON.parse(frame.data);
      if (event.type === "ready") {
        retry = 1000;
        $("link").textContent = "online";
        $("link").className = "link";
        ping = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 20000);
        loadQueue();
      } else if (event.type === "queue_changed") {
        loadQueue();
        if (selected !== null) loadDetail(selected);
      } else if (event.type === "message") {
        // Read the conversation again rather than append: a reading already on
        // its way could otherwise arrive after this message and drop it.
        if (current && event.conversation_id === current.conversation_id) loadDetail(selected);
        else loadQueue();
      } else if (event.type === "error" && event.code === "unauthorized") {
        signOut();
      }
    };
    socket.onclose = function () {
      clearInterval(ping);
      $("link").textContent = "offline, reconnecting…";
      $("link").className = "link down";
      setTimeout(function () { if (auth) connect(); }, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  // --- the queue --------------------------------------------------------------

  function loadQueue() {
    var query = [];
    if ($("filter-queue").value) query.push("queue=" + encodeURIComponent($("filter-queue").value));
    if ($("filter-language").value) query.push("language=" + encodeURIComponent($("filter-language").value));
    api("GET", "/api/escalations" + (query.length ? "?" + query.join("&") : "")).then(function (list) {
      queue = list;
      renderQueue();
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  }

  // What each escalation reason means, as an agent would say it.
  var REASONS = {
    request_human: "Asked for a person",
    anger_with_threat: "Angry, threatening to leave or complain",
    repeated_anger: "Stayed angry",
    no_article: "No article answered the question",
    unhelpful_answers: "The answers did not help",
    repeated_fallback: "The bot did not understand, repeatedly"
  };

  function reasonText(reason) {
    return REASONS[reason] || String(reason || "").replace(/_/g, " ");
  }

  function customerText(item) {
    return item.email || (item.customer_said ? "\u201c" + item.customer_said + "\u201d" : "Customer");
  }

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
      li.appendChild(el("div", reasonText(item.reason), "reason"));
      var meta = el("div", null, "meta");
      meta.appendChild(el("span", "P" + item.priority, "badge"));
      meta.appendChild(el("span", item.language + (item.script ? "-" + item.script : ""), "badge"));
      meta.appendChild(el("span", item.mood || "?", "badge " + (item.mood || "")));
      meta.appendChild(el("span", item.queue, "badge"));
      meta.appendChild(el("span", item.status + (item.agent ? " (" + item.agent + ")" : ""), "badge " + item.status));
      var waited = item.claimed_at ? item.claimed_at - item.created_at : now - item.created_at;
      var waiting = el("span", "waiting " + minutes(waited), "waiting");
      if (!item.claimed_at) waiting.dataset.since = item.created_at;
      meta.appendChild(waiting);
      li.appendChild(meta);
      li.addEventListener("click", function () { select(item.id); });
      li.addEventListener("keydown", function (event) { if (event.key === "Enter") select(item.id); });
      list.appendChild(li);
    });
    $("count").textContent = "(" + queue.length + ")";
    $("queue-empty").hidden = queue.length > 0;
  }

  on("filter-queue", "change", loadQueue);
  on("filter-language", "change", loadQueue);
  // Waiting times tick in place (rebuilding the list would lose the keyboard focus).
  setInterval(function () {
    var now = Date.now() / 1000;
    document.querySelectorAll("#queue .waiting[data-since]").forEach(function (span) {
      span.textContent = "waiting " + minutes(now - Number(span.dataset.since));
    });
  }, 1000);

  // --- one escalation ----------------------------------------------------------

  function select(id) {
    selected = id;
    renderQueue();
    loadDetail(id);
  }

  function fact(name, value) {
    $("facts").appendChild(el("dt", name));
    $("facts").appendChild(el("dd", value === null || value === undefined || value === "" ? "—" : value));
  }

  function addLine(message) {
    var sender = message.sender || "bot";
    var li = el("li", null, sender);
    var who = sender === "agent" ? (message.name || "agent") : sender;
    li.appendChild(el("span", who + (message.mood ? " · " + message.mood : ""), "who"));
    li.appendChild(el("span", message.text));
    $("transcript").appendChild(li);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }

  var detailReading = 0;  // only the latest reading of a conversation is shown

  function loadDetail(id) {
    var reading = ++detailReading;
    api("GET", "/api/escalations/" + id).then(function (detail) {
      if (selected !== id || reading !== detailReading) return;
      current = detail;
      $("detail").hidden = false;
      $("detail-error").textContent = "";
      $("detail-title").textContent = reasonText(detail.reason) + " · " + (detail.email || "#" + detail.id);
      $("facts").textContent = "";
      fact("Conversation", detail.conversation_id);
      fact("Language", detail.language + (detail.script ? " (" + detail.script + ")" : ""));
      fact("Mood", detail.mood);
      fact("Moods so far", (detail.moods || []).join(" → "));
      fact("Priority", detail.priority);
      fact("Queue", detail.queue);
      fact("Status", detail.status + (detail.agent ? " · " + detail.agent : ""));
      fact("E-mail", detail.email);
      fact("Waiting", minutes(detail.waiting_seconds));
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
      if (!(detail.articles || []).length) $("articles").appendChild(el("li", "none", "muted"));
      $("transcript").textContent = "";
      // The conversation up to the hand-over (with moods), then what followed.
      var before = detail.transcript || [];
      before.forEach(addLine);
      (detail.messages || []).forEach(function (message) {
        var at = message.at;
        if (at && at < detail.created_at) return;
        addLine(message);
      });
      var mine = detail.status === "assigned" && detail.agent === auth.agent;
      $("claim").hidden = detail.status !== "queued";
      $("resolve").hidden = !mine;
      $("reply").hidden = !mine;
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  }

  on("claim", "click", function () {
    api("POST", "/api/escalations/" + selected + "/claim").then(function (result) {
      if (result.bot_paused === false) $("detail-error").textContent = "Claimed, but the bot could not be paused: Rasa is not reachable.";
      loadQueue();
      loadDetail(selected);
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });

  on("resolve", "click", function () {
    api("POST", "/api/escalations/" + selected + "/resolve").then(function () {
      selected = null;
      current = null;
      $("detail").hidden = true;
      loadQueue();
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });

  on("reply", "submit", function (event) {
    event.preventDefault();
    var text = $("reply-text").value;
    if (!text.trim()) return;
    api("POST", "/api/escalations/" + selected + "/message", { text: text }).then(function () {
      $("reply-text").value = "";
    }).catch(function (error) { $("detail-error").textContent = error.message; });
  });

  // --- the report ---------------------------------------------------------------

  function table(title, rows) {
    var section = el("section");
    section.appendChild(el("h2", title));
    var t = el("table");
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", row[0]));
      tr.appendChild(el("td", row[1] === null || row[1] === undefined ? "—" : row[1]));
      t.appendChild(tr);
    });
    section.appendChild(t);
    return section;
  }

  function counts(map) {
    var keys = Object.keys(map || {}).sort(function (a, b) { return map[b] - map[a]; });
    return keys.length ? keys.map(function (k) { return [k, map[k]]; }) : [["none", 0]];
  }

  function loadReport() {
    var days = $("days").value;
    api("GET", "/api/report" + (days ? "?days=" + days : "")).then(function (r) {
      var box = $("figures");
      box.textContent = "";
      box.appendChild(table("Conversations", [
        ["conversations", r.conversations],
        ["resolved without a person", r.resolved_without_person],
        ["deflection", r.deflection === null ? null : Math.round(r.deflection * 1000) / 10 + " %"],
        ["escalations", r.escalations],
        ["median wait for an agent", r.median_wait_seconds === null ? null : minutes(r.median_wait_seconds)],
        ["still waiting", r.still_waiting]
      ]));
      box.appendChild(table("Conversations by language", counts(r.conversations_by_language)));
      box.appendChild(table("Escalations by reason", counts(r.escalations_by_reason).map(function (row) {
        return [row[0] === "none" ? row[0] : reasonText(row[0]), row[1]];
      })));
      box.appendChild(table("Escalations by language", counts(r.escalations_by_language)));
      box.appendChild(table("Escalations by mood", counts(r.escalations_by_mood)));
      box.appendChild(table("Escalations by queue", counts(r.escalations_by_queue)));
      var dist = r.ratings.distribution;
      box.appendChild(table("Ratings", [["ratings", r.ratings.count], ["average", r.ratings.average]].concat(
        ["5", "4", "3", "2", "1"].map(function (n) { return [n + " ★", dist[n]]; }))));
    }).catch(function (error) { $("figures").textContent = error.message; });
  }

  if (page === "report") $("days").addEventListener("change", loadReport);

  if (auth && auth.expires_at > Date.now() / 1000) start(); else showSignIn();
})();
