// Suggested answers (agent.html, after agent.js): for the customer's latest
// message, the knowledge base's best articles, each answer in the agent's
// language beside the same answer in the customer's language and script
// (GET /api/escalations/<id>/suggestions, bot/web/suggestions_api.py).
// "Insert" puts the customer's version in the reply box, to send as it is or
// edited; it shows only while the reply box does (the agent holds the
// conversation). Everything is set with textContent.
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, t = Desk.t;

  Desk.strings({
    "en": {
      "suggest.title": "Suggested answers",
      "suggest.intro": "From the knowledge base, for the customer's latest message: the answer in your language beside the text the customer will read.",
      "suggest.loading": "Looking for answers…",
      "suggest.none": "No article fits the customer's latest message.",
      "suggest.retry": "Try again",
      "suggest.yours": "For you · {language}",
      "suggest.customers": "For the customer · {language}",
      "suggest.fallback_agent": "Not written in your language: this is the {language} version.",
      "suggest.fallback_customer": "Not written in the customer's language: this is the {language} version.",
      "suggest.score": "{score} match",
      "suggest.insert": "Insert",
      "suggest.insert_hint": "Put the customer's version in the reply box, to send as it is or edited.",
      "suggest.claim_first": "Claim the conversation to insert an answer into your reply.",
      "suggest.inserted": "Inserted into the reply box: check it, then Send.",
      "error.kb_unavailable": "The knowledge base cannot be reached right now; try again in a moment."
    },
    "pt": {
      "suggest.title": "Respostas sugeridas",
      "suggest.intro": "Da base de conhecimento, para a última mensagem do cliente: a resposta no seu idioma ao lado do texto que o cliente vai ler.",
      "suggest.loading": "Procurando respostas…",
      "suggest.none": "Nenhum artigo corresponde à última mensagem do cliente.",
      "suggest.retry": "Tentar de novo",
      "suggest.yours": "Para você · {language}",
      "suggest.customers": "Para o cliente · {language}",
      "suggest.fallback_agent": "Não escrito no seu idioma: esta é a versão em {language}.",
      "suggest.fallback_customer": "Não escrito no idioma do cliente: esta é a versão em {language}.",
      "suggest.score": "{score} de correspondência",
      "suggest.insert": "Inserir",
      "suggest.insert_hint": "Coloca a versão do cliente na caixa de resposta, para enviar como está ou editada.",
      "suggest.claim_first": "Assuma a conversa para inserir uma resposta.",
      "suggest.inserted": "Inserida na caixa de resposta: revise e clique em Enviar.",
      "error.kb_unavailable": "A base de conhecimento não está acessível agora; tente de novo em instantes."
    },
    "es": {
      "suggest.title": "Respuestas sugeridas",
      "suggest.intro": "De la base de conocimiento, para el último mensaje del cliente: la respuesta en tu idioma junto al texto que leerá el cliente.",
      "suggest.loading": "Buscando respuestas…",
      "suggest.none": "Ningún artículo corresponde al último mensaje del cliente.",
      "suggest.retry": "Reintentar",
      "suggest.yours": "Para ti · {language}",
      "suggest.customers": "Para el cliente · {language}",
      "suggest.fallback_agent": "No está escrito en tu idioma: esta es la versión en {language}.",
      "suggest.fallback_customer": "No está escrito en el idioma del cliente: esta es la versión en {language}.",
      "suggest.score": "{score} de coincidencia",
      "suggest.insert": "Insertar",
      "suggest.insert_hint": "Pone la versión del cliente en el cuadro de respuesta, para enviarla tal cual o editada.",
      "suggest.claim_first": "Toma la conversación para insertar una respuesta.",
      "suggest.inserted": "Insertada en el cuadro de respuesta: revísala y pulsa Enviar.",
      "error.kb_unavailable": "La base de conocimiento no está disponible ahora; inténtalo de nuevo en un momento."
    },
    "vi": {
      "suggest.title": "Câu trả lời gợi ý",
      "suggest.intro": "Từ cơ sở kiến thức, cho tin nhắn mới nhất của khách: câu trả lời bằng ngôn ngữ của bạn bên cạnh nội dung khách sẽ đọc.",
      "suggest.loading": "Đang tìm câu trả lời…",
      "suggest.none": "Không có bài viết nào phù hợp với tin nhắn mới nhất của khách.",
      "suggest.retry": "Thử lại",
      "suggest.yours": "Cho bạn · {language}",
      "suggest.customers": "Cho khách · {language}",
      "suggest.fallback_agent": "Chưa có bản bằng ngôn ngữ của bạn: đây là bản {language}.",
      "suggest.fallback_customer": "Chưa có bản bằng ngôn ngữ của khách: đây là bản {language}.",
      "suggest.score": "Độ phù hợp {score}",
      "suggest.insert": "Chèn",
      "suggest.insert_hint": "Đưa bản dành cho khách vào ô trả lời, để gửi nguyên văn hoặc sau khi sửa.",
      "suggest.claim_first": "Hãy nhận cuộc trò chuyện để chèn câu trả lời.",
      "suggest.inserted": "Đã chèn vào ô trả lời: hãy kiểm tra rồi bấm Gửi.",
      "error.kb_unavailable": "Hiện không truy cập được cơ sở kiến thức; vui lòng thử lại sau giây lát."
    },
    "zh-Hans": {
      "suggest.title": "推荐回答",
      "suggest.intro": "来自知识库,针对客户的最新消息:您的语言版本旁边,就是客户将读到的文字。",
      "suggest.loading": "正在查找回答…",
      "suggest.none": "没有与客户最新消息相符的文章。",
      "suggest.retry": "重试",
      "suggest.yours": "给您看 · {language}",
      "suggest.customers": "发给客户 · {language}",
      "suggest.fallback_agent": "没有您的语言版本:这是{language}版本。",
      "suggest.fallback_customer": "没有客户的语言版本:这是{language}版本。",
      "suggest.score": "匹配度 {score}",
      "suggest.insert": "插入",
      "suggest.insert_hint": "把客户版本放进回复框,可直接发送或修改后发送。",
      "suggest.claim_first": "先接手此对话,才能插入回答。",
      "suggest.inserted": "已插入回复框:检查后点击发送。",
      "error.kb_unavailable": "暂时无法连接知识库,请稍后再试。"
    },
    "zh-Hant": {
      "suggest.title": "建議回答",
      "suggest.intro": "來自知識庫,針對客戶的最新訊息:您的語言版本旁邊,就是客戶將讀到的文字。",
      "suggest.loading": "正在尋找回答…",
      "suggest.none": "沒有與客戶最新訊息相符的文章。",
      "suggest.retry": "重試",
      "suggest.yours": "給您看 · {language}",
      "suggest.customers": "傳給客戶 · {language}",
      "suggest.fallback_agent": "沒有您的語言版本:這是{language}版本。",
      "suggest.fallback_customer": "沒有客戶的語言版本:這是{language}版本。",
      "suggest.score": "相符度 {score}",
      "suggest.insert": "插入",
      "suggest.insert_hint": "把客戶版本放進回覆框,可直接傳送或修改後傳送。",
      "suggest.claim_first": "先接手此對話,才能插入回答。",
      "suggest.inserted": "已插入回覆框:檢查後點選傳送。",
      "error.kb_unavailable": "暫時無法連線知識庫,請稍後再試。"
    }
  });

  // What is on screen: for which conversation, message and console language,
  // and what the server said (suggestions, or an error). The console reads the
  // conversation again on every message; the server is asked again only when
  // the customer wrote something new or the agent changed language.
  var state = { key: null, id: null, suggestions: null, error: null, inserted: null };
  var asking = 0;
  var insertShown = null;  // whether the last rendering had Insert buttons

  // The customer's latest words, as the server picks them (bot/web/suggestions_api.py).
  function latestCustomerText(detail) {
    function last(lines) {
      for (var i = (lines || []).length - 1; i >= 0; i--) {
        var text = String(lines[i].text || "").trim();
        if (lines[i].sender === "customer" && text && text.charAt(0) !== "/") return text;
      }
      return null;
    }
    var since = (detail.messages || []).filter(function (message) { return (message.at || 0) >= detail.created_at; });
    return last(since) || last(detail.transcript);
  }

  function panel() {
    var section = $("suggestions");
    if (!section) {
      section = el("section", null, "suggestions");
      section.id = "suggestions";
      section.setAttribute("aria-labelledby", "suggestions-title");
      // First under the reply box, where the agent's eyes are when answering.
      var tools = $("detail-tools");
      tools.insertBefore(section, tools.firstChild);
    }
    return section;
  }

  function column(cls, label, text, language) {
    var box = el("div", null, "suggestion-text " + cls);
    box.appendChild(el("span", label, "suggestion-label"));
    var body = el("p", text);
    body.lang = language;
    box.appendChild(body);
    return box;
  }

  function render() {
    var detail = Desk.current();
    var section = panel();
    section.textContent = "";
    if (!detail) return;
    insertShown = !$("reply").hidden;
    var heading = el("h3", t("suggest.title"));
    heading.id = "suggestions-title";
    section.appendChild(heading);
    section.appendChild(el("p", t("suggest.intro"), "muted"));
    if (state.error) {
      var failed = el("p", state.error, "error");
      failed.setAttribute("role", "alert");
      section.appendChild(failed);
      var retry = el("button", t("suggest.retry"));
      retry.type = "button";
      retry.className = "suggestion-retry";
      retry.addEventListener("click", function () { state.key = null; refresh(Desk.current()); });
      section.appendChild(retry);
      return;
    }
    if (state.suggestions === null) { section.appendChild(el("p", t("suggest.loading"), "muted")); return; }
    if (!state.suggestions.length) { section.appendChild(el("p", t("suggest.none"), "muted suggestions-none")); return; }
    var canInsert = !$("reply").hidden;
    var wantedAgent = Desk.lang() === "en" ? Desk.customerLang(detail) : Desk.lang();
    var wantedCustomer = Desk.customerLang(detail);
    var list = el("ol", null, "suggestion-list");
    list.id = "suggestion-list";
    state.suggestions.forEach(function (suggestion) {
      var item = el("li", null, "suggestion");
      item.setAttribute("data-article", suggestion.article_id);
      var head = el("div", null, "suggestion-head");
      var title = el("h4", suggestion.title);
      title.lang = suggestion.agent_language;
      head.appendChild(title);
      head.appendChild(el("span", t("suggest.score", { score: Desk.number(suggestion.score, { style: "percent" }) }), "muted suggestion-score"));
      item.appendChild(head);
      var texts = el("div", null, "suggestion-texts");
      texts.appendChild(column("suggestion-agent", t("suggest.yours", { language: Desk.languageName(suggestion.agent_language) }),
        suggestion.agent_text, suggestion.agent_language));
      texts.appendChild(column("suggestion-customer", t("suggest.customers", { language: Desk.languageName(suggestion.customer_language) }),
        suggestion.customer_text, suggestion.customer_language));
      item.appendChild(texts);
      if (suggestion.agent_language !== wantedAgent) {
        item.appendChild(el("p", t("suggest.fallback_agent", { language: Desk.languageName(suggestion.agent_language) }), "suggestion-fallback"));
      }
      if (suggestion.customer_language !== wantedCustomer) {
        item.appendChild(el("p", t("suggest.fallback_customer", { language: Desk.languageName(suggestion.customer_language) }), "suggestion-fallback"));
      }
      if (canInsert) {
        var insert = el("button", t("suggest.insert"), "suggestion-insert");
        insert.type = "button";
        insert.title = t("suggest.insert_hint");
        insert.addEventListener("click", function () {
          var box = $("reply-text");
          box.value = suggestion.customer_text;
          box.dispatchEvent(new Event("input", { bubbles: true }));
          box.focus();
          state.inserted = suggestion.article_id;
          render();
        });
        item.appendChild(insert);
        if (state.inserted === suggestion.article_id) {
          var done = el("p", t("suggest.inserted"), "muted suggestion-inserted");
          done.setAttribute("role", "status");
          item.appendChild(done);
        }
      }
      list.appendChild(item);
    });
    section.appendChild(list);
    if (!canInsert) section.appendChild(el("p", t("suggest.claim_first"), "muted suggestion-claim-first"));
  }

  function refresh(detail) {
    if (!detail) { state = { key: null, id: null, suggestions: null, error: null, inserted: null }; render(); return; }
    var key = [detail.id, latestCustomerText(detail), Desk.lang()].join("\u0000");
    if (key === state.key && !state.error) {
      // Nothing new to ask: the panel stays as it is (and keeps the keyboard
      // focus), unless claiming or handing over changed what can be inserted.
      if (!$("reply").hidden !== insertShown) render();
      return;
    }
    var sameConversation = state.id === detail.id;
    state = { key: key, id: detail.id, suggestions: sameConversation ? state.suggestions : null, error: null,
      inserted: sameConversation ? state.inserted : null };
    render();
    var mine = ++asking;
    Desk.api("GET", "/api/escalations/" + encodeURIComponent(detail.id) + "/suggestions").then(function (data) {
      if (mine !== asking) return;
      state.suggestions = data.suggestions || [];
      render();
    }).catch(function (error) {
      if (mine !== asking) return;
      state.error = error.message;
      state.key = null;  // asked again with the next reading of the conversation
      render();
    });
  }

  Desk.on("detail", refresh);
  Desk.on("language", function () { refresh(Desk.current()); });
  Desk.on("signout", function () { refresh(null); });
  Desk.on("sent", function () { if (state.inserted) { state.inserted = null; render(); } });
})();
