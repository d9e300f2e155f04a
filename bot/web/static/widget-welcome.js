/* Atendo chat widget: the welcome of a new conversation (greeting and starter
 * buttons), the optional pre-chat form and the optional proactive greeting by
 * the launcher. Loaded by widget.js only when needed (the chat opens on a new
 * conversation, or helpdesk.yml asks for a proactive greeting), so the page
 * loads less first. Its configuration comes from GET /api/widget/config
 * (helpdesk.yml `widget:`). Every text is set with textContent.
 */
(function () {
  "use strict";
  var S = {
    pt: { greeting: "Olá! Como podemos ajudar?", intro: "Antes de começar, diga como podemos falar com você.", name: "Nome", email: "E-mail", optional: "(opcional)", start: "Começar conversa", skip: "Pular", missing_name: "Informe seu nome.", missing_email: "Informe seu e-mail.", bad_email: "Esse e-mail não parece válido (exemplo: ana@empresa.com).", bad_name: "Nome longo demais.", dismiss: "Dispensar a mensagem", starters: "Sugestões" },
    es: { greeting: "¡Hola! ¿Cómo podemos ayudarte?", intro: "Antes de empezar, dinos cómo contactarte.", name: "Nombre", email: "Correo electrónico", optional: "(opcional)", start: "Empezar conversación", skip: "Omitir", missing_name: "Escribe tu nombre.", missing_email: "Escribe tu correo electrónico.", bad_email: "Ese correo no parece válido (ejemplo: ana@empresa.com).", bad_name: "Nombre demasiado largo.", dismiss: "Descartar el mensaje", starters: "Sugerencias" },
    vi: { greeting: "Xin chào! Chúng tôi có thể giúp gì cho bạn?", intro: "Trước khi bắt đầu, hãy cho chúng tôi biết cách liên hệ với bạn.", name: "Họ tên", email: "Email", optional: "(không bắt buộc)", start: "Bắt đầu trò chuyện", skip: "Bỏ qua", missing_name: "Vui lòng nhập họ tên.", missing_email: "Vui lòng nhập email.", bad_email: "Email này có vẻ không hợp lệ (ví dụ: an@congty.vn).", bad_name: "Họ tên quá dài.", dismiss: "Ẩn lời nhắn", starters: "Gợi ý" },
    "zh-Hans": { greeting: "您好!有什么可以帮您?", intro: "开始之前,请留下您的联系方式。", name: "姓名", email: "电子邮箱", optional: "(选填)", start: "开始对话", skip: "跳过", missing_name: "请填写姓名。", missing_email: "请填写电子邮箱。", bad_email: "电子邮箱格式不正确(例如:li@example.cn)。", bad_name: "姓名太长。", dismiss: "关闭提示", starters: "常见问题" },
    "zh-Hant": { greeting: "您好!有什麼可以幫您?", intro: "開始之前,請留下您的聯絡方式。", name: "姓名", email: "電子郵件", optional: "(選填)", start: "開始對話", skip: "略過", missing_name: "請填寫姓名。", missing_email: "請填寫電子郵件。", bad_email: "電子郵件格式不正確(例如:li@example.tw)。", bad_name: "姓名太長。", dismiss: "關閉提示", starters: "常見問題" }
  };
  var EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

  window.AtendoWelcome = function (api) {
    var el = api.el;
    function s(key) { return (S[api.lang()] || S.pt)[key]; }
    // Our stylesheet goes into the widget's Shadow DOM; what we add waits for it.
    var ready = new Promise(function (done) {
      var sheet = el("link", { rel: "stylesheet", href: api.server + "/static/widget-welcome.css" });
      sheet.onload = sheet.onerror = done;
      api.shadow.appendChild(sheet);
    });

    function greeting(text) {
      // Looks like the assistant's messages, but is none (not in the history): its own class.
      var bubble = el("div", { "class": "atw-msg atw-greeting" });
      bubble.appendChild(el("span", { "class": "atw-sr" }, api.t("bot") + ": "));
      bubble.appendChild(el("p", {}, text || s("greeting")));
      return bubble;
    }
    function starters(list) {
      // .atw-replies: widget.js retires them with the customer's first message, like quick replies.
      var box = el("div", { "class": "atw-replies atw-starters", role: "group", "aria-label": s("starters") });
      list.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        button.addEventListener("click", function () { api.send(b.payload, b.title); api.input.focus(); });
        box.appendChild(button);
      });
      return box;
    }

    function field(key, type, required) {
      var id = "atw-pc-" + key;
      var label = el("label", { "for": id }, s(key) + (required ? "" : " " + s("optional")));
      var input = el("input", { id: id, name: key, type: type, autocomplete: key, maxlength: key === "email" ? "254" : "80" });
      if (required) input.setAttribute("aria-required", "true");
      input.setAttribute("aria-describedby", "atw-pc-error");
      return { label: label, input: input };
    }
    function prechat(config, box, after) {
      var required = config.prechat.required || [];
      var form = el("form", { "class": "atw-prechat", novalidate: "", "aria-labelledby": "atw-pc-intro" });
      form.appendChild(el("p", { id: "atw-pc-intro" }, s("intro")));
      var name = field("name", "text", required.indexOf("name") >= 0);
      var email = field("email", "email", required.indexOf("email") >= 0);
      var error = el("p", { id: "atw-pc-error", "class": "atw-pc-error", role: "alert" });
      var submit = el("button", { type: "submit" }, s("start"));
      form.append(name.label, name.input, email.label, email.input, error, submit);
      if (!required.length) {
        var skip = el("button", { type: "button", "class": "atw-pc-skip" }, s("skip"));
        skip.addEventListener("click", function () { finish(); });
        form.appendChild(skip);
      }
      function fail(message, input) {
        error.textContent = message;
        [name.input, email.input].forEach(function (i) { i.removeAttribute("aria-invalid"); });
        if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      }
      function finish() {
        var saved = api.saved();
        saved.contact = saved.session_id; api.save();
        form.remove(); api.form.hidden = false;
        after(); api.input.focus();
      }
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var values = { name: name.input.value.trim(), email: email.input.value.trim() };
        if (required.indexOf("name") >= 0 && !values.name) return fail(s("missing_name"), name.input);
        if (required.indexOf("email") >= 0 && !values.email) return fail(s("missing_email"), email.input);
        if (values.email && !EMAIL.test(values.email)) return fail(s("bad_email"), email.input);
        var saved = api.saved();
        submit.disabled = true;
        api.request("/api/contact", { session_id: saved.session_id, token: saved.token, name: values.name || null, email: values.email || null })
          .then(finish, function (answer) {
            submit.disabled = false;
            var code = answer && answer.error;
            if (code === "bad_email" || code === "missing_email") fail(s(code), email.input);
            else if (code === "bad_name" || code === "missing_name") fail(s(code), name.input);
            // Anything else (the database or the network down): the customer chats
            // anyway, and the bot asks for the e-mail if a person is needed.
            else finish();
          });
      });
      api.form.hidden = true;  // the conversation starts once the form is done
      box.appendChild(form);
      return name.input;
    }

    function show(config) {
      // Drawn again (another language, a reconnect): what the customer typed in the form stays.
      var typed = {};
      ["name", "email"].forEach(function (key) {
        var input = api.log.querySelector("#atw-pc-" + key);
        if (input) typed[key] = input.value;
      });
      var active = api.shadow.activeElement;
      var again = Object.keys(typed).length > 0;
      var wasInForm = !!(active && active.closest && active.closest(".atw-prechat"));
      hide();
      var box = el("div", { "class": "atw-welcome" });
      box.appendChild(greeting(config.greeting));
      var saved = api.saved();
      var addStarters = function () { if ((config.starters || []).length) box.appendChild(starters(config.starters)); api.log.scrollTop = api.log.scrollHeight; };
      var first = null;
      if (config.prechat && config.prechat.enabled && saved.contact !== saved.session_id) {
        first = prechat(config, box, addStarters);
        Object.keys(typed).forEach(function (key) { box.querySelector("#atw-pc-" + key).value = typed[key]; });
      } else addStarters();
      return ready.then(function () {
        api.log.appendChild(box);
        // The customer just opened the chat: the form is where to type (not when it is drawn
        // again while they use the language picker).
        if (first && api.isOpen() && (!again || wasInForm)) first.focus();
      });
    }
    function hide() {
      api.log.querySelectorAll(".atw-welcome").forEach(function (box) { box.remove(); });
      api.form.hidden = false;
    }

    var bubble = null;
    function nudge(text) {
      if (bubble) return;
      // A polite live region, filled once it is in the page (so it is announced); it never takes the focus.
      bubble = el("div", { "class": "atw-nudge", role: "status" });
      ready.then(function () {
        if (!bubble) return;
        api.root.insertBefore(bubble, api.launch);
        setTimeout(function () {
          if (!bubble) return;
          var open = el("button", { type: "button", "class": "atw-nudge-text" }, text);
          open.addEventListener("click", function () { api.open(); });
          var close = el("button", { type: "button", "class": "atw-nudge-close", "aria-label": s("dismiss") }, "✕");
          close.addEventListener("click", function () { api.done(); api.launch.focus(); });
          bubble.append(open, close);
        }, 50);
      });
    }
    function unnudge() { if (bubble) { bubble.remove(); bubble = null; } }

    return { show: show, hide: hide, nudge: nudge, unnudge: unnudge };
  };
})();
