// The console's word on replies to customers who left (agent.html, after
// agent.js): when the customer has no chat open, the server e-mails the reply
// (bot/web/reopen.py) and the message response says so (customer_online,
// emailed, email_problem); this shows it under the reply box, until another
// escalation is opened.
(function () {
  "use strict";
  var Desk = window.Desk;
  var $ = Desk.$, el = Desk.el, t = Desk.t;

  Desk.strings({
    "en": {
      "mail.emailed": "The customer has left the chat: your reply was e-mailed to {email}, with a link back to this conversation.",
      "mail.not_configured": "The customer has left the chat and was not e-mailed: e-mail is not set up (SMTP_URL).",
      "mail.no_address": "The customer has left the chat and was not e-mailed: they gave no e-mail address.",
      "mail.unavailable": "The customer has left the chat and was not e-mailed: the database is unavailable. Try again later."
    },
    "pt": {
      "mail.emailed": "O cliente saiu do chat: sua resposta foi enviada por e-mail para {email}, com um link de volta para esta conversa.",
      "mail.not_configured": "O cliente saiu do chat e não recebeu e-mail: o envio de e-mails não está configurado (SMTP_URL).",
      "mail.no_address": "O cliente saiu do chat e não recebeu e-mail: ele não deixou endereço de e-mail.",
      "mail.unavailable": "O cliente saiu do chat e não recebeu e-mail: o banco de dados está indisponível. Tente de novo mais tarde."
    },
    "es": {
      "mail.emailed": "El cliente salió del chat: tu respuesta se envió por correo a {email}, con un enlace de vuelta a esta conversación.",
      "mail.not_configured": "El cliente salió del chat y no recibió correo: el envío de correos no está configurado (SMTP_URL).",
      "mail.no_address": "El cliente salió del chat y no recibió correo: no dejó dirección de correo.",
      "mail.unavailable": "El cliente salió del chat y no recibió correo: la base de datos no está disponible. Inténtalo más tarde."
    },
    "vi": {
      "mail.emailed": "Khách hàng đã rời khung chat: câu trả lời của bạn đã được gửi qua email tới {email}, kèm liên kết quay lại cuộc trò chuyện này.",
      "mail.not_configured": "Khách hàng đã rời khung chat và không nhận được email: chưa thiết lập gửi email (SMTP_URL).",
      "mail.no_address": "Khách hàng đã rời khung chat và không nhận được email: khách không để lại địa chỉ email.",
      "mail.unavailable": "Khách hàng đã rời khung chat và không nhận được email: cơ sở dữ liệu không khả dụng. Vui lòng thử lại sau."
    },
    "zh-Hans": {
      "mail.emailed": "客户已离开聊天:您的回复已通过邮件发送至 {email},并附有返回此对话的链接。",
      "mail.not_configured": "客户已离开聊天,未发送邮件:尚未设置邮件发送(SMTP_URL)。",
      "mail.no_address": "客户已离开聊天,未发送邮件:客户没有留下邮箱地址。",
      "mail.unavailable": "客户已离开聊天,未发送邮件:数据库暂时不可用,请稍后再试。"
    },
    "zh-Hant": {
      "mail.emailed": "客戶已離開聊天:您的回覆已透過郵件寄至 {email},並附有返回此對話的連結。",
      "mail.not_configured": "客戶已離開聊天,未寄送郵件:尚未設定郵件寄送(SMTP_URL)。",
      "mail.no_address": "客戶已離開聊天,未寄送郵件:客戶沒有留下電子郵件地址。",
      "mail.unavailable": "客戶已離開聊天,未寄送郵件:資料庫暫時無法使用,請稍後再試。"
    }
  });

  var shown = null;  // {id, key, email} of the notice on screen

  function render() {
    var old = $("mail-notice");
    if (old) old.remove();
    if (!shown) return;
    var notice = el("p", t(shown.key, { email: shown.email || "" }), shown.key === "mail.emailed" ? "muted" : "error");
    notice.id = "mail-notice";
    notice.setAttribute("role", "status");
    $("detail-tools").appendChild(notice);
  }

  Desk.on("sent", function (sent) {
    var detail = Desk.current();
    if (!sent || sent.customer_online !== false || !detail) { shown = null; render(); return; }
    shown = { id: detail.id, key: sent.emailed ? "mail.emailed" : "mail." + (sent.email_problem || "unavailable"), email: detail.email };
    render();
  });
  Desk.on("detail", function (detail) {
    if (shown && (!detail || detail.id !== shown.id)) shown = null;
    render();
  });
  Desk.on("language", render);
})();
