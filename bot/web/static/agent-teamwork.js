// Teamwork in the console (agent.html, after agent.js; API: bot/web/teamwork_api.py):
// - canned replies: insert one next to the reply box (the customer's language and
//   script goes in the box, the agent's language is shown beside it), and manage
//   them for the whole team under "Canned replies";
// - internal notes on a conversation, which the customer never sees;
// - transfer to another queue or agent;
// - the agent's own queues above the queue list.
// Every string is registered below in the six console languages; customers'
// and agents' text is shown with textContent only.
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, t = Desk.t;
  var LANGUAGES = ["pt", "es", "vi", "zh-Hans", "zh-Hant", "en"];  // bot/helpdesk/canned.py

  Desk.strings({
    "en": {
      "tw.canned": "Canned reply",
      "tw.canned_choose": "Choose a canned reply…",
      "tw.insert": "Insert",
      "tw.no_canned": "No canned replies yet: add them under “Canned replies”.",
      "tw.customer_version": "In the reply box, for the customer ({language}):",
      "tw.agent_version": "In your language ({language}):",
      "tw.converted": "There is no {language} version: it was converted from {from}.",
      "tw.fallback": "There is no {language} version: the {from} version was inserted instead. Translate it before sending.",
      "tw.agent_fallback": "There is no version in your language: this is the {from} one.",
      "tw.empty_reply": "This canned reply has no text.",
      "tw.notes": "Internal notes",
      "tw.notes_hint": "Only agents see these notes; the customer never does.",
      "tw.note_placeholder": "A note for your colleagues…",
      "tw.note_add": "Add note",
      "tw.notes_empty": "No notes yet.",
      "tw.moved_queue": "Moved to the {to} queue (from {from}).",
      "tw.moved_agent": "Handed to {to} (from {from}).",
      "tw.transfer": "Transfer",
      "tw.transfer_queue": "To the queue",
      "tw.transfer_agent": "or to an agent",
      "tw.transfer_nobody": "— nobody: it waits in the queue —",
      "tw.transfer_button": "Transfer",
      "tw.transfer_hint": "The bot stays paused and the customer keeps waiting; the next agent sees your notes.",
      "tw.transferred": "Transferred.",
      "tw.agent_online": "{name} (online)",
      "tw.agent_offline": "{name} (offline)",
      "tw.my_queues": "Your queues: {queues}",
      "tw.filter_mine": "my queues",
      "tw.filter_every": "every queue",
      "tw.manage": "Canned replies",
      "tw.manage_intro": "Saved answers shared by every agent, one version per language.",
      "tw.new": "New canned reply",
      "tw.title": "Title",
      "tw.optional": "{language} (optional)",
      "tw.save": "Save",
      "tw.cancel": "Cancel",
      "tw.edit": "Edit",
      "tw.delete": "Delete",
      "tw.delete_sure": "Delete the canned reply “{title}” for every agent?",
      "tw.missing": "Missing: {languages}",
      "tw.complete": "Every language",
      "tw.changed_by": "Changed by {agent}, {time}",
      "tw.saved": "Saved.",
      "error.bad_canned": "Give the canned reply a title and at least one version.",
      "error.bad_note": "Write a note (at most 4000 characters).",
      "error.unknown_queue": "There is no such queue.",
      "error.unknown_agent": "There is no such agent, or they may not sign in.",
      "error.bad_transfer": "Choose a queue or an agent.",
      "error.same_queue": "It is already waiting in that queue.",
      "error.same_agent": "That agent already has this conversation.",
      "error.closed": "This conversation is closed.",
      "error.changed": "Someone else changed this conversation just now; look again."
    },
    "pt": {
      "tw.canned": "Resposta pronta",
      "tw.canned_choose": "Escolha uma resposta pronta…",
      "tw.insert": "Inserir",
      "tw.no_canned": "Ainda não há respostas prontas: adicione-as em “Respostas prontas”.",
      "tw.customer_version": "Na caixa de resposta, para o cliente ({language}):",
      "tw.agent_version": "No seu idioma ({language}):",
      "tw.converted": "Não há versão em {language}: ela foi convertida de {from}.",
      "tw.fallback": "Não há versão em {language}: foi inserida a versão em {from}. Traduza antes de enviar.",
      "tw.agent_fallback": "Não há versão no seu idioma: esta é a versão em {from}.",
      "tw.empty_reply": "Esta resposta pronta não tem texto.",
      "tw.notes": "Notas internas",
      "tw.notes_hint": "Só os atendentes veem estas notas; o cliente nunca.",
      "tw.note_placeholder": "Uma nota para os colegas…",
      "tw.note_add": "Adicionar nota",
      "tw.notes_empty": "Nenhuma nota ainda.",
      "tw.moved_queue": "Transferida para a fila {to} (de {from}).",
      "tw.moved_agent": "Passada para {to} (de {from}).",
      "tw.transfer": "Transferir",
      "tw.transfer_queue": "Para a fila",
      "tw.transfer_agent": "ou para um atendente",
      "tw.transfer_nobody": "— ninguém: espera na fila —",
      "tw.transfer_button": "Transferir",
      "tw.transfer_hint": "O assistente continua pausado e o cliente continua esperando; o próximo atendente vê suas notas.",
      "tw.transferred": "Transferida.",
      "tw.agent_online": "{name} (online)",
      "tw.agent_offline": "{name} (offline)",
      "tw.my_queues": "Suas filas: {queues}",
      "tw.filter_mine": "minhas filas",
      "tw.filter_every": "todas as filas",
      "tw.manage": "Respostas prontas",
      "tw.manage_intro": "Respostas salvas, compartilhadas por todos os atendentes, uma versão por idioma.",
      "tw.new": "Nova resposta pronta",
      "tw.title": "Título",
      "tw.optional": "{language} (opcional)",
      "tw.save": "Salvar",
      "tw.cancel": "Cancelar",
      "tw.edit": "Editar",
      "tw.delete": "Excluir",
      "tw.delete_sure": "Excluir a resposta pronta “{title}” para todos os atendentes?",
      "tw.missing": "Faltando: {languages}",
      "tw.complete": "Todos os idiomas",
      "tw.changed_by": "Alterada por {agent}, {time}",
      "tw.saved": "Salva.",
      "error.bad_canned": "Dê um título à resposta pronta e pelo menos uma versão.",
      "error.bad_note": "Escreva uma nota (no máximo 4000 caracteres).",
      "error.unknown_queue": "Essa fila não existe.",
      "error.unknown_agent": "Esse atendente não existe ou não pode entrar.",
      "error.bad_transfer": "Escolha uma fila ou um atendente.",
      "error.same_queue": "Ela já está esperando nessa fila.",
      "error.same_agent": "Esse atendente já está com esta conversa.",
      "error.closed": "Esta conversa está encerrada.",
      "error.changed": "Outra pessoa acabou de alterar esta conversa; veja de novo."
    },
    "es": {
      "tw.canned": "Respuesta predefinida",
      "tw.canned_choose": "Elige una respuesta predefinida…",
      "tw.insert": "Insertar",
      "tw.no_canned": "Aún no hay respuestas predefinidas: agrégalas en “Respuestas predefinidas”.",
      "tw.customer_version": "En el cuadro de respuesta, para el cliente ({language}):",
      "tw.agent_version": "En tu idioma ({language}):",
      "tw.converted": "No hay versión en {language}: se convirtió desde {from}.",
      "tw.fallback": "No hay versión en {language}: se insertó la versión en {from}. Tradúcela antes de enviar.",
      "tw.agent_fallback": "No hay versión en tu idioma: esta es la versión en {from}.",
      "tw.empty_reply": "Esta respuesta predefinida no tiene texto.",
      "tw.notes": "Notas internas",
      "tw.notes_hint": "Solo los agentes ven estas notas; el cliente nunca.",
      "tw.note_placeholder": "Una nota para tus compañeros…",
      "tw.note_add": "Agregar nota",
      "tw.notes_empty": "Todavía no hay notas.",
      "tw.moved_queue": "Transferida a la cola {to} (desde {from}).",
      "tw.moved_agent": "Pasada a {to} (desde {from}).",
      "tw.transfer": "Transferir",
      "tw.transfer_queue": "A la cola",
      "tw.transfer_agent": "o a un agente",
      "tw.transfer_nobody": "— nadie: espera en la cola —",
      "tw.transfer_button": "Transferir",
      "tw.transfer_hint": "El asistente sigue en pausa y el cliente sigue esperando; el siguiente agente ve tus notas.",
      "tw.transferred": "Transferida.",
      "tw.agent_online": "{name} (en línea)",
      "tw.agent_offline": "{name} (desconectado)",
      "tw.my_queues": "Tus colas: {queues}",
      "tw.filter_mine": "mis colas",
      "tw.filter_every": "todas las colas",
      "tw.manage": "Respuestas predefinidas",
      "tw.manage_intro": "Respuestas guardadas que comparten todos los agentes, una versión por idioma.",
      "tw.new": "Nueva respuesta predefinida",
      "tw.title": "Título",
      "tw.optional": "{language} (opcional)",
      "tw.save": "Guardar",
      "tw.cancel": "Cancelar",
      "tw.edit": "Editar",
      "tw.delete": "Eliminar",
      "tw.delete_sure": "¿Eliminar la respuesta predefinida “{title}” para todos los agentes?",
      "tw.missing": "Faltan: {languages}",
      "tw.complete": "Todos los idiomas",
      "tw.changed_by": "Modificada por {agent}, {time}",
      "tw.saved": "Guardada.",
      "error.bad_canned": "Dale un título a la respuesta predefinida y al menos una versión.",
      "error.bad_note": "Escribe una nota (como máximo 4000 caracteres).",
      "error.unknown_queue": "Esa cola no existe.",
      "error.unknown_agent": "Ese agente no existe o no puede iniciar sesión.",
      "error.bad_transfer": "Elige una cola o un agente.",
      "error.same_queue": "Ya está esperando en esa cola.",
      "error.same_agent": "Ese agente ya tiene esta conversación.",
      "error.closed": "Esta conversación está cerrada.",
      "error.changed": "Otra persona acaba de cambiar esta conversación; vuelve a mirarla."
    },
    "vi": {
      "tw.canned": "Câu trả lời mẫu",
      "tw.canned_choose": "Chọn một câu trả lời mẫu…",
      "tw.insert": "Chèn",
      "tw.no_canned": "Chưa có câu trả lời mẫu nào: hãy thêm ở mục “Câu trả lời mẫu”.",
      "tw.customer_version": "Trong ô trả lời, cho khách hàng ({language}):",
      "tw.agent_version": "Bằng ngôn ngữ của bạn ({language}):",
      "tw.converted": "Không có bản {language}: đã chuyển đổi từ {from}.",
      "tw.fallback": "Không có bản {language}: đã chèn bản {from} thay thế. Hãy dịch trước khi gửi.",
      "tw.agent_fallback": "Không có bản bằng ngôn ngữ của bạn: đây là bản {from}.",
      "tw.empty_reply": "Câu trả lời mẫu này không có nội dung.",
      "tw.notes": "Ghi chú nội bộ",
      "tw.notes_hint": "Chỉ nhân viên thấy các ghi chú này; khách hàng không bao giờ thấy.",
      "tw.note_placeholder": "Ghi chú cho đồng nghiệp…",
      "tw.note_add": "Thêm ghi chú",
      "tw.notes_empty": "Chưa có ghi chú.",
      "tw.moved_queue": "Đã chuyển sang hàng chờ {to} (từ {from}).",
      "tw.moved_agent": "Đã giao cho {to} (từ {from}).",
      "tw.transfer": "Chuyển",
      "tw.transfer_queue": "Sang hàng chờ",
      "tw.transfer_agent": "hoặc cho một nhân viên",
      "tw.transfer_nobody": "— không ai: chờ trong hàng chờ —",
      "tw.transfer_button": "Chuyển",
      "tw.transfer_hint": "Trợ lý vẫn tạm dừng và khách hàng tiếp tục chờ; nhân viên tiếp theo sẽ thấy ghi chú của bạn.",
      "tw.transferred": "Đã chuyển.",
      "tw.agent_online": "{name} (trực tuyến)",
      "tw.agent_offline": "{name} (ngoại tuyến)",
      "tw.my_queues": "Hàng chờ của bạn: {queues}",
      "tw.filter_mine": "hàng chờ của tôi",
      "tw.filter_every": "mọi hàng chờ",
      "tw.manage": "Câu trả lời mẫu",
      "tw.manage_intro": "Các câu trả lời đã lưu, dùng chung cho mọi nhân viên, mỗi ngôn ngữ một bản.",
      "tw.new": "Câu trả lời mẫu mới",
      "tw.title": "Tiêu đề",
      "tw.optional": "{language} (không bắt buộc)",
      "tw.save": "Lưu",
      "tw.cancel": "Hủy",
      "tw.edit": "Sửa",
      "tw.delete": "Xóa",
      "tw.delete_sure": "Xóa câu trả lời mẫu “{title}” cho mọi nhân viên?",
      "tw.missing": "Còn thiếu: {languages}",
      "tw.complete": "Đủ mọi ngôn ngữ",
      "tw.changed_by": "{agent} đã sửa, {time}",
      "tw.saved": "Đã lưu.",
      "error.bad_canned": "Hãy đặt tiêu đề cho câu trả lời mẫu và viết ít nhất một bản.",
      "error.bad_note": "Hãy viết ghi chú (tối đa 4000 ký tự).",
      "error.unknown_queue": "Không có hàng chờ này.",
      "error.unknown_agent": "Không có nhân viên này, hoặc họ không được đăng nhập.",
      "error.bad_transfer": "Hãy chọn một hàng chờ hoặc một nhân viên.",
      "error.same_queue": "Cuộc trò chuyện đã ở trong hàng chờ đó.",
      "error.same_agent": "Nhân viên đó đã đang giữ cuộc trò chuyện này.",
      "error.closed": "Cuộc trò chuyện này đã kết thúc.",
      "error.changed": "Người khác vừa thay đổi cuộc trò chuyện này; hãy xem lại."
    },
    "zh-Hans": {
      "tw.canned": "快捷回复",
      "tw.canned_choose": "选择一条快捷回复…",
      "tw.insert": "插入",
      "tw.no_canned": "还没有快捷回复:请在“快捷回复”中添加。",
      "tw.customer_version": "回复框中给客户的版本({language}):",
      "tw.agent_version": "您的语言({language}):",
      "tw.converted": "没有{language}版本:已从{from}转换。",
      "tw.fallback": "没有{language}版本:已插入{from}版本。发送前请先翻译。",
      "tw.agent_fallback": "没有您的语言的版本:这是{from}版本。",
      "tw.empty_reply": "这条快捷回复没有内容。",
      "tw.notes": "内部备注",
      "tw.notes_hint": "只有客服能看到这些备注,客户永远看不到。",
      "tw.note_placeholder": "写给同事的备注…",
      "tw.note_add": "添加备注",
      "tw.notes_empty": "还没有备注。",
      "tw.moved_queue": "已转到 {to} 队列(原为 {from})。",
      "tw.moved_agent": "已交给 {to}(原为 {from})。",
      "tw.transfer": "转接",
      "tw.transfer_queue": "转到队列",
      "tw.transfer_agent": "或转给客服",
      "tw.transfer_nobody": "— 不指定:在队列中等待 —",
      "tw.transfer_button": "转接",
      "tw.transfer_hint": "助手保持暂停,客户继续等待;下一位客服能看到您的备注。",
      "tw.transferred": "已转接。",
      "tw.agent_online": "{name}(在线)",
      "tw.agent_offline": "{name}(离线)",
      "tw.my_queues": "您的队列:{queues}",
      "tw.filter_mine": "我的队列",
      "tw.filter_every": "所有队列",
      "tw.manage": "快捷回复",
      "tw.manage_intro": "所有客服共用的已保存回复,每种语言一个版本。",
      "tw.new": "新建快捷回复",
      "tw.title": "标题",
      "tw.optional": "{language}(可选)",
      "tw.save": "保存",
      "tw.cancel": "取消",
      "tw.edit": "编辑",
      "tw.delete": "删除",
      "tw.delete_sure": "要为所有客服删除快捷回复“{title}”吗?",
      "tw.missing": "缺少:{languages}",
      "tw.complete": "所有语言齐全",
      "tw.changed_by": "{agent} 修改于 {time}",
      "tw.saved": "已保存。",
      "error.bad_canned": "请为快捷回复填写标题和至少一个版本。",
      "error.bad_note": "请填写备注(最多 4000 个字符)。",
      "error.unknown_queue": "没有这个队列。",
      "error.unknown_agent": "没有这位客服,或其无法登录。",
      "error.bad_transfer": "请选择一个队列或一位客服。",
      "error.same_queue": "它已经在该队列中等待。",
      "error.same_agent": "这位客服已经在处理此对话。",
      "error.closed": "此对话已结束。",
      "error.changed": "其他人刚刚更改了此对话,请重新查看。"
    },
    "zh-Hant": {
      "tw.canned": "快速回覆",
      "tw.canned_choose": "選擇一則快速回覆…",
      "tw.insert": "插入",
      "tw.no_canned": "還沒有快速回覆:請在「快速回覆」中新增。",
      "tw.customer_version": "回覆框中給客戶的版本({language}):",
      "tw.agent_version": "您的語言({language}):",
      "tw.converted": "沒有{language}版本:已從{from}轉換。",
      "tw.fallback": "沒有{language}版本:已插入{from}版本。傳送前請先翻譯。",
      "tw.agent_fallback": "沒有您的語言的版本:這是{from}版本。",
      "tw.empty_reply": "這則快速回覆沒有內容。",
      "tw.notes": "內部備註",
      "tw.notes_hint": "只有客服看得到這些備註,客戶永遠看不到。",
      "tw.note_placeholder": "寫給同事的備註…",
      "tw.note_add": "新增備註",
      "tw.notes_empty": "還沒有備註。",
      "tw.moved_queue": "已轉到 {to} 佇列(原為 {from})。",
      "tw.moved_agent": "已交給 {to}(原為 {from})。",
      "tw.transfer": "轉接",
      "tw.transfer_queue": "轉到佇列",
      "tw.transfer_agent": "或轉給客服",
      "tw.transfer_nobody": "— 不指定:在佇列中等待 —",
      "tw.transfer_button": "轉接",
      "tw.transfer_hint": "助理保持暫停,客戶繼續等待;下一位客服看得到您的備註。",
      "tw.transferred": "已轉接。",
      "tw.agent_online": "{name}(線上)",
      "tw.agent_offline": "{name}(離線)",
      "tw.my_queues": "您的佇列:{queues}",
      "tw.filter_mine": "我的佇列",
      "tw.filter_every": "所有佇列",
      "tw.manage": "快速回覆",
      "tw.manage_intro": "所有客服共用的已儲存回覆,每種語言一個版本。",
      "tw.new": "新增快速回覆",
      "tw.title": "標題",
      "tw.optional": "{language}(選填)",
      "tw.save": "儲存",
      "tw.cancel": "取消",
      "tw.edit": "編輯",
      "tw.delete": "刪除",
      "tw.delete_sure": "要為所有客服刪除快速回覆「{title}」嗎?",
      "tw.missing": "缺少:{languages}",
      "tw.complete": "所有語言齊全",
      "tw.changed_by": "{agent} 修改於 {time}",
      "tw.saved": "已儲存。",
      "error.bad_canned": "請為快速回覆填寫標題和至少一個版本。",
      "error.bad_note": "請填寫備註(最多 4000 個字元)。",
      "error.unknown_queue": "沒有這個佇列。",
      "error.unknown_agent": "沒有這位客服,或其無法登入。",
      "error.bad_transfer": "請選擇一個佇列或一位客服。",
      "error.same_queue": "它已經在該佇列中等待。",
      "error.same_agent": "這位客服已經在處理此對話。",
      "error.closed": "此對話已結束。",
      "error.changed": "其他人剛剛變更了此對話,請重新查看。"
    }
  });

  var canned = [];      // every canned reply, by title
  var team = null;      // GET /api/agent/team
  var shownFor = null;  // the escalation whose notes and transfer form are on screen
  var preview = null;   // the inserted canned reply on screen: {id, escalation, body}

  function failed(node) { return function (error) { node.textContent = error.message; }; }

  // --- canned replies next to the reply box ---------------------------------------

  var picker = el("select", null, "tw-picker");
  picker.id = "canned-picker";
  var insert = el("button", null, "tw-insert");
  insert.type = "button";
  insert.id = "canned-insert";
  var previewBox = el("div", null, "tw-preview");
  previewBox.id = "canned-preview";
  previewBox.setAttribute("role", "status");
  var pickerLabel = el("span");
  var pickerRow = el("div", null, "tw-row");
  pickerRow.appendChild(pickerLabel);
  pickerRow.appendChild(picker);
  pickerRow.appendChild(insert);
  $("reply-tools").appendChild(pickerRow);
  $("reply-tools").appendChild(previewBox);

  function renderPicker() {
    var chosen = picker.value;
    picker.textContent = "";
    var first = el("option", canned.length ? t("tw.canned_choose") : t("tw.no_canned"));
    first.value = "";
    picker.appendChild(first);
    canned.forEach(function (reply) {
      var option = el("option", reply.title);
      option.value = String(reply.id);
      picker.appendChild(option);
    });
    picker.value = canned.some(function (r) { return String(r.id) === chosen; }) ? chosen : "";
    pickerLabel.textContent = t("tw.canned");
    picker.setAttribute("aria-label", t("tw.canned"));
    insert.textContent = t("tw.insert");
    insert.disabled = !canned.length;
  }

  function loadCanned() {
    return Desk.api("GET", "/api/canned").then(function (body) {
      canned = body.canned;
      renderPicker();
      renderManager();
    }).catch(failed($("detail-error")));
  }

  // The agent's version in the console's language as it is now (chosen maybe
  // after the server answered): exact, else the server's stand-in, else English or any.
  function agentVersion(body) {
    var language = Desk.lang();
    if (body.texts[language]) return { language: language, text: body.texts[language], used: language, how: "exact" };
    if (body.agent && body.agent.language === language) return body.agent;
    var used = ["en"].concat(LANGUAGES).filter(function (l) { return body.texts[l]; })[0];
    return { language: language, text: used ? body.texts[used] : "", used: used || null, how: used ? "fallback" : "none" };
  }

  function renderPreview() {
    previewBox.textContent = "";
    var detail = Desk.current();
    if (!preview || !detail || preview.escalation !== detail.id) { preview = null; return; }
    var body = preview.body, customer = body.customer, mine = agentVersion(body);
    previewBox.appendChild(el("strong", body.title, "tw-title"));
    var theirs = el("div", null, "tw-version");
    theirs.appendChild(el("div", t("tw.customer_version", { language: Desk.languageName(customer.language) }), "muted"));
    var theirText = el("p", customer.text, "tw-text");
    theirText.lang = customer.language;
    theirs.appendChild(theirText);
    if (customer.how === "converted" || customer.how === "fallback") {
      var key = customer.how === "converted" ? "tw.converted" : "tw.fallback";
      theirs.appendChild(el("p", t(key, { language: Desk.languageName(customer.language), from: Desk.languageName(customer.used) }), "tw-warning"));
    }
    previewBox.appendChild(theirs);
    if (mine.used && mine.used !== customer.used) {
      var ours = el("div", null, "tw-version");
      ours.appendChild(el("div", t("tw.agent_version", { language: Desk.languageName(mine.language) }), "muted"));
      var ourText = el("p", mine.text, "tw-text agent-version");
      ourText.lang = mine.used;
      ours.appendChild(ourText);
      if (mine.how === "fallback") ours.appendChild(el("p", t("tw.agent_fallback", { from: Desk.languageName(mine.used) }), "muted"));
      previewBox.appendChild(ours);
    }
  }

  function putInReplyBox(text) {
    var box = $("reply-text");
    var start = box.selectionStart, end = box.selectionEnd;
    if (typeof start !== "number" || document.activeElement !== box) { start = end = box.value.length; }
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var gap = before && !/\s$/.test(before) ? "\n" : "";
    box.value = before + gap + text + after;
    box.focus();
    var caret = (before + gap + text).length;
    box.setSelectionRange(caret, caret);
  }

  insert.addEventListener("click", function () {
    var detail = Desk.current();
    if (!picker.value || !detail) return;
    $("detail-error").textContent = "";
    Desk.api("GET", "/api/canned/" + encodeURIComponent(picker.value) + "?escalation=" + detail.id).then(function (body) {
      if (!body.customer || body.customer.how === "none") { $("detail-error").textContent = t("tw.empty_reply"); return; }
      preview = { id: body.id, escalation: detail.id, body: body };
      putInReplyBox(body.customer.text);
      renderPreview();
    }).catch(failed($("detail-error")));
  });

  // --- internal notes and transfer, in the detail view -----------------------------

  var notesSection = el("section", null, "tw-notes");
  notesSection.id = "notes";
  var notesTitle = el("h3");
  var notesHint = el("p", null, "muted");
  var notesList = el("ol", null, "tw-note-list");
  notesList.id = "notes-list";
  var noteForm = el("form", null, "tw-note-form");
  noteForm.id = "note-form";
  var noteText = el("textarea");
  noteText.id = "note-text";
  noteText.rows = 2;
  noteText.maxLength = 4000;
  var noteButton = el("button");
  noteButton.type = "submit";
  var noteError = el("p", null, "error");
  noteError.setAttribute("role", "alert");
  noteForm.appendChild(noteText);
  noteForm.appendChild(noteButton);
  notesSection.appendChild(notesTitle);
  notesSection.appendChild(notesHint);
  notesSection.appendChild(notesList);
  notesSection.appendChild(noteForm);
  notesSection.appendChild(noteError);

  var transferSection = el("section", null, "tw-transfer");
  transferSection.id = "transfer";
  var transferTitle = el("h3");
  var transferForm = el("form", null, "tw-row");
  transferForm.id = "transfer-form";
  var queueSelect = el("select");
  queueSelect.id = "transfer-queue";
  var agentSelect = el("select");
  agentSelect.id = "transfer-agent";
  var queueLabel = el("span"), agentLabel = el("span");
  var transferButton = el("button");
  transferButton.type = "submit";
  var transferHint = el("p", null, "muted");
  var transferResult = el("p", null, "error");
  transferResult.setAttribute("role", "status");
  [[queueLabel, queueSelect], [agentLabel, agentSelect]].forEach(function (pair) {
    var wrap = el("label");
    wrap.appendChild(pair[0]);
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(pair[1]);
    transferForm.appendChild(wrap);
  });
  transferForm.appendChild(transferButton);
  transferSection.appendChild(transferTitle);
  transferSection.appendChild(transferForm);
  transferSection.appendChild(transferHint);
  transferSection.appendChild(transferResult);

  $("detail-tools").appendChild(transferSection);
  $("detail-tools").appendChild(notesSection);

  var notes = [];

  function noteText_(note) {
    if (note.kind !== "transfer") return note.text;
    var d = note.details || {};
    var fromQueue = Desk.queueName(d.from_queue);
    var from = d.from_agent ? d.from_agent + " · " + fromQueue : fromQueue;
    return d.to_agent ? t("tw.moved_agent", { to: d.to_agent, from: from }) : t("tw.moved_queue", { to: Desk.queueName(d.to_queue), from: from });
  }

  function renderNotes() {
    notesTitle.textContent = t("tw.notes");
    notesHint.textContent = t("tw.notes_hint");
    noteText.placeholder = t("tw.note_placeholder");
    noteButton.textContent = t("tw.note_add");
    notesList.textContent = "";
    if (!notes.length) notesList.appendChild(el("li", t("tw.notes_empty"), "muted"));
    notes.forEach(function (note) {
      var li = el("li", null, "tw-note " + note.kind);
      li.appendChild(el("span", note.author + " · " + Desk.date(note.created_at), "who"));
      li.appendChild(el("span", noteText_(note)));
      notesList.appendChild(li);
    });
  }

  function loadNotes(id) {
    Desk.api("GET", "/api/escalations/" + id + "/notes").then(function (body) {
      var detail = Desk.current();
      if (!detail || detail.id !== id) return;
      notes = body.notes;
      renderNotes();
    }).catch(failed(noteError));
  }

  noteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var detail = Desk.current();
    if (!detail || !noteText.value.trim()) return;
    noteError.textContent = "";
    Desk.api("POST", "/api/escalations/" + detail.id + "/notes", { text: noteText.value }).then(function (note) {
      noteText.value = "";
      notes.push(note);
      renderNotes();
    }).catch(failed(noteError));
  });

  function renderTransfer() {
    var detail = Desk.current();
    transferTitle.textContent = t("tw.transfer");
    queueLabel.textContent = t("tw.transfer_queue");
    agentLabel.textContent = t("tw.transfer_agent");
    transferButton.textContent = t("tw.transfer_button");
    transferHint.textContent = t("tw.transfer_hint");
    var me = Desk.auth() && Desk.auth().agent;
    var movable = detail && (detail.status === "queued" || (detail.status === "assigned" && detail.agent === me));
    transferSection.hidden = !movable || !team;
    if (transferSection.hidden) return;
    var queueWas = queueSelect.value, agentWas = agentSelect.value;
    queueSelect.textContent = "";
    team.queues.forEach(function (name) {
      var option = el("option", Desk.queueName(name));
      option.value = name;
      queueSelect.appendChild(option);
    });
    queueSelect.value = team.queues.indexOf(queueWas) >= 0 && shownFor === detail.id ? queueWas : detail.queue;
    agentSelect.textContent = "";
    var nobody = el("option", t("tw.transfer_nobody"));
    nobody.value = "";
    agentSelect.appendChild(nobody);
    team.agents.forEach(function (agent) {
      if (agent.name === detail.agent) return;  // (they have it already)
      var option = el("option", t(agent.online ? "tw.agent_online" : "tw.agent_offline", { name: agent.name }));
      option.value = agent.name;
      agentSelect.appendChild(option);
    });
    agentSelect.value = shownFor === detail.id && agentWas ? agentWas : "";
    if (agentSelect.selectedIndex < 0) agentSelect.value = "";
  }

  transferForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var detail = Desk.current();
    if (!detail) return;
    var body = {};
    if (agentSelect.value) body.agent = agentSelect.value;
    if (queueSelect.value && (queueSelect.value !== detail.queue || !agentSelect.value)) body.queue = queueSelect.value;
    transferResult.textContent = "";
    transferResult.className = "error";
    Desk.api("POST", "/api/escalations/" + detail.id + "/transfer", body).then(function () {
      transferResult.className = "muted";
      transferResult.textContent = t("tw.transferred");
      agentSelect.value = "";
      Desk.refresh();
    }).catch(failed(transferResult));
  });

  function loadTeam() {
    return Desk.api("GET", "/api/agent/team").then(function (body) {
      team = body;
      renderQueueTools();
      renderTransfer();
    }).catch(function () { team = null; });
  }

  Desk.on("detail", function (detail) {
    if (!detail) return;
    if (shownFor !== detail.id) {  // another conversation: its own drafts and messages
      noteText.value = "";
      noteError.textContent = "";
      transferResult.textContent = "";
      notes = [];
      renderNotes();
      if (preview && preview.escalation !== detail.id) preview = null;
      loadTeam();  // who is online now, for the transfer list
    }
    renderTransfer();
    shownFor = detail.id;
    renderPreview();
    loadNotes(detail.id);
  });

  // --- the agent's queues, above the queue list -------------------------------------

  var myQueues = el("span", null, "tw-my-queues muted");
  myQueues.id = "my-queues";
  $("queue-tools").appendChild(myQueues);
  var everyOption = el("option");
  everyOption.value = "*";

  // The filter offers the queues configured in helpdesk.yml, not a fixed list.
  function queueOptions(filter) {
    if (!team) return;
    var chosen = filter.value;
    Array.prototype.slice.call(filter.options).forEach(function (option) {
      if (option.value && option.value !== "*") filter.removeChild(option);
    });
    team.queues.forEach(function (name) {
      var option = el("option", Desk.queueName(name));
      option.value = name;
      filter.appendChild(option);
    });
    filter.value = chosen;
    if (filter.value !== chosen) filter.value = "";
  }

  function renderQueueTools() {
    var filter = $("filter-queue");
    queueOptions(filter);
    var mineOption = filter.querySelector('option[value=""]');
    if (!team || team.every_queue) {
      myQueues.textContent = "";
      myQueues.hidden = true;
      if (everyOption.parentNode) everyOption.parentNode.removeChild(everyOption);
      if (mineOption) { mineOption.setAttribute("data-i18n", "filter.all"); mineOption.textContent = t("filter.all"); }
      return;
    }
    myQueues.hidden = false;
    myQueues.textContent = t("tw.my_queues", { queues: team.mine.map(Desk.queueName).join(", ") });
    if (mineOption) { mineOption.setAttribute("data-i18n", "tw.filter_mine"); mineOption.textContent = t("tw.filter_mine"); }
    everyOption.setAttribute("data-i18n", "tw.filter_every");
    everyOption.textContent = t("tw.filter_every");
    if (!everyOption.parentNode) filter.insertBefore(everyOption, mineOption ? mineOption.nextSibling : filter.firstChild);
  }

  // --- managing canned replies (for the whole team) ---------------------------------

  var manager = el("section", null, "tw-manager");
  manager.id = "canned";
  var managerTitle = el("h2");
  var managerIntro = el("p", null, "muted");
  var managerList = el("ul", null, "tw-canned-list");
  managerList.id = "canned-list";
  var newButton = el("button");
  newButton.type = "button";
  newButton.id = "canned-new";
  var editor = el("form", null, "tw-editor");
  editor.id = "canned-editor";
  editor.hidden = true;
  var titleInput = el("input");
  titleInput.id = "canned-title";
  titleInput.maxLength = 120;
  var titleLabel = el("span");
  var versionInputs = {}, versionLabels = {};
  var titleWrap = el("label");
  titleWrap.appendChild(titleLabel);
  titleWrap.appendChild(titleInput);
  editor.appendChild(titleWrap);
  LANGUAGES.forEach(function (language) {
    var wrap = el("label");
    versionLabels[language] = el("span");
    var area = el("textarea");
    area.id = "canned-text-" + language;
    area.rows = 2;
    area.maxLength = 4000;
    area.lang = language;
    versionInputs[language] = area;
    wrap.appendChild(versionLabels[language]);
    wrap.appendChild(area);
    editor.appendChild(wrap);
  });
  var saveButton = el("button");
  saveButton.type = "submit";
  var cancelButton = el("button");
  cancelButton.type = "button";
  var editorButtons = el("div", null, "tw-row");
  editorButtons.appendChild(saveButton);
  editorButtons.appendChild(cancelButton);
  editor.appendChild(editorButtons);
  var managerResult = el("p", null, "error");
  managerResult.setAttribute("role", "status");
  manager.appendChild(managerTitle);
  manager.appendChild(managerIntro);
  manager.appendChild(managerList);
  manager.appendChild(newButton);
  manager.appendChild(editor);
  manager.appendChild(managerResult);
  $("console-extras").appendChild(manager);
  var editing = null;  // the id being edited, or "new"

  function renderManager() {
    managerTitle.textContent = t("tw.manage");
    managerIntro.textContent = t("tw.manage_intro");
    newButton.textContent = t("tw.new");
    titleLabel.textContent = t("tw.title");
    LANGUAGES.forEach(function (language) {
      versionLabels[language].textContent = language === "en" ? t("tw.optional", { language: Desk.languageName("en") }) : Desk.languageName(language);
    });
    saveButton.textContent = t("tw.save");
    cancelButton.textContent = t("tw.cancel");
    managerList.textContent = "";
    canned.forEach(function (reply) {
      var li = el("li");
      li.dataset.id = reply.id;
      li.appendChild(el("strong", reply.title));
      var missing = reply.missing.filter(function (l) { return l !== "en"; });
      li.appendChild(el("span", missing.length ? t("tw.missing", { languages: missing.map(Desk.languageName).join(", ") }) : t("tw.complete"), missing.length ? "badge tw-missing" : "badge"));
      li.appendChild(el("span", t("tw.changed_by", { agent: reply.updated_by, time: Desk.date(reply.updated_at) }), "muted"));
      var edit = el("button", t("tw.edit"));
      edit.type = "button";
      edit.className = "tw-edit";
      edit.addEventListener("click", function () { openEditor(reply); });
      var remove = el("button", t("tw.delete"));
      remove.type = "button";
      remove.className = "tw-delete";
      remove.addEventListener("click", function () {
        if (!window.confirm(t("tw.delete_sure", { title: reply.title }))) return;
        Desk.api("DELETE", "/api/canned/" + reply.id).then(loadCanned).catch(failed(managerResult));
      });
      li.appendChild(edit);
      li.appendChild(remove);
      managerList.appendChild(li);
    });
  }

  function openEditor(reply) {
    editing = reply ? reply.id : "new";
    titleInput.value = reply ? reply.title : "";
    LANGUAGES.forEach(function (language) { versionInputs[language].value = reply ? (reply.texts[language] || "") : ""; });
    managerResult.textContent = "";
    editor.hidden = false;
    titleInput.focus();
  }

  newButton.addEventListener("click", function () { openEditor(null); });
  cancelButton.addEventListener("click", function () { editing = null; editor.hidden = true; });
  editor.addEventListener("submit", function (event) {
    event.preventDefault();
    var texts = {};
    LANGUAGES.forEach(function (language) { if (versionInputs[language].value.trim()) texts[language] = versionInputs[language].value; });
    var body = { title: titleInput.value, texts: texts };
    var call = editing === "new" ? Desk.api("POST", "/api/canned", body) : Desk.api("PUT", "/api/canned/" + editing, body);
    managerResult.className = "error";
    call.then(function () {
      editing = null;
      editor.hidden = true;
      managerResult.className = "muted";
      managerResult.textContent = t("tw.saved");
      return loadCanned();
    }).catch(failed(managerResult));
  });

  // --- life cycle ------------------------------------------------------------------

  Desk.on("start", function () { loadCanned(); loadTeam(); });
  Desk.on("sent", function () { preview = null; renderPreview(); });
  Desk.on("signout", function () { canned = []; team = null; preview = null; shownFor = null; });
  Desk.on("language", function () { renderPicker(); renderManager(); renderNotes(); renderTransfer(); renderQueueTools(); renderPreview(); });
})();
