// The console's service levels, notifications and queue search (agent.html,
// after agent.js):
//  - each queue entry shows the time left to its first-response target
//    (helpdesk.yml escalation.service_levels), ticking, and "overdue by ..."
//    highlighted once breached;
//  - a new escalation puts a count in the tab's title ("(2) Agent console")
//    while the agent looks elsewhere, cleared when they look at the console,
//    and beeps if the agent switched the sound on (Web Audio, no file);
//  - a search box finds customers by e-mail or anything they wrote
//    (GET /api/escalations?q=, with the queue and language filters).
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, t = Desk.t;
  var SOUND_KEY = "helpdesk.agent.sound";
  var SOON = 0.2;  // the last fifth of the target: "soon" (amber)

  Desk.strings({
    "en": {
      "sla.left": "{time} left",
      "sla.overdue": "overdue by {time}",
      "sla.met": "answered in time",
      "sla.late": "answered late",
      "sla.due": "First answer due {when}",
      "search.label": "Search the queue",
      "search.placeholder": "Customer, e-mail or words",
      "search.found": "{n} found",
      "sound.label": "Sound for new escalations"
    },
    "pt": {
      "sla.left": "faltam {time}",
      "sla.overdue": "atrasado há {time}",
      "sla.met": "respondido no prazo",
      "sla.late": "respondido com atraso",
      "sla.due": "Primeira resposta até {when}",
      "search.label": "Buscar na fila",
      "search.placeholder": "Cliente, e-mail ou palavras",
      "search.found": "{n} encontrado(s)",
      "sound.label": "Som para novos atendimentos"
    },
    "es": {
      "sla.left": "quedan {time}",
      "sla.overdue": "vencido hace {time}",
      "sla.met": "respondido a tiempo",
      "sla.late": "respondido tarde",
      "sla.due": "Primera respuesta antes de {when}",
      "search.label": "Buscar en la cola",
      "search.placeholder": "Cliente, correo o palabras",
      "search.found": "{n} resultado(s)",
      "sound.label": "Sonido para casos nuevos"
    },
    "vi": {
      "sla.left": "còn {time}",
      "sla.overdue": "quá hạn {time}",
      "sla.met": "đã trả lời đúng hạn",
      "sla.late": "đã trả lời trễ hạn",
      "sla.due": "Hạn trả lời đầu tiên: {when}",
      "search.label": "Tìm trong hàng chờ",
      "search.placeholder": "Khách hàng, email hoặc từ khóa",
      "search.found": "Tìm thấy {n}",
      "sound.label": "Âm báo khi có yêu cầu mới"
    },
    "zh-Hans": {
      "sla.left": "剩余 {time}",
      "sla.overdue": "已超时 {time}",
      "sla.met": "已按时回复",
      "sla.late": "回复超时",
      "sla.due": "首次回复截止:{when}",
      "search.label": "搜索队列",
      "search.placeholder": "客户、邮箱或内容",
      "search.found": "找到 {n} 条",
      "sound.label": "新会话提示音"
    },
    "zh-Hant": {
      "sla.left": "剩餘 {time}",
      "sla.overdue": "已逾時 {time}",
      "sla.met": "已準時回覆",
      "sla.late": "回覆逾時",
      "sla.due": "首次回覆期限:{when}",
      "search.label": "搜尋佇列",
      "search.placeholder": "客戶、電子郵件或內容",
      "search.found": "找到 {n} 筆",
      "sound.label": "新對話提示音"
    }
  });

  // --- the time left on each queue entry ----------------------------------------

  // seconds_left is the server's (its clock, not this computer's): the local
  // due time is when the list arrived plus that.
  function stamp(item) {
    if (item.slaReceived === undefined) item.slaReceived = Date.now() / 1000;
    return item.slaReceived;
  }

  function showLeft(badge, li) {
    var left = Number(badge.dataset.due) - Date.now() / 1000;
    var overdue = left < 0;
    badge.textContent = overdue ? t("sla.overdue", { time: Desk.duration(-left) }) : t("sla.left", { time: Desk.duration(left) });
    badge.className = "sla" + (overdue ? " sla-overdue" : left < SOON * Number(badge.dataset.target) ? " sla-soon" : "");
    if (li) li.classList.toggle("sla-breached", overdue);
  }

  function renderLevels(items) {
    items.forEach(function (item) {
      var li = document.querySelector('#queue li[data-id="' + item.id + '"]');
      if (!li || item.target_seconds === null || item.target_seconds === undefined) return;
      var badge = el("span", null, "sla");
      badge.title = t("sla.due", { when: Desk.date(item.due_at) });
      if (item.first_response_at) {
        badge.textContent = item.breached ? t("sla.late") : t("sla.met");
        badge.className = "sla " + (item.breached ? "sla-late" : "sla-met");
      } else {
        badge.dataset.due = stamp(item) + Number(item.seconds_left);
        badge.dataset.target = item.target_seconds;
        badge.setAttribute("data-ticking", "");
        showLeft(badge, li);
      }
      (li.querySelector(".meta") || li).appendChild(badge);
    });
    if (searchBox.value.trim()) found.textContent = t("search.found", { n: items.length });
    else found.textContent = "";
  }

  Desk.on("queue", renderLevels);

  // --- search -----------------------------------------------------------------

  var tools = $("queue-tools");
  var searchBox = el("input");
  searchBox.type = "search";
  searchBox.id = "queue-search";
  searchBox.maxLength = 200;
  searchBox.setAttribute("data-i18n-placeholder", "search.placeholder");
  searchBox.setAttribute("data-i18n-label", "search.label");
  var found = el("span", null, "muted search-found");
  found.id = "queue-search-found";
  found.setAttribute("role", "status");
  tools.appendChild(searchBox);
  tools.appendChild(found);

  Desk.queueQuery.push(function () {
    var q = searchBox.value.trim();
    return q ? "q=" + encodeURIComponent(q) : "";
  });
  var typing = null;
  searchBox.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(Desk.loadQueue, 250);
  });

  // --- new escalations: the title's count and the sound --------------------------

  var soundLabel = el("label", null, "sound");
  var soundBox = el("input");
  soundBox.type = "checkbox";
  soundBox.id = "queue-sound";
  soundBox.checked = localStorage.getItem(SOUND_KEY) === "on";  // off until the agent turns it on
  var soundText = el("span");
  soundText.setAttribute("data-i18n", "sound.label");
  soundLabel.appendChild(soundBox);
  soundLabel.appendChild(document.createTextNode(" "));
  soundLabel.appendChild(soundText);
  tools.appendChild(soundLabel);

  var audio = null;
  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      var tone = audio.createOscillator(), gain = audio.createGain(), now = audio.currentTime;
      tone.type = "sine";
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, now);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.3);
    } catch (error) { /* no sound on this browser: the title still counts */ }
  }
  soundBox.addEventListener("change", function () {
    localStorage.setItem(SOUND_KEY, soundBox.checked ? "on" : "off");
    if (soundBox.checked) beep();  // a click lets the page play sound; the agent hears what it will be
  });

  var unseen = 0;         // new escalations the agent has not looked at yet
  var focused = document.hasFocus();
  function looking() { return focused && !document.hidden; }

  function showCount() {
    var base = document.title.replace(/^\(\d+\) /, "");
    var wanted = unseen ? "(" + unseen + ") " + base : base;
    if (document.title !== wanted) document.title = wanted;
  }

  function seen() {
    if (!looking()) return;
    unseen = 0;
    showCount();
  }
  window.addEventListener("focus", function () { focused = true; seen(); });
  window.addEventListener("blur", function () { focused = false; });
  document.addEventListener("visibilitychange", seen);

  // The queued escalations known so far (all queues and languages, whatever the
  // filters show); null until the first reading.
  var known = null, reading = false, again = false;
  function readQueued() {
    if (reading) { again = true; return; }
    reading = true;
    Desk.api("GET", "/api/escalations?status=queued").then(function (list) {
      var ids = list.map(function (item) { return item.id; });
      var fresh = known === null ? [] : ids.filter(function (id) { return known.indexOf(id) < 0; });
      known = ids;
      if (fresh.length) {
        if (!looking()) { unseen += fresh.length; showCount(); }
        if (soundBox.checked) beep();
      }
    }).catch(function () { /* the queue shows the error */ }).then(function () {
      reading = false;
      if (again) { again = false; readQueued(); }
    });
  }

  Desk.on("start", function () { known = null; readQueued(); });
  Desk.on("event", function (event) { if (event.type === "queue_changed") readQueued(); });
  Desk.on("signout", function () { known = null; unseen = 0; showCount(); });
  Desk.on("language", showCount);  // the page retitled itself; the queue re-renders its entries

  // The time left ticks in place; the title keeps its count when the page
  // retitles itself (the language changed).
  setInterval(function () {
    document.querySelectorAll("#queue .sla[data-ticking]").forEach(function (badge) {
      showLeft(badge, badge.closest("li"));
    });
    showCount();
  }, 1000);
})();
