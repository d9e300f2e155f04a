/* Atendo chat widget. One tag on any page:
 *   <script src="https://HOST/widget.js" data-server="https://HOST"
 *           data-title="Support" data-color="#2b59c3" data-language="auto" defer></script>
 * No outside requests: everything comes from data-server. All text from the
 * server is shown with textContent (links, and the bot's bit of Markdown, are
 * built as elements), never as HTML.
 */
(function () {
  "use strict";
  if (window.AtendoWidget) return;
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var data = (script && script.dataset) || {};
  var server = (data.server || new URL(script.src, location.href).origin).replace(/\/$/, "");
  var origin = new URL(server + "/", location.href).origin;
  var color = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(data.color || "") ? data.color : "#2b59c3";
  var KEY = "atendo-widget:" + server;

  var T = {
    pt: { open: "Abrir o chat", close: "Fechar o chat", title: "Atendimento", placeholder: "Escreva sua mensagem…", send: "Enviar", human: "Falar com uma pessoa", typing: "Digitando…", end: "Encerrar conversa", rate: "Como foi o atendimento?", star: "{n} de 5", thanks: "Obrigado pela avaliação!", language: "Idioma", log: "Conversa", you: "Você", bot: "Assistente", agent: "Atendente", unread: "{n} mensagens novas", unread_one: "1 mensagem nova", offline: "Sem conexão. Tentando de novo…", empty: "Escreva uma mensagem antes de enviar.", too_long: "Mensagem longa demais (máximo 2000 caracteres).", rate_limited: "Muitas mensagens seguidas. Espere alguns segundos.", assistant_unavailable: "O assistente está fora do ar agora. Sua mensagem ficou guardada e será respondida assim que ele voltar.", storage_unavailable: "O histórico da conversa está indisponível agora. Tente de novo em instantes.", error: "Algo deu errado. Tente de novo.", agent_joined: "{name} entrou na conversa.", agent_left: "{name} saiu da conversa. O assistente continua com você.", with_agent: "Você está falando com {name}." },
    es: { open: "Abrir el chat", close: "Cerrar el chat", title: "Atención al cliente", placeholder: "Escribe tu mensaje…", send: "Enviar", human: "Hablar con una persona", typing: "Escribiendo…", end: "Terminar conversación", rate: "¿Cómo fue la atención?", star: "{n} de 5", thanks: "¡Gracias por tu valoración!", language: "Idioma", log: "Conversación", you: "Tú", bot: "Asistente", agent: "Agente", unread: "{n} mensajes nuevos", unread_one: "1 mensaje nuevo", offline: "Sin conexión. Reintentando…", empty: "Escribe un mensaje antes de enviar.", too_long: "Mensaje demasiado largo (máximo 2000 caracteres).", rate_limited: "Demasiados mensajes seguidos. Espera unos segundos.", assistant_unavailable: "El asistente no está disponible ahora. Tu mensaje quedó guardado y se responderá en cuanto vuelva.", storage_unavailable: "El historial no está disponible ahora. Inténtalo de nuevo en un momento.", error: "Algo salió mal. Inténtalo de nuevo.", agent_joined: "{name} se unió a la conversación.", agent_left: "{name} salió de la conversación. El asistente sigue contigo.", with_agent: "Estás hablando con {name}." },
    vi: { open: "Mở khung chat", close: "Đóng khung chat", title: "Hỗ trợ khách hàng", placeholder: "Nhập tin nhắn…", send: "Gửi", human: "Gặp nhân viên", typing: "Đang soạn…", end: "Kết thúc trò chuyện", rate: "Bạn thấy buổi hỗ trợ thế nào?", star: "{n} trên 5", thanks: "Cảm ơn bạn đã đánh giá!", language: "Ngôn ngữ", log: "Cuộc trò chuyện", you: "Bạn", bot: "Trợ lý", agent: "Nhân viên", unread: "{n} tin nhắn mới", offline: "Mất kết nối. Đang thử lại…", empty: "Hãy nhập tin nhắn trước khi gửi.", too_long: "Tin nhắn quá dài (tối đa 2000 ký tự).", rate_limited: "Bạn gửi quá nhanh. Vui lòng chờ vài giây.", assistant_unavailable: "Trợ lý tạm thời không phản hồi. Tin nhắn của bạn đã được lưu và sẽ được trả lời ngay khi trợ lý hoạt động lại.", storage_unavailable: "Lịch sử trò chuyện tạm thời không khả dụng. Vui lòng thử lại sau giây lát.", error: "Đã có lỗi. Vui lòng thử lại.", agent_joined: "{name} đã tham gia cuộc trò chuyện.", agent_left: "{name} đã rời cuộc trò chuyện. Trợ lý sẽ tiếp tục hỗ trợ bạn.", with_agent: "Bạn đang trò chuyện với {name}." },
    "zh-Hans": { open: "打开聊天", close: "关闭聊天", title: "在线客服", placeholder: "请输入消息…", send: "发送", human: "转人工客服", typing: "正在输入…", end: "结束对话", rate: "您对本次服务满意吗?", star: "{n} 分(满分 5 分)", thanks: "感谢您的评价!", language: "语言", log: "对话", you: "您", bot: "助手", agent: "客服", unread: "{n} 条新消息", offline: "连接已断开,正在重试…", empty: "请先输入消息。", too_long: "消息太长(最多 2000 个字符)。", rate_limited: "发送太频繁,请稍等几秒。", assistant_unavailable: "助手暂时无法回复。您的消息已保存,恢复后会马上回复您。", storage_unavailable: "聊天记录暂时无法使用,请稍后再试。", error: "出错了,请重试。", agent_joined: "{name} 加入了对话。", agent_left: "{name} 离开了对话,助手将继续为您服务。", with_agent: "{name} 正在为您服务。" },
    "zh-Hant": { open: "開啟聊天", close: "關閉聊天", title: "線上客服", placeholder: "請輸入訊息…", send: "傳送", human: "轉真人客服", typing: "正在輸入…", end: "結束對話", rate: "您對本次服務滿意嗎?", star: "{n} 分(滿分 5 分)", thanks: "感謝您的評價!", language: "語言", log: "對話", you: "您", bot: "助理", agent: "客服", unread: "{n} 則新訊息", offline: "連線中斷,正在重試…", empty: "請先輸入訊息。", too_long: "訊息太長(最多 2000 個字元)。", rate_limited: "傳送太頻繁,請稍候幾秒。", assistant_unavailable: "助理暫時無法回覆。您的訊息已保存,恢復後會馬上回覆您。", storage_unavailable: "聊天紀錄暫時無法使用,請稍後再試。", error: "發生錯誤,請重試。", agent_joined: "{name} 加入了對話。", agent_left: "{name} 離開了對話,助理將繼續為您服務。", with_agent: "{name} 正在為您服務。" }
  };
  var NAMES = { pt: "Português", es: "Español", vi: "Tiếng Việt", "zh-Hans": "简体中文", "zh-Hant": "繁體中文" };
  // The header's menu button (headerMenu).
  var MENU = { pt: "Mais opções", es: "Más opciones", vi: "Tùy chọn khác", "zh-Hans": "更多选项", "zh-Hant": "更多選項" };
  Object.keys(MENU).forEach(function (code) { T[code].menu = MENU[code]; });

  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state.saved)); } catch (e) { /* private mode */ } }

  function uiLanguage(code) {
    code = String(code || "").toLowerCase();
    if (code.indexOf("zh") === 0) return /hant|tw|hk|mo/.test(code) ? "zh-Hant" : "zh-Hans";
    code = code.slice(0, 2);
    return T[code] ? code : null;
  }
  function firstLanguage() {
    var list = [].concat(navigator.languages || [], navigator.language || []);
    for (var i = 0; i < list.length; i++) { var found = uiLanguage(list[i]); if (found) return found; }
    return uiLanguage(data.language) || "pt";
  }

  var state = { saved: load(), open: false, unread: 0, socket: null, queue: [], retry: 0, agent: null };
  state.lang = state.saved.manual || state.saved.lang || firstLanguage();
  function t(key, n) {
    return (T[state.lang][key] || T.pt[key]).replace(/\{(n|name)\}/g, function () { return String(n); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  // ---- Colour contrast (WCAG 2.1 AA, 1.4.3): text of at least 4.5:1 for any data-color ----
  // --c: the brand colour as a surface (launcher, header, the customer's bubbles, send button),
  // darkened or lightened only as much as needed; --on: the text on it, white or near black,
  // whichever contrasts more; --ink: the brand colour as text and borders on the widget's light
  // backgrounds (quick replies, the foot's links), darkened until it reads.
  function brandColours(hex) {
    var h = hex.slice(1).replace(/^(.)(.)(.)$/, "$1$1$2$2$3$3");
    var rgb = [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
    var WHITE = [255, 255, 255], BLACK = [0, 0, 0], TEXT = [29, 35, 48], LOG = [244, 246, 250]; // #1d2330, #f4f6fa
    function luminance(c) {
      return c.reduce(function (sum, v, i) {
        v /= 255;
        return sum + [0.2126, 0.7152, 0.0722][i] * (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
      }, 0);
    }
    function ratio(a, b) { var x = luminance(a), y = luminance(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
    function towards(target, until) { // the brand colour mixed with `target` in 5% steps until `until` holds
      var c = rgb;
      for (var f = 0.05; !until(c) && f < 1; f += 0.05) c = rgb.map(function (v, i) { return Math.round(v + (target[i] - v) * f); });
      return until(c) ? c : target;
    }
    var on = ratio(WHITE, rgb) >= ratio(TEXT, rgb) ? WHITE : TEXT;
    var fill = towards(on === WHITE ? BLACK : WHITE, function (c) { return ratio(on, c) >= 4.6; }); // 4.6: a margin for rounding
    var ink = towards(BLACK, function (c) { return ratio(c, LOG) >= 4.6; });
    function css(c) { return "rgb(" + c.join(",") + ")"; }
    return { c: css(fill), on: css(on), ink: css(ink) };
  }

  // The widget lives in a Shadow DOM: the host page's CSS does not reach it,
  // and its stylesheet is a file of its own (no inline <style> for a CSP to allow).
  var host = el("div", { id: "atendo-widget" });
  var brand = brandColours(color);
  host.style.setProperty("--c", brand.c);
  host.style.setProperty("--on", brand.on);
  host.style.setProperty("--ink", brand.ink);
  host.style.setProperty("display", "none"); // until the stylesheet is in: no flash of bare buttons
  var shadow = host.attachShadow({ mode: "open" });
  var sheet = el("link", { rel: "stylesheet", href: server + "/widget.css" });
  sheet.onload = sheet.onerror = function () { host.style.removeProperty("display"); };

  var root = el("div", { "class": "atw" });
  var launch = el("button", { "class": "atw-launch", type: "button", "aria-expanded": "false", "aria-controls": "atw-panel" });
  launch.innerHTML = '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
  // The count is in the launcher's name (updateLauncher): the badge is for the eye only.
  var badge = el("span", { "class": "atw-badge", hidden: "", "aria-hidden": "true" });
  launch.appendChild(badge);
  var panel = el("section", { "class": "atw-panel", id: "atw-panel", role: "dialog", hidden: "" });
  var head = el("div", { "class": "atw-head" });
  var title = el("h2", { id: "atw-title" });
  var picker = el("select", {});
  Object.keys(NAMES).forEach(function (code) { picker.appendChild(el("option", { value: code, lang: code }, NAMES[code])); });
  var endButton = el("button", { type: "button", "class": "atw-end" });
  var closeButton = el("button", { type: "button" }, "✕");
  var menu = headerMenu([endButton]);
  head.append(title, picker, menu.button, menu.list, closeButton);
  var log = el("div", { "class": "atw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
  var typing = el("div", { "class": "atw-typing", "aria-live": "polite", hidden: "" });
  var rateBox = el("div", { "class": "atw-rate", hidden: "" });
  var form = el("form", { "class": "atw-form" });
  var label = el("label", { "for": "atw-input", "class": "atw-sr" });
  var input = el("input", { id: "atw-input", autocomplete: "off", maxlength: "2000" });
  var sendButton = el("button", { type: "submit" });
  form.append(label, input, sendButton);
  var foot = el("div", { "class": "atw-foot" });
  var humanButton = el("button", { type: "button" });
  foot.append(humanButton);
  panel.append(head, log, typing, rateBox, form, foot);
  root.append(panel, launch);
  shadow.append(sheet, root);

  // Attachments (bot/web/attachments_api.py): the paperclip, the upload, and
  // files in the transcript. The server checks each file's content; its
  // refusals come back with a code translated here.
  var TA = {
    pt: { attach: "Anexar imagem ou PDF", sending: "Enviando {name}…", attachment_type: "Esse tipo de arquivo não pode ser enviado. Envie uma imagem (PNG, JPEG, GIF, WebP) ou um PDF.", attachment_too_big: "Arquivo grande demais.", attachment_too_many: "Esta conversa já tem o máximo de arquivos.", attachments_off: "Não é possível enviar arquivos neste chat.", attachment_empty: "O arquivo está vazio." },
    es: { attach: "Adjuntar imagen o PDF", sending: "Enviando {name}…", attachment_type: "Este tipo de archivo no se puede enviar. Envía una imagen (PNG, JPEG, GIF, WebP) o un PDF.", attachment_too_big: "El archivo es demasiado grande.", attachment_too_many: "Esta conversación ya tiene el máximo de archivos.", attachments_off: "No se pueden enviar archivos en este chat.", attachment_empty: "El archivo está vacío." },
    vi: { attach: "Đính kèm ảnh hoặc PDF", sending: "Đang gửi {name}…", attachment_type: "Không gửi được loại tệp này. Hãy gửi ảnh (PNG, JPEG, GIF, WebP) hoặc PDF.", attachment_too_big: "Tệp quá lớn.", attachment_too_many: "Cuộc trò chuyện này đã có số tệp tối đa.", attachments_off: "Không thể gửi tệp trong khung chat này.", attachment_empty: "Tệp trống." },
    "zh-Hans": { attach: "上传图片或 PDF", sending: "正在发送 {name}…", attachment_type: "无法发送此类文件。请发送图片(PNG、JPEG、GIF、WebP)或 PDF。", attachment_too_big: "文件太大。", attachment_too_many: "本次对话的文件数量已达上限。", attachments_off: "此聊天无法发送文件。", attachment_empty: "文件是空的。" },
    "zh-Hant": { attach: "上傳圖片或 PDF", sending: "正在傳送 {name}…", attachment_type: "無法傳送此類檔案。請傳送圖片(PNG、JPEG、GIF、WebP)或 PDF。", attachment_too_big: "檔案太大。", attachment_too_many: "本次對話的檔案數量已達上限。", attachments_off: "此聊天無法傳送檔案。", attachment_empty: "檔案是空的。" }
  };
  function ta(key, name) { return (TA[state.lang][key] || TA.pt[key]).replace("{name}", function () { return String(name); }); }
  var clip = el("button", { type: "button", "class": "atw-clip" });
  clip.innerHTML = '<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l9.2-9.2a3.3 3.3 0 0 1 4.7 4.7l-9.2 9.2a1.7 1.7 0 0 1-2.4-2.4l8.5-8.5"/></svg>';
  var chooser = el("input", { type: "file", hidden: "", multiple: "",
    accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,.png,.jpg,.jpeg,.gif,.webp,.pdf" });
  form.insertBefore(clip, input);
  form.appendChild(chooser);
  clip.addEventListener("click", function () { chooser.click(); });
  // One after another: several files at once would run into the messages' rate limit.
  var uploads = Promise.resolve();
  function queueUploads(files) {
    files.forEach(function (file) { uploads = uploads.then(function () { return uploadFile(file, 0); }); });
  }
  chooser.addEventListener("change", function () {
    queueUploads([].slice.call(chooser.files || []));
    chooser.value = "";
    input.focus();
  });
  panel.addEventListener("dragover", function (e) { e.preventDefault(); });
  panel.addEventListener("drop", function (e) {
    e.preventDefault();
    queueUploads([].slice.call((e.dataTransfer && e.dataTransfer.files) || []));
  });
  // helpdesk.yml may turn files off (widget.attachments.types: []) or narrow them.
  var ACCEPT_EXTRA = { "image/png": ".png", "image/jpeg": ".jpg,.jpeg", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf" };
  function attachmentsAllowed() {
    welcomeConfig().then(function (c) {
      var types = (c.attachments && c.attachments.types) || [];
      clip.hidden = !types.length;
      chooser.accept = types.concat(types.map(function (type) { return ACCEPT_EXTRA[type] || ""; })).filter(Boolean).join(",");
    }, function () { /* unknown: keep the paperclip, the server still checks */ });
  }
  function applyAttachmentLanguage() { clip.setAttribute("aria-label", ta("attach")); clip.title = ta("attach"); }
  function uploadFile(file, tries) {
    if (!state.saved.session_id) { note(t("offline")); return Promise.resolve(); }
    var body = new FormData();
    body.append("session_id", state.saved.session_id);
    body.append("token", state.saved.token);
    body.append("language", state.lang);
    body.append("file", file, file.name);
    var sending = el("p", { "class": "atw-msg atw-note" }, ta("sending", file.name));
    log.appendChild(sending);
    log.scrollTop = log.scrollHeight;
    // The stored file comes back as a message event to every tab, this one too.
    return fetch(server + "/api/attachments", { method: "POST", body: body })
      .then(function (r) {
        // A proxy's own refusal is no JSON (nginx's 413 page): still say what happened.
        var refused = { error: r.status === 413 ? "attachment_too_big" : "error" };
        return r.json().catch(function () { throw refused; }).then(function (json) { if (!r.ok) throw json; return json; });
      })
      .then(function () { sending.remove(); }, function (error) {
        sending.remove();
        var code = error && error.error;
        if (code === "rate_limited" && tries < 5) {  // wait a little and send it again
          return new Promise(function (done) { setTimeout(done, 2000); }).then(function () { return uploadFile(file, tries + 1); });
        }
        note(TA[state.lang][code] ? ta(code) : T[state.lang][code] ? t(code) : t("error"));
      });
  }
  function fileSize(n) { return n < 1000000 ? Math.max(1, Math.round(n / 1000)) + " KB" : (n / 1000000).toFixed(1) + " MB"; }
  function showAttachment(bubble, file) {
    var url = server + "/api/attachments/" + encodeURIComponent(file.id) + "?session_id=" +
      encodeURIComponent(state.saved.session_id || "") + "&token=" + encodeURIComponent(state.saved.token || "");
    bubble.classList.add("atw-file");
    if (/^image\//.test(file.type)) {
      bubble.appendChild(el("img", { "class": "atw-thumb", src: url, alt: file.name }));
    } else {  // a PDF is downloaded (the server says so), never shown in the page
      var a = el("a", { download: file.name, rel: "noopener noreferrer" });
      a.append(el("span", {}, file.name), el("span", { "class": "atw-size" }, " (PDF, " + fileSize(file.size) + ")"));
      bubble.appendChild(a);
      // Fetched, then linked as a blob: an address with the session's token
      // would stay in the browser's downloads and history for the next person.
      fetch(url).then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.blob(); })
        .then(function (blob) { a.href = URL.createObjectURL(blob); })
        .catch(function () { a.setAttribute("aria-disabled", "true"); });
    }
  }

  function applyLanguage() {
    var text = data.title || t("title");
    title.textContent = text;
    panel.setAttribute("aria-label", text);
    panel.setAttribute("lang", state.lang);
    picker.value = state.lang;
    picker.setAttribute("aria-label", t("language"));
    endButton.textContent = t("end");
    menu.button.setAttribute("aria-label", t("menu"));
    closeButton.setAttribute("aria-label", t("close"));
    log.setAttribute("aria-label", t("log"));
    label.textContent = t("placeholder");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
    humanButton.textContent = t("human");
    typing.textContent = t("typing");
    applyAttachmentLanguage();
    updateLauncher();
  }
  function updateLauncher() {
    launch.setAttribute("aria-label", state.unread ? t("open") + ", " + (state.unread === 1 && T[state.lang].unread_one ? t("unread_one") : t("unread", state.unread)) : state.open ? t("close") : t("open"));
    badge.textContent = state.unread;
    badge.hidden = !state.unread;
  }

  function link(href, text) { return el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, text); }
  function linkify(node, text) {
    var parts = String(text).split(/(https?:\/\/[^\s<>"]+)/);
    parts.forEach(function (part, i) {
      if (i % 2) node.appendChild(link(part, part));
      else if (part) node.appendChild(document.createTextNode(part));
    });
  }
  // The bot's messages are a little Markdown: paragraphs, lists ("- ", "* ",
  // "1. "), **bold**, *italic*, _italic_, `code`, [links](https://…) and bare
  // URLs. Built as elements, so markup in a message stays text.
  var INLINE = /\\([\\`*_\[\]])|`([^`\n]+)`|\*\*(\S(?:[^*]*?\S)?)\*\*|__(\S(?:[^_]*?\S)?)__|\*(\S(?:[^*]*?\S)?)\*|(^|[\s(])_(\S(?:[^_]*?\S)?)_(?![^\s.,;:!?)])|\[([^\]\n]+)\]\(([^()\s]+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'])/g;
  function safeHref(url) {
    // Web and mail addresses, and paths on the assistant's own server; else none.
    if (/^(https?:\/\/|mailto:)/i.test(url)) return url;
    try { var u = new URL(url, server + "/"); } catch (e) { return null; }
    return url.charAt(0) === "/" && u.origin === origin ? u.href : null;
  }
  function inline(node, text) {
    var re = new RegExp(INLINE.source, "g"), last = 0, m, href;
    function plain(s) { if (s) node.appendChild(document.createTextNode(s)); }
    while ((m = re.exec(text))) {
      plain(text.slice(last, m.index));
      last = re.lastIndex;
      if (m[1]) plain(m[1]);
      else if (m[2]) node.appendChild(el("code", {}, m[2]));
      else if (m[3] || m[4]) inline(node.appendChild(el("strong")), m[3] || m[4]);
      else if (m[5]) inline(node.appendChild(el("em")), m[5]);
      else if (m[7]) { plain(m[6]); inline(node.appendChild(el("em")), m[7]); }
      else if (m[8]) (href = safeHref(m[9])) ? node.appendChild(link(href, m[8])) : plain(m[0]);
      else node.appendChild(link(m[10], m[10]));
    }
    plain(text.slice(last));
  }
  function markdown(node, text) {
    var para = null, list = null;
    String(text).split(/\r?\n/).forEach(function (line) {
      var item = /^\s*(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
      if (item && item[2] && item[2] !== "1" && para) item = null; // "2024. was…" goes on its paragraph
      if (item) {
        var tag = item[1] ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = node.appendChild(el(tag));
          if (item[2] && item[2] !== "1") list.start = +item[2];
        }
        inline(list.appendChild(el("li")), item[3]);
        para = null;
      } else if (!line.trim()) {
        para = list = null;
      } else {
        list = null;
        if (para) para.appendChild(el("br")); else para = node.appendChild(el("p"));
        inline(para, line);
      }
    });
  }
  // ---- Messages people can scan: who wrote each one and when, in groups ----
  // A run of messages from one sender (within GROUP_SECONDS of each other) gets
  // one header: avatar circle with an initial, name, time. The header is for the
  // eye (aria-hidden); each bubble starts with visually hidden "Name, 10:42: ",
  // so a screen reader hears sender and time once per message, from the live region.
  var GROUP_SECONDS = 300;
  function senderName(m, who) {
    if (who === "customer") return t("you");
    if (who === "agent") return String(m.name || "").trim() || t("agent");
    return data.botName || data.title || t("bot"); // data-bot-name, else data-title
  }
  function initial(name) { return (Array.from(String(name).trim())[0] || "?").toUpperCase(); }
  function clockText(at) {
    var when = new Date(at * 1000), options = { hour: "numeric", minute: "2-digit" };
    if (when.toDateString() !== new Date().toDateString()) { options.day = "numeric"; options.month = "short"; }
    try { return new Intl.DateTimeFormat(state.lang, options).format(when); } catch (e) { return when.toLocaleTimeString(); }
  }
  function senderAndTime(bubble, m, who) {
    var at = typeof m.at === "number" ? m.at : Date.now() / 1000; // what the customer just typed: now
    var name = senderName(m, who), key = who + ":" + name, time = clockText(at), last = log.lastElementChild;
    bubble.dataset.group = key;
    bubble.dataset.at = String(at);
    if (last && last.dataset.group === key && at - Number(last.dataset.at) < GROUP_SECONDS) {
      bubble.classList.add("atw-grouped");
    } else {
      var meta = el("div", { "class": "atw-meta atw-meta-" + who, "aria-hidden": "true" });
      if (who !== "customer") meta.appendChild(el("span", { "class": "atw-avatar" }, initial(name)));
      meta.append(el("span", { "class": "atw-who" }, name), el("time", { datetime: new Date(at * 1000).toISOString() }, time));
      log.appendChild(meta);
    }
    bubble.appendChild(el("span", { "class": "atw-sr" }, name + ", " + time + ": "));
  }

  // ---- The header's menu (the end-conversation action), so the title keeps one line on a phone ----
  // A menu button (aria-haspopup, aria-expanded); Enter, Space or ArrowDown open it on
  // its first item, the arrows, Home and End move, Escape closes it (focus back on the
  // button, the panel stays open), Tab or a click elsewhere closes it.
  function headerMenu(items) {
    var button = el("button", { type: "button", "class": "atw-menu-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "atw-menu" }, "⋮");
    var list = el("div", { "class": "atw-menu", id: "atw-menu", role: "menu", hidden: "" });
    function isOpen() { return !list.hidden; }
    function open(at) { list.hidden = false; button.setAttribute("aria-expanded", "true"); items[(at + items.length) % items.length].focus(); }
    function close(refocus) {
      if (!isOpen()) return;
      list.hidden = true; button.setAttribute("aria-expanded", "false");
      if (refocus) button.focus();
    }
    items.forEach(function (item) {
      item.setAttribute("role", "menuitem"); item.setAttribute("tabindex", "-1");
      item.addEventListener("click", function () { close(false); });
      list.appendChild(item);
    });
    button.addEventListener("click", function () { if (isOpen()) close(true); else open(0); });
    button.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); open(e.key === "ArrowUp" ? -1 : 0); }
    });
    list.addEventListener("keydown", function (e) {
      var at = items.indexOf(shadow.activeElement);
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(true); }
      else if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); open(at + (e.key === "ArrowDown" ? 1 : -1)); }
      else if (e.key === "Home" || e.key === "End") { e.preventDefault(); open(e.key === "Home" ? 0 : -1); }
      else if (e.key === "Tab") close(false);
    });
    document.addEventListener("click", function (e) {
      var path = e.composedPath();
      if (path.indexOf(list) < 0 && path.indexOf(button) < 0) close(false);
    });
    return { button: button, list: list, close: close };
  }

  function note(text) {
    log.appendChild(el("p", { "class": "atw-msg atw-note" }, text));
    log.scrollTop = log.scrollHeight;
  }
  function showMessage(m, live) {
    var who = m.sender === "customer" ? "customer" : m.sender === "agent" ? "agent" : "bot";
    var bubble = el("div", { "class": "atw-msg atw-" + who });
    senderAndTime(bubble, m, who);
    // Only the bot's text is Markdown: what a person types is shown as typed.
    if (m.attachment) showAttachment(bubble, m.attachment);
    else (who === "bot" ? markdown : linkify)(bubble, m.text || "");
    log.appendChild(bubble);
    // Quick replies answer the bot's latest turn: the customer's next message retires them.
    if (who === "customer") log.querySelectorAll(".atw-replies").forEach(function (box) { box.remove(); });
    if (m.buttons && m.buttons.length) {
      var box = el("div", { "class": "atw-replies" });
      m.buttons.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        button.addEventListener("click", function () { send(b.payload, b.title); input.focus(); });
        box.appendChild(button);
      });
      log.appendChild(box);
    }
    log.scrollTop = log.scrollHeight;
    if (live && who !== "customer" && !state.open) { state.unread += 1; updateLauncher(); }
  }
  // While an agent is chatting (from agent_joined to agent_left; the history
  // says so after a reload) there is nobody else to ask for.
  function agentChatting(name) {
    state.agent = name || null;
    humanButton.hidden = !!state.agent;
  }
  function followConversation(language, script) {
    var code = language === "zh" ? (script === "Hant" ? "zh-Hant" : "zh-Hans") : language;
    if (T[code] && !state.saved.manual && code !== state.lang) {
      state.lang = state.saved.lang = code; save(); applyLanguage();
    }
  }

  function request(path, body) {
    return fetch(server + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (json) { if (!r.ok) throw json; return json; }); });
  }
  // data-reopen: the signed link of an e-mailed reply (bot/web/reopen.py): continue that conversation.
  var reopenLink = data.reopen || "";
  function session() {
    if (reopenLink) {
      var link = reopenLink; reopenLink = "";
      return request("/api/reopen", { link: link }).then(function (s) {
        state.saved.session_id = s.session_id; state.saved.token = s.token; save(); setOpen(true);
      });
    }
    if (state.saved.session_id) return Promise.resolve();
    return request("/api/sessions", {}).then(function (s) {
      state.saved.session_id = s.session_id; state.saved.token = s.token; save();
    });
  }
  function connect() {
    session().then(function () {
      var url = server.replace(/^http/, "ws") + "/api/ws?session_id=" + encodeURIComponent(state.saved.session_id) + "&token=" + encodeURIComponent(state.saved.token);
      var socket = new WebSocket(url);
      state.socket = socket;
      socket.onopen = function () { state.retry = 0; };
      socket.onmessage = function (event) { receive(JSON.parse(event.data)); };
      var opened = false;
      socket.addEventListener("open", function () { opened = true; });
      socket.onclose = function () {
        state.socket = null;
        if (state.retry === 2) note(t("offline"));
        var again = function () { setTimeout(connect, Math.min(1000 * Math.pow(2, state.retry++), 10000)); };
        if (opened) return again();
        // Refused before opening: a session the server no longer knows starts afresh.
        request("/api/history", { session_id: state.saved.session_id, token: state.saved.token })
          .then(again, function (error) {
            if (error && error.error === "unauthorized") { delete state.saved.session_id; save(); }
            again();
          });
      };
    }).catch(function () { setTimeout(connect, Math.min(1000 * Math.pow(2, state.retry++), 10000)); });
  }
  function receive(event) {
    if (event.type === "history") {
      log.textContent = "";
      (event.messages || []).forEach(function (m) { showMessage(m, false); });
      if (event.language) followConversation(event.language, event.script);
      agentChatting(event.agent);
      if (event.agent) note(t("with_agent", event.agent));  // after a reload: who is there
      var fresh = !(event.messages || []).length && !state.queue.length;
      // Messages typed while offline go now, after the history they follow.
      while (state.queue.length) {
        var queued = state.queue.shift();
        showMessage({ sender: "customer", text: queued.display }, false);
        state.socket.send(JSON.stringify(queued));
      }
      welcomeAfterHistory(fresh);
    } else if (event.type === "message") {
      typing.hidden = true;
      showMessage(event, true);
      if (event.language) followConversation(event.language, event.script);
    } else if (event.type === "typing") {
      typing.hidden = false;
    } else if (event.type === "agent_joined" || event.type === "agent_left") {
      agentChatting(event.type === "agent_joined" ? event.name || t("agent") : null);
      note(t(event.type, event.name || t("agent")));
    } else if (event.type === "error") {
      typing.hidden = true;
      note(T[state.lang][event.code] ? t(event.code) : t("error"));
    }
  }
  function send(text, display) {
    welcome.fresh = false;  // the conversation has begun: no welcome on top of it
    var message = { type: "message", text: text, display: display || text, language: state.saved.manual || navigator.language || state.lang };
    if (state.socket && state.socket.readyState === 1) {
      showMessage({ sender: "customer", text: message.display }, false);
      state.socket.send(JSON.stringify(message));
    } else {
      state.queue.push(message);  // shown and sent when the connection is back
      showMessage({ sender: "customer", text: message.display }, false);
    }
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    root.classList.toggle("atw-open", open);
    launch.setAttribute("aria-expanded", String(open));
    if (!open) menu.close(false);
    if (open) {
      state.unread = 0;
      // The pre-chat form, while it waits, stands for the message box (which is hidden).
      (shadow.querySelector(".atw-prechat input") || input).focus();
      log.scrollTop = log.scrollHeight;
      welcomeOnOpen();
      attachmentsAllowed();
    }
    updateLauncher();
  }
  launch.addEventListener("click", function () { setOpen(!state.open); if (!state.open) launch.focus(); });
  closeButton.addEventListener("click", function () { setOpen(false); launch.focus(); });
  root.addEventListener("keydown", function (e) { if (e.key === "Escape" && state.open) { setOpen(false); launch.focus(); } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { note(t("empty")); return; }
    input.value = "";
    send(text);
  });
  humanButton.addEventListener("click", function () { send("/request_human", t("human")); });
  picker.addEventListener("change", function () {
    state.lang = state.saved.manual = picker.value; save(); applyLanguage(); welcomeLanguage();
  });
  endButton.addEventListener("click", function () {
    // Forget the conversation in this browser (a shared computer's next user
    // sees nothing of it); the rating below still goes to the ended one.
    var ended = { session_id: state.saved.session_id, token: state.saved.token };
    delete state.saved.session_id; delete state.saved.token; save();
    if (state.socket) state.socket.close(); // reconnects with a new, empty conversation
    log.textContent = "";
    agentChatting(null);
    rateBox.textContent = "";
    rateBox.appendChild(el("span", { id: "atw-rate-label" }, t("rate")));
    for (var n = 1; n <= 5; n++) {
      (function (n) {
        var star = el("button", { type: "button", "aria-label": t("star", n) }, n + "★");
        star.addEventListener("click", function () {
          request("/api/rating", { session_id: ended.session_id, token: ended.token, rating: n })
            .then(function () { rateBox.textContent = t("thanks"); })
            .catch(function () { rateBox.textContent = t("error"); });
        });
        rateBox.appendChild(star);
      })(n);
    }
    rateBox.hidden = false;
    rateBox.querySelector("button").focus();
  });

  // ---- Welcome: greeting and starter buttons, pre-chat form, proactive greeting ----
  // Their code (bot/web/static/widget-welcome.js) and configuration (GET
  // /api/widget/config, from helpdesk.yml) load only when needed: the chat
  // opens on a new conversation, or a proactive greeting is asked for.
  var welcome = { fresh: false, config: {}, loading: null, seen: "atendo-proactive:" + server };
  function welcomeModule() {
    if (!welcome.loading) welcome.loading = new Promise(function (done, fail) {
      var code = el("script", { src: server + "/static/widget-welcome.js", async: "" });
      code.onload = function () {
        done(window.AtendoWelcome({ el: el, t: t, server: server, shadow: shadow, root: root, launch: launch, log: log, form: form, input: input, send: send, request: request, save: save,
          lang: function () { return state.lang; }, saved: function () { return state.saved; }, isOpen: function () { return state.open; },
          open: function () { setOpen(true); }, done: welcomeSeen }));
      };
      code.onerror = fail;
      document.head.appendChild(code);
    });
    return welcome.loading;
  }
  function welcomeConfig() {
    var lang = state.lang;
    if (welcome.config[lang]) return Promise.resolve(welcome.config[lang]);
    return fetch(server + "/api/widget/config?language=" + encodeURIComponent(lang))
      .then(function (r) { if (!r.ok) throw new Error("config " + r.status); return r.json(); })
      .then(function (c) { return (welcome.config[lang] = c); });
  }
  function welcomeShow() {
    Promise.all([welcomeConfig(), welcomeModule()]).then(function (r) { if (welcome.fresh) r[1].show(r[0]); }, function () { /* no welcome: the chat works without */ });
  }
  function welcomeAfterHistory(fresh) {
    welcome.fresh = fresh;
    if (fresh && state.open) welcomeShow();
  }
  function welcomeOnOpen() {
    welcomeSeen();
    if (welcome.fresh && !log.querySelector(".atw-welcome")) welcomeShow();
  }
  function welcomeLanguage() { if (welcome.fresh && log.querySelector(".atw-welcome")) welcomeShow(); }
  // The proactive greeting is shown at most once a browser session: not after it was dismissed or the chat opened.
  function welcomeSeen() {
    try { sessionStorage.setItem(welcome.seen, "1"); } catch (e) { /* private mode */ }
    if (welcome.loading) welcome.loading.then(function (m) { m.unnudge(); }, function () {});
  }
  function welcomeProactive() {
    try { if (sessionStorage.getItem(welcome.seen)) return; } catch (e) { return; }
    var asked = /^\d{1,4}$/.test(data.proactive || "") ? +data.proactive : null;  // data-proactive="SECONDS" (0: off)
    if (asked === 0) return;
    welcomeConfig().then(function (c) {
      var after = asked != null ? asked : c.proactive && c.proactive.after_seconds;
      if (!after || !c.proactive || !c.proactive.text) return;
      setTimeout(function () {
        var seen = false;
        try { seen = !!sessionStorage.getItem(welcome.seen); } catch (e) { /* private mode */ }
        if (!state.open && !seen) welcomeModule().then(function (m) { m.nudge(c.proactive.text); }, function () {});
      }, after * 1000);
    }, function () {});
  }

  applyLanguage();
  (document.body || document.documentElement).appendChild(host);
  connect();
  welcomeProactive();
  window.AtendoWidget = { open: function () { setOpen(true); }, language: function () { return state.lang; } };
})();
