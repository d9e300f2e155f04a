// The report (/agent/report): figures, charts drawn here as SVG (no library,
// nothing downloaded), the period, the CSV. Signing in and the language are in
// agent-core.js; every string below is registered in the six console languages.
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, t = Desk.t;
  var SVG = "http://www.w3.org/2000/svg";
  var last = null;      // the figures shown, to draw again in another language
  var reading = 0;      // only the latest answer is shown
  var chartIds = 0;

  // --- the period ----------------------------------------------------------------

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  function query() {
    var choice = $("days").value;
    if (choice === "custom") {
      var parts = [];
      if ($("from").value) parts.push("from=" + encodeURIComponent($("from").value));
      if ($("to").value) parts.push("to=" + encodeURIComponent($("to").value));
      return parts.length ? "?" + parts.join("&") : "";
    }
    return choice ? "?days=" + encodeURIComponent(choice) : "";
  }

  function periodText(period, generatedAt) {
    var end = period.until ? Desk.date(period.until) : Desk.date(generatedAt);
    if (!period.since) return t("report.range.all", { to: end });
    return t("report.range", { from: Desk.date(period.since), to: end });
  }

  // --- numbers -------------------------------------------------------------------

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : Desk.number(rate, { style: "percent", maximumFractionDigits: 1 });
  }

  function count(n) { return Desk.number(n || 0); }

  function seconds(value) { return value === null || value === undefined ? "—" : Desk.duration(value); }

  // --- building blocks -------------------------------------------------------------

  function section(title, cls) {
    var box = el("section", null, cls || "report-part");
    box.appendChild(el("h2", title));
    return box;
  }

  function table(rows, head) {
    var node = el("table");
    if (head) {
      var tr = el("tr");
      head.forEach(function (text) { tr.appendChild(el("th", text)); });
      node.appendChild(tr);
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", row[0]));
      row.slice(1).forEach(function (value) {
        tr.appendChild(el("td", value === null || value === undefined || value === "" ? "—" : value));
      });
      node.appendChild(tr);
    });
    return node;
  }

  function card(label, value, detail, id) {
    var node = el("div", null, "card");
    if (id) node.id = id;
    node.appendChild(el("div", value, "card-value"));
    node.appendChild(el("div", label, "card-label"));
    if (detail) node.appendChild(el("div", detail, "card-detail"));
    return node;
  }

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // A horizontal bar chart: rows of {label, value, text, cls}; the value shown as text beside each bar,
  // the whole described for screen readers by its <title> and <desc>.
  function barChart(title, rows, name) {
    var box = section(title, "report-part chart");
    box.dataset.chart = name;
    if (!rows.length) {
      box.appendChild(el("p", t("report.none"), "muted"));
      return box;
    }
    var width = 640, label = 230, valueRoom = 150, bar = 22, gap = 10;
    var height = rows.length * (bar + gap) + gap;
    var max = Math.max.apply(null, rows.map(function (row) { return row.value; }).concat([0]));
    var id = "chart-" + (++chartIds);
    var chart = svg("svg", {
      viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "aria-labelledby": id + "-title " + id + "-desc", "class": "bars"
    });
    chart.appendChild(svg("title", { id: id + "-title" }, title));
    chart.appendChild(svg("desc", { id: id + "-desc" }, t("report.chart.desc", {
      title: title,
      values: rows.map(function (row) { return row.label + ": " + row.text; }).join("; ")
    })));
    rows.forEach(function (row, i) {
      var y = gap + i * (bar + gap);
      var length = max > 0 ? Math.max(row.value > 0 ? 2 : 0, (width - label - valueRoom) * row.value / max) : 0;
      var group = svg("g", { "class": "bar " + (row.cls || "") });
      group.appendChild(svg("text", { x: label - 8, y: y + bar * 0.7, "text-anchor": "end", "class": "bar-label" }, row.label));
      group.appendChild(svg("rect", { x: label, y: y, width: length, height: bar, rx: 3 }));
      group.appendChild(svg("text", { x: label + length + 6, y: y + bar * 0.7, "class": "bar-value" }, row.text));
      chart.appendChild(group);
    });
    box.appendChild(chart);
    return box;
  }

  function countRows(map, labelOf) {
    return Object.keys(map || {})
      .sort(function (a, b) { return map[b] - map[a]; })
      .map(function (key) { return { label: labelOf ? labelOf(key) : key, value: map[key], text: count(map[key]) }; });
  }

  function languageLabel(code) { return code === "unknown" ? t("report.unknown") : Desk.languageName(code); }
  function moodLabel(code) { return code === "unknown" ? Desk.mood(null) : Desk.mood(code); }

  function rateRow(label, part, whole, rate, cls) {
    return { label: label, value: rate || 0, text: percent(rate) + " (" + t("report.of", { part: count(part), whole: count(whole) }) + ")", cls: cls };
  }

  // --- the page ------------------------------------------------------------------

  function render(r) {
    var box = $("figures");
    box.textContent = "";
    chartIds = 0;
    $("period-text").textContent = periodText(r.period, r.generated_at);

    var cards = el("div", null, "cards");
    cards.appendChild(card(t("report.deflection"), percent(r.deflection),
      t("report.of", { part: count(r.outcomes.bot_resolved), whole: count(r.conversations - r.outcomes.too_early) }), "card-deflection"));
    cards.appendChild(card(t("report.reopen"), percent(r.reopen.all.rate),
      t("report.of", { part: count(r.reopen.all.reopened), whole: count(r.reopen.all.resolved) }), "card-reopen"));
    cards.appendChild(card(t("report.csat.bot"), percent(r.csat.bot.csat),
      t("report.ratings.n", { n: count(r.csat.bot.ratings) }), "card-csat-bot"));
    cards.appendChild(card(t("report.csat.agent"), percent(r.csat.agent.csat),
      t("report.ratings.n", { n: count(r.csat.agent.ratings) }), "card-csat-agent"));
    cards.appendChild(card(t("report.fr.median"), seconds(r.first_response.median_seconds),
      t("report.fr.p90") + ": " + seconds(r.first_response.p90_seconds), "card-first-response"));
    cards.appendChild(card(t("report.fr.breached"), count(r.first_response.breached),
      t("report.of", { part: count(r.first_response.breached), whole: count(r.first_response.with_target) }), "card-breaches"));
    box.appendChild(cards);

    var summary = section(t("report.summary"));
    summary.appendChild(table([
      [t("report.conversations"), count(r.conversations)],
      [t("report.bot_resolved"), count(r.outcomes.bot_resolved)],
      [t("report.resolved_helped"), count(r.bot_resolved_by.helped)],
      [t("report.resolved_quiet"), count(r.bot_resolved_by.quiet)],
      [t("report.deflection"), percent(r.deflection)],
      [t("report.escalations"), count(r.escalations)],
      [t("report.median_wait"), r.median_wait_seconds === null ? null : Desk.duration(r.median_wait_seconds)],
      [t("report.still_waiting"), count(r.still_waiting)]
    ]));
    box.appendChild(summary);

    box.appendChild(barChart(t("report.outcomes"), ["bot_resolved", "bot_failed", "person", "too_early"].map(function (key) {
      return { label: t("report.outcome." + key), value: r.outcomes[key], text: count(r.outcomes[key]), cls: key };
    }), "outcomes"));
    box.appendChild(barChart(t("report.reopen"), [
      rateRow(t("report.side.bot"), r.reopen.bot.reopened, r.reopen.bot.resolved, r.reopen.bot.rate, "bot"),
      rateRow(t("report.side.agent"), r.reopen.agent.reopened, r.reopen.agent.resolved, r.reopen.agent.rate, "agent")
    ], "reopen"));
    box.appendChild(barChart(t("report.csat"), [
      rateRow(t("report.side.bot"), r.csat.bot.satisfied, r.csat.bot.ratings, r.csat.bot.csat, "bot"),
      rateRow(t("report.side.agent"), r.csat.agent.satisfied, r.csat.agent.ratings, r.csat.agent.csat, "agent")
    ], "csat"));

    var fr = r.first_response;
    var frChart = barChart(t("report.first_response"), [
      { label: t("report.fr.met"), value: fr.met, text: count(fr.met), cls: "met" },
      { label: t("report.fr.breached"), value: fr.breached, text: count(fr.breached), cls: "breached" },
      { label: t("report.fr.waiting"), value: fr.waiting, text: count(fr.waiting), cls: "waiting" }
    ], "first-response");
    if (!fr.with_target) frChart.appendChild(el("p", t("report.fr.no_target"), "muted"));
    var queues = Object.keys(fr.by_queue || {});
    if (queues.length) {
      frChart.appendChild(table(queues.map(function (queue) {
        var q = fr.by_queue[queue];
        return [queue, count(q.escalations), seconds(q.median_seconds), seconds(q.p90_seconds),
          q.with_target ? count(q.breached) : t("report.fr.none")];
      }), [t("report.queue"), t("report.escalations"), t("report.fr.median"), t("report.fr.p90"), t("report.fr.breached")]));
    }
    box.appendChild(frChart);

    box.appendChild(barChart(t("report.by_reason"), countRows(r.escalations_by_reason, Desk.reason), "reason"));
    box.appendChild(barChart(t("report.by_language"), countRows(r.escalations_by_language, languageLabel), "language"));
    box.appendChild(barChart(t("report.by_mood"), countRows(r.escalations_by_mood, moodLabel), "mood"));
    box.appendChild(barChart(t("report.by_queue"), countRows(r.escalations_by_queue), "queue"));
    box.appendChild(barChart(t("report.conv_by_language"), countRows(r.conversations_by_language, languageLabel), "conversation-language"));
    var dist = r.ratings.distribution;
    var ratings = barChart(t("report.ratings"), ["5", "4", "3", "2", "1"].map(function (n) {
      return { label: t("report.stars", { n: n }), value: dist[n], text: count(dist[n]) };
    }), "ratings");
    ratings.appendChild(table([
      [t("report.ratings.count"), count(r.ratings.count)],
      [t("report.ratings.average"), r.ratings.average === null ? null : Desk.number(r.ratings.average, { maximumFractionDigits: 2 })]
    ]));
    box.appendChild(ratings);
  }

  function load() {
    var mine = ++reading;
    $("report-error").textContent = "";
    $("report").setAttribute("aria-busy", "true");
    Desk.api("GET", "/api/report" + query()).then(function (r) {
      if (mine !== reading) return;
      last = r;
      render(r);
    }).catch(function (error) {
      if (mine === reading) $("report-error").textContent = error.message;
    }).then(function () { if (mine === reading) $("report").removeAttribute("aria-busy"); });
  }

  function downloadCsv() {
    $("report-error").textContent = "";
    var auth = Desk.auth();
    fetch("/api/report.csv" + query(), { headers: { "Authorization": "Bearer " + (auth && auth.token) } })
      .then(function (reply) {
        if (reply.status === 401) { Desk.signOut(); throw new Error(t("session.ended")); }
        if (!reply.ok) return reply.json().catch(function () { return {}; }).then(function (data) { throw new Error(data.message || "HTTP " + reply.status); });
        return reply.blob();
      })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "helpdesk-report.csv";
        document.body.appendChild(link);
        link.click();
        link.remove();
      })
      .catch(function (error) { $("report-error").textContent = error.message; });
  }

  function definitions() {
    var list = $("definitions-list");
    list.textContent = "";
    ["deflection", "reopen", "csat", "first_response", "period"].forEach(function (key) {
      list.appendChild(el("dt", t("report.def." + key + ".name")));
      list.appendChild(el("dd", t("report.def." + key)));
    });
  }

  function choosePeriod() {
    var custom = $("days").value === "custom";
    $("custom-period").hidden = !custom;
    if (custom) {
      if (!$("to").value) $("to").value = isoDay(new Date());
      if (!$("from").value) $("from").value = isoDay(new Date(Date.now() - 29 * 86400000));
    }
    load();
  }

  $("days").addEventListener("change", choosePeriod);
  $("custom-period").addEventListener("submit", function (event) { event.preventDefault(); load(); });
  $("csv").addEventListener("click", downloadCsv);

  Desk.on("start", function () { definitions(); load(); });
  Desk.on("language", function () { definitions(); if (last) render(last); });

  Desk.strings({
    "en": {
      "report.period": "Period",
      "report.period.day": "Last day",
      "report.period.week": "Last 7 days",
      "report.period.month": "Last 30 days",
      "report.period.all": "All time",
      "report.period.custom": "From … to …",
      "report.from": "From",
      "report.to": "To",
      "report.apply": "Show",
      "report.csv": "Download CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "All time, up to {to}",
      "report.of": "{part} of {whole}",
      "report.summary": "Conversations",
      "report.conversations": "conversations",
      "report.bot_resolved": "resolved by the bot",
      "report.resolved_helped": "resolved: the customer said it helped",
      "report.resolved_quiet": "resolved: no word for a day after the answer",
      "report.deflection": "strict deflection",
      "report.escalations": "escalations",
      "report.median_wait": "median wait for an agent",
      "report.still_waiting": "still waiting",
      "report.outcomes": "What became of the conversations",
      "report.outcome.bot_resolved": "Resolved by the bot",
      "report.outcome.bot_failed": "Not resolved by the bot",
      "report.outcome.person": "A person asked for or involved",
      "report.outcome.too_early": "Too early to tell",
      "report.reopen": "Reopen rate",
      "report.side.bot": "Bot alone",
      "report.side.agent": "With an agent",
      "report.csat": "Satisfaction (CSAT)",
      "report.csat.bot": "CSAT, bot alone",
      "report.csat.agent": "CSAT, with an agent",
      "report.ratings.n": "{n} ratings",
      "report.first_response": "First response against the targets",
      "report.fr.median": "median first response",
      "report.fr.p90": "90th percentile",
      "report.fr.met": "Within the target",
      "report.fr.breached": "Target missed",
      "report.fr.waiting": "Waiting, not yet due",
      "report.fr.none": "no target",
      "report.fr.no_target": "No first-response targets are set for these queues (helpdesk.yml, service_levels).",
      "report.queue": "Queue",
      "report.by_reason": "Escalations by reason",
      "report.by_language": "Escalations by language",
      "report.by_mood": "Escalations by mood",
      "report.by_queue": "Escalations by queue",
      "report.conv_by_language": "Conversations by language",
      "report.ratings": "Ratings",
      "report.ratings.count": "ratings",
      "report.ratings.average": "average",
      "report.stars": "{n} ★",
      "report.none": "None in this period.",
      "report.unknown": "unknown",
      "report.chart.desc": "{title}: {values}.",
      "report.definitions": "How these are counted",
      "report.def.deflection.name": "Resolved by the bot",
      "report.def.deflection": "Nobody was asked for or involved (no escalation, no “talk to a person”, no agent message), and the customer said an answer helped (or rated 4–5 ★) or wrote nothing for 24 hours after an answer. Not when the last word was that it did not help, no article was found, a 1–2 ★ rating, or coming back within 24 hours (after 30 minutes away). Younger than 24 hours with neither: too early to tell, not counted. Strict deflection = resolved by the bot ÷ the conversations counted.",
      "report.def.reopen.name": "Reopen rate",
      "report.def.reopen": "Of the resolutions (by the bot as above, or an escalation resolved by an agent), the share after which the customer wrote again more than 30 minutes and at most 7 days later, or the conversation was escalated again within 7 days.",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "The share of 4- and 5-star ratings: for conversations the bot handled alone, and for those an agent resolved.",
      "report.def.first_response.name": "First response",
      "report.def.first_response": "From the escalation to the agent's first message: median and 90th percentile. The target per queue and priority is in helpdesk.yml; missed: answered late, or unanswered past it.",
      "report.def.period.name": "Period",
      "report.def.period": "Conversations count in the period of the customer's first message, escalations in that of their creation, agents' resolutions in that of the resolution."
    },
    "pt": {
      "report.period": "Período",
      "report.period.day": "Último dia",
      "report.period.week": "Últimos 7 dias",
      "report.period.month": "Últimos 30 dias",
      "report.period.all": "Desde o início",
      "report.period.custom": "De … até …",
      "report.from": "De",
      "report.to": "Até",
      "report.apply": "Mostrar",
      "report.csv": "Baixar CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "Desde o início, até {to}",
      "report.of": "{part} de {whole}",
      "report.summary": "Conversas",
      "report.conversations": "conversas",
      "report.bot_resolved": "resolvidas pelo bot",
      "report.resolved_helped": "resolvidas: o cliente disse que ajudou",
      "report.resolved_quiet": "resolvidas: nenhuma palavra por um dia após a resposta",
      "report.deflection": "resolução estrita pelo bot",
      "report.escalations": "escalonamentos",
      "report.median_wait": "espera mediana por um atendente",
      "report.still_waiting": "ainda esperando",
      "report.outcomes": "O que aconteceu com as conversas",
      "report.outcome.bot_resolved": "Resolvida pelo bot",
      "report.outcome.bot_failed": "Não resolvida pelo bot",
      "report.outcome.person": "Pediu ou teve uma pessoa",
      "report.outcome.too_early": "Cedo demais para saber",
      "report.reopen": "Taxa de reabertura",
      "report.side.bot": "Só o bot",
      "report.side.agent": "Com atendente",
      "report.csat": "Satisfação (CSAT)",
      "report.csat.bot": "CSAT, só o bot",
      "report.csat.agent": "CSAT, com atendente",
      "report.ratings.n": "{n} avaliações",
      "report.first_response": "Primeira resposta frente às metas",
      "report.fr.median": "primeira resposta mediana",
      "report.fr.p90": "percentil 90",
      "report.fr.met": "Dentro da meta",
      "report.fr.breached": "Meta estourada",
      "report.fr.waiting": "Esperando, ainda no prazo",
      "report.fr.none": "sem meta",
      "report.fr.no_target": "Nenhuma meta de primeira resposta definida para estas filas (helpdesk.yml, service_levels).",
      "report.queue": "Fila",
      "report.by_reason": "Escalonamentos por motivo",
      "report.by_language": "Escalonamentos por idioma",
      "report.by_mood": "Escalonamentos por humor",
      "report.by_queue": "Escalonamentos por fila",
      "report.conv_by_language": "Conversas por idioma",
      "report.ratings": "Avaliações",
      "report.ratings.count": "avaliações",
      "report.ratings.average": "média",
      "report.stars": "{n} ★",
      "report.none": "Nenhum neste período.",
      "report.unknown": "desconhecido",
      "report.chart.desc": "{title}: {values}.",
      "report.definitions": "Como estes números são contados",
      "report.def.deflection.name": "Resolvida pelo bot",
      "report.def.deflection": "Ninguém foi pedido nem participou (sem escalonamento, sem “falar com uma pessoa”, sem mensagem de atendente), e o cliente disse que uma resposta ajudou (ou deu 4–5 ★) ou não escreveu nada por 24 horas após uma resposta. Não conta quando a última palavra foi que não ajudou, nenhum artigo foi achado, uma nota de 1–2 ★, ou o cliente voltou em até 24 horas (após 30 minutos fora). Com menos de 24 horas e nenhum dos dois: cedo demais para saber, não entra na conta. Resolução estrita = resolvidas pelo bot ÷ conversas contadas.",
      "report.def.reopen.name": "Taxa de reabertura",
      "report.def.reopen": "Das resoluções (pelo bot como acima, ou um escalonamento resolvido por atendente), a parte em que o cliente escreveu de novo mais de 30 minutos e até 7 dias depois, ou a conversa foi escalonada de novo em até 7 dias.",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "A parte das avaliações de 4 e 5 estrelas: nas conversas que o bot atendeu sozinho e nas que um atendente resolveu.",
      "report.def.first_response.name": "Primeira resposta",
      "report.def.first_response": "Do escalonamento à primeira mensagem do atendente: mediana e percentil 90. A meta por fila e prioridade está no helpdesk.yml; estourada: respondida tarde, ou sem resposta depois do prazo.",
      "report.def.period.name": "Período",
      "report.def.period": "As conversas contam no período da primeira mensagem do cliente, os escalonamentos no da sua criação, as resoluções de atendentes no da resolução."
    },
    "es": {
      "report.period": "Periodo",
      "report.period.day": "Último día",
      "report.period.week": "Últimos 7 días",
      "report.period.month": "Últimos 30 días",
      "report.period.all": "Desde el principio",
      "report.period.custom": "Desde … hasta …",
      "report.from": "Desde",
      "report.to": "Hasta",
      "report.apply": "Mostrar",
      "report.csv": "Descargar CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "Desde el principio, hasta {to}",
      "report.of": "{part} de {whole}",
      "report.summary": "Conversaciones",
      "report.conversations": "conversaciones",
      "report.bot_resolved": "resueltas por el bot",
      "report.resolved_helped": "resueltas: el cliente dijo que ayudó",
      "report.resolved_quiet": "resueltas: ni una palabra en un día tras la respuesta",
      "report.deflection": "resolución estricta por el bot",
      "report.escalations": "escalados",
      "report.median_wait": "espera mediana por un agente",
      "report.still_waiting": "aún esperando",
      "report.outcomes": "Qué pasó con las conversaciones",
      "report.outcome.bot_resolved": "Resuelta por el bot",
      "report.outcome.bot_failed": "No resuelta por el bot",
      "report.outcome.person": "Se pidió o intervino una persona",
      "report.outcome.too_early": "Demasiado pronto para saberlo",
      "report.reopen": "Tasa de reapertura",
      "report.side.bot": "Solo el bot",
      "report.side.agent": "Con un agente",
      "report.csat": "Satisfacción (CSAT)",
      "report.csat.bot": "CSAT, solo el bot",
      "report.csat.agent": "CSAT, con un agente",
      "report.ratings.n": "{n} valoraciones",
      "report.first_response": "Primera respuesta frente a los objetivos",
      "report.fr.median": "primera respuesta mediana",
      "report.fr.p90": "percentil 90",
      "report.fr.met": "Dentro del objetivo",
      "report.fr.breached": "Objetivo incumplido",
      "report.fr.waiting": "Esperando, aún en plazo",
      "report.fr.none": "sin objetivo",
      "report.fr.no_target": "No hay objetivos de primera respuesta para estas colas (helpdesk.yml, service_levels).",
      "report.queue": "Cola",
      "report.by_reason": "Escalados por motivo",
      "report.by_language": "Escalados por idioma",
      "report.by_mood": "Escalados por estado de ánimo",
      "report.by_queue": "Escalados por cola",
      "report.conv_by_language": "Conversaciones por idioma",
      "report.ratings": "Valoraciones",
      "report.ratings.count": "valoraciones",
      "report.ratings.average": "media",
      "report.stars": "{n} ★",
      "report.none": "Ninguno en este periodo.",
      "report.unknown": "desconocido",
      "report.chart.desc": "{title}: {values}.",
      "report.definitions": "Cómo se cuentan estas cifras",
      "report.def.deflection.name": "Resuelta por el bot",
      "report.def.deflection": "Nadie fue solicitado ni intervino (sin escalado, sin “hablar con una persona”, sin mensaje de agente), y el cliente dijo que una respuesta ayudó (o puso 4–5 ★) o no escribió nada durante 24 horas tras una respuesta. No cuenta si lo último fue que no ayudó, no se encontró artículo, una valoración de 1–2 ★, o volvió antes de 24 horas (tras 30 minutos fuera). Con menos de 24 horas y nada de eso: demasiado pronto, no se cuenta. Resolución estricta = resueltas por el bot ÷ conversaciones contadas.",
      "report.def.reopen.name": "Tasa de reapertura",
      "report.def.reopen": "De las resoluciones (por el bot como arriba, o un escalado resuelto por un agente), la parte tras la cual el cliente volvió a escribir más de 30 minutos y como mucho 7 días después, o la conversación se escaló de nuevo en 7 días.",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "La parte de valoraciones de 4 y 5 estrellas: en las conversaciones que el bot atendió solo y en las que resolvió un agente.",
      "report.def.first_response.name": "Primera respuesta",
      "report.def.first_response": "Del escalado al primer mensaje del agente: mediana y percentil 90. El objetivo por cola y prioridad está en helpdesk.yml; incumplido: respondido tarde, o sin respuesta pasado el plazo.",
      "report.def.period.name": "Periodo",
      "report.def.period": "Las conversaciones cuentan en el periodo del primer mensaje del cliente, los escalados en el de su creación, las resoluciones de agentes en el de la resolución."
    },
    "vi": {
      "report.period": "Khoảng thời gian",
      "report.period.day": "Ngày qua",
      "report.period.week": "7 ngày qua",
      "report.period.month": "30 ngày qua",
      "report.period.all": "Toàn bộ",
      "report.period.custom": "Từ … đến …",
      "report.from": "Từ",
      "report.to": "Đến",
      "report.apply": "Xem",
      "report.csv": "Tải CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "Toàn bộ, đến {to}",
      "report.of": "{part} trên {whole}",
      "report.summary": "Cuộc trò chuyện",
      "report.conversations": "cuộc trò chuyện",
      "report.bot_resolved": "bot đã giải quyết",
      "report.resolved_helped": "đã giải quyết: khách nói câu trả lời có ích",
      "report.resolved_quiet": "đã giải quyết: khách im lặng một ngày sau câu trả lời",
      "report.deflection": "tỷ lệ bot tự giải quyết (nghiêm ngặt)",
      "report.escalations": "lượt chuyển tiếp",
      "report.median_wait": "thời gian chờ nhân viên (trung vị)",
      "report.still_waiting": "vẫn đang chờ",
      "report.outcomes": "Kết quả các cuộc trò chuyện",
      "report.outcome.bot_resolved": "Bot đã giải quyết",
      "report.outcome.bot_failed": "Bot chưa giải quyết được",
      "report.outcome.person": "Đã yêu cầu hoặc có nhân viên",
      "report.outcome.too_early": "Còn quá sớm để biết",
      "report.reopen": "Tỷ lệ mở lại",
      "report.side.bot": "Chỉ bot",
      "report.side.agent": "Có nhân viên",
      "report.csat": "Mức hài lòng (CSAT)",
      "report.csat.bot": "CSAT, chỉ bot",
      "report.csat.agent": "CSAT, có nhân viên",
      "report.ratings.n": "{n} đánh giá",
      "report.first_response": "Phản hồi đầu tiên so với mục tiêu",
      "report.fr.median": "phản hồi đầu tiên (trung vị)",
      "report.fr.p90": "phân vị 90",
      "report.fr.met": "Đạt mục tiêu",
      "report.fr.breached": "Trễ mục tiêu",
      "report.fr.waiting": "Đang chờ, chưa đến hạn",
      "report.fr.none": "không có mục tiêu",
      "report.fr.no_target": "Các hàng đợi này chưa có mục tiêu phản hồi đầu tiên (helpdesk.yml, service_levels).",
      "report.queue": "Hàng đợi",
      "report.by_reason": "Chuyển tiếp theo lý do",
      "report.by_language": "Chuyển tiếp theo ngôn ngữ",
      "report.by_mood": "Chuyển tiếp theo tâm trạng",
      "report.by_queue": "Chuyển tiếp theo hàng đợi",
      "report.conv_by_language": "Cuộc trò chuyện theo ngôn ngữ",
      "report.ratings": "Đánh giá",
      "report.ratings.count": "đánh giá",
      "report.ratings.average": "trung bình",
      "report.stars": "{n} ★",
      "report.none": "Không có trong khoảng này.",
      "report.unknown": "không rõ",
      "report.chart.desc": "{title}: {values}.",
      "report.definitions": "Cách tính các số liệu",
      "report.def.deflection.name": "Bot đã giải quyết",
      "report.def.deflection": "Không ai được yêu cầu hay tham gia (không chuyển tiếp, không bấm “nói chuyện với người”, không có tin nhắn của nhân viên), và khách nói câu trả lời có ích (hoặc chấm 4–5 ★) hay không viết gì trong 24 giờ sau một câu trả lời. Không tính khi điều cuối cùng là câu trả lời không giúp được, không tìm thấy bài viết, chấm 1–2 ★, hoặc khách quay lại trong vòng 24 giờ (sau 30 phút vắng). Chưa đủ 24 giờ và chưa có tín hiệu nào: còn quá sớm, không tính. Tỷ lệ nghiêm ngặt = bot đã giải quyết ÷ số cuộc được tính.",
      "report.def.reopen.name": "Tỷ lệ mở lại",
      "report.def.reopen": "Trong các lần giải quyết (bởi bot như trên, hoặc lượt chuyển tiếp do nhân viên giải quyết), phần mà sau đó khách viết lại sau hơn 30 phút và trong vòng 7 ngày, hoặc cuộc trò chuyện lại được chuyển tiếp trong 7 ngày.",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "Tỷ lệ đánh giá 4 và 5 sao: cho các cuộc bot tự xử lý và các cuộc nhân viên đã giải quyết.",
      "report.def.first_response.name": "Phản hồi đầu tiên",
      "report.def.first_response": "Từ lúc chuyển tiếp đến tin nhắn đầu tiên của nhân viên: trung vị và phân vị 90. Mục tiêu theo hàng đợi và mức ưu tiên nằm trong helpdesk.yml; trễ: trả lời muộn, hoặc quá hạn mà chưa trả lời.",
      "report.def.period.name": "Khoảng thời gian",
      "report.def.period": "Cuộc trò chuyện tính theo tin nhắn đầu tiên của khách, lượt chuyển tiếp theo lúc tạo, lần giải quyết của nhân viên theo lúc giải quyết."
    },
    "zh-Hans": {
      "report.period": "时间范围",
      "report.period.day": "最近一天",
      "report.period.week": "最近 7 天",
      "report.period.month": "最近 30 天",
      "report.period.all": "全部",
      "report.period.custom": "自定义起止日期",
      "report.from": "从",
      "report.to": "到",
      "report.apply": "显示",
      "report.csv": "下载 CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "全部，截至 {to}",
      "report.of": "{whole} 中的 {part}",
      "report.summary": "对话",
      "report.conversations": "对话数",
      "report.bot_resolved": "机器人解决",
      "report.resolved_helped": "已解决：客户表示有帮助",
      "report.resolved_quiet": "已解决：回答后一天内没有再来",
      "report.deflection": "严格的机器人解决率",
      "report.escalations": "转人工次数",
      "report.median_wait": "等待客服的中位时间",
      "report.still_waiting": "仍在等待",
      "report.outcomes": "对话的结果",
      "report.outcome.bot_resolved": "机器人已解决",
      "report.outcome.bot_failed": "机器人未解决",
      "report.outcome.person": "要求或有人工参与",
      "report.outcome.too_early": "尚无法判断",
      "report.reopen": "重开率",
      "report.side.bot": "仅机器人",
      "report.side.agent": "有客服参与",
      "report.csat": "满意度 (CSAT)",
      "report.csat.bot": "CSAT，仅机器人",
      "report.csat.agent": "CSAT，有客服参与",
      "report.ratings.n": "{n} 个评分",
      "report.first_response": "首次响应与目标对比",
      "report.fr.median": "首次响应中位时间",
      "report.fr.p90": "第 90 百分位",
      "report.fr.met": "达到目标",
      "report.fr.breached": "超出目标",
      "report.fr.waiting": "等待中，尚未到期",
      "report.fr.none": "无目标",
      "report.fr.no_target": "这些队列没有设置首次响应目标（helpdesk.yml，service_levels）。",
      "report.queue": "队列",
      "report.by_reason": "按原因的转人工",
      "report.by_language": "按语言的转人工",
      "report.by_mood": "按情绪的转人工",
      "report.by_queue": "按队列的转人工",
      "report.conv_by_language": "按语言的对话",
      "report.ratings": "评分",
      "report.ratings.count": "评分数",
      "report.ratings.average": "平均分",
      "report.stars": "{n} ★",
      "report.none": "此期间没有。",
      "report.unknown": "未知",
      "report.chart.desc": "{title}：{values}。",
      "report.definitions": "这些数字如何计算",
      "report.def.deflection.name": "机器人已解决",
      "report.def.deflection": "没有要求或出现人工（没有转人工、没有点“联系真人”、没有客服消息），并且客户表示回答有帮助（或评 4–5 ★），或在回答后 24 小时内没有再写。若最后的信号是没有帮助、找不到文章、评 1–2 ★，或在 24 小时内回来（离开 30 分钟以上后），则不算。不足 24 小时且两者皆无：尚无法判断，不计入。严格解决率 = 机器人已解决 ÷ 计入的对话。",
      "report.def.reopen.name": "重开率",
      "report.def.reopen": "在已解决的对话中（机器人如上解决，或客服解决的转人工），客户在 30 分钟以后、7 天以内再次来信，或对话在 7 天内再次转人工的比例。",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "4 星和 5 星评分所占比例：分别统计机器人独自处理的对话和客服解决的对话。",
      "report.def.first_response.name": "首次响应",
      "report.def.first_response": "从转人工到客服的第一条消息：中位数和第 90 百分位。各队列和优先级的目标在 helpdesk.yml 中；超出：回复太晚，或过了期限仍未回复。",
      "report.def.period.name": "时间范围",
      "report.def.period": "对话按客户的第一条消息计入，转人工按创建时间，客服的解决按解决时间。"
    },
    "zh-Hant": {
      "report.period": "時間範圍",
      "report.period.day": "最近一天",
      "report.period.week": "最近 7 天",
      "report.period.month": "最近 30 天",
      "report.period.all": "全部",
      "report.period.custom": "自訂起訖日期",
      "report.from": "從",
      "report.to": "到",
      "report.apply": "顯示",
      "report.csv": "下載 CSV",
      "report.range": "{from} – {to}",
      "report.range.all": "全部，截至 {to}",
      "report.of": "{whole} 中的 {part}",
      "report.summary": "對話",
      "report.conversations": "對話數",
      "report.bot_resolved": "機器人解決",
      "report.resolved_helped": "已解決：客戶表示有幫助",
      "report.resolved_quiet": "已解決：回答後一天內沒有再來",
      "report.deflection": "嚴格的機器人解決率",
      "report.escalations": "轉人工次數",
      "report.median_wait": "等待客服的中位時間",
      "report.still_waiting": "仍在等待",
      "report.outcomes": "對話的結果",
      "report.outcome.bot_resolved": "機器人已解決",
      "report.outcome.bot_failed": "機器人未解決",
      "report.outcome.person": "要求或有人工參與",
      "report.outcome.too_early": "尚無法判斷",
      "report.reopen": "重開率",
      "report.side.bot": "僅機器人",
      "report.side.agent": "有客服參與",
      "report.csat": "滿意度 (CSAT)",
      "report.csat.bot": "CSAT，僅機器人",
      "report.csat.agent": "CSAT，有客服參與",
      "report.ratings.n": "{n} 個評分",
      "report.first_response": "首次回應與目標對比",
      "report.fr.median": "首次回應中位時間",
      "report.fr.p90": "第 90 百分位",
      "report.fr.met": "達到目標",
      "report.fr.breached": "超出目標",
      "report.fr.waiting": "等待中，尚未到期",
      "report.fr.none": "無目標",
      "report.fr.no_target": "這些佇列沒有設定首次回應目標（helpdesk.yml，service_levels）。",
      "report.queue": "佇列",
      "report.by_reason": "依原因的轉人工",
      "report.by_language": "依語言的轉人工",
      "report.by_mood": "依情緒的轉人工",
      "report.by_queue": "依佇列的轉人工",
      "report.conv_by_language": "依語言的對話",
      "report.ratings": "評分",
      "report.ratings.count": "評分數",
      "report.ratings.average": "平均分",
      "report.stars": "{n} ★",
      "report.none": "此期間沒有。",
      "report.unknown": "未知",
      "report.chart.desc": "{title}：{values}。",
      "report.definitions": "這些數字如何計算",
      "report.def.deflection.name": "機器人已解決",
      "report.def.deflection": "沒有要求或出現人工（沒有轉人工、沒有點「聯絡真人」、沒有客服訊息），並且客戶表示回答有幫助（或評 4–5 ★），或在回答後 24 小時內沒有再寫。若最後的訊號是沒有幫助、找不到文章、評 1–2 ★，或在 24 小時內回來（離開 30 分鐘以上後），則不算。不足 24 小時且兩者皆無：尚無法判斷，不計入。嚴格解決率 = 機器人已解決 ÷ 計入的對話。",
      "report.def.reopen.name": "重開率",
      "report.def.reopen": "在已解決的對話中（機器人如上解決，或客服解決的轉人工），客戶在 30 分鐘以後、7 天以內再次來訊，或對話在 7 天內再次轉人工的比例。",
      "report.def.csat.name": "CSAT",
      "report.def.csat": "4 星和 5 星評分所佔比例：分別統計機器人獨自處理的對話和客服解決的對話。",
      "report.def.first_response.name": "首次回應",
      "report.def.first_response": "從轉人工到客服的第一則訊息：中位數和第 90 百分位。各佇列和優先順序的目標在 helpdesk.yml 中；超出：回覆太晚，或過了期限仍未回覆。",
      "report.def.period.name": "時間範圍",
      "report.def.period": "對話依客戶的第一則訊息計入，轉人工依建立時間，客服的解決依解決時間。"
    }
  });
})();
