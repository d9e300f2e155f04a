// The customers' files in the console's transcript (agent.html, after
// agent.js): a line that carries an attachment (bot/web/attachments_api.py)
// shows the image as a thumbnail, alt text its name, or the PDF as a button
// that downloads it. Files are fetched with the agent's token in a header
// (never in an address the browser keeps) and shown from blob: URLs, kept
// per file while the console is open.
(function () {
  "use strict";
  var Desk = window.Desk;
  var el = Desk.el, t = Desk.t;

  Desk.strings({
    "en": { "attachment.pdf": "PDF, {size}", "attachment.download": "Download {name}", "attachment.unavailable": "The file could not be loaded (deleted, or the server is unreachable)." },
    "pt": { "attachment.pdf": "PDF, {size}", "attachment.download": "Baixar {name}", "attachment.unavailable": "Não foi possível carregar o arquivo (apagado, ou o servidor está fora do ar)." },
    "es": { "attachment.pdf": "PDF, {size}", "attachment.download": "Descargar {name}", "attachment.unavailable": "No se pudo cargar el archivo (borrado, o el servidor no responde)." },
    "vi": { "attachment.pdf": "PDF, {size}", "attachment.download": "Tải xuống {name}", "attachment.unavailable": "Không tải được tệp (đã bị xóa, hoặc máy chủ không phản hồi)." },
    "zh-Hans": { "attachment.pdf": "PDF,{size}", "attachment.download": "下载 {name}", "attachment.unavailable": "无法加载文件(已删除,或服务器无法访问)。" },
    "zh-Hant": { "attachment.pdf": "PDF,{size}", "attachment.download": "下載 {name}", "attachment.unavailable": "無法載入檔案(已刪除,或伺服器無法連線)。" }
  });

  var blobs = {};  // attachment id -> Promise of a blob: URL

  function fetched(file) {
    if (!blobs[file.id]) {
      var auth = Desk.auth();
      blobs[file.id] = fetch("/api/attachments/" + encodeURIComponent(file.id), {
        headers: { "Authorization": "Bearer " + (auth && auth.token) }
      }).then(function (reply) {
        if (!reply.ok) throw new Error("HTTP " + reply.status);
        return reply.blob();
      }).then(function (blob) { return URL.createObjectURL(blob); });
      blobs[file.id].catch(function () { delete blobs[file.id]; });  // tried again next time
    }
    return blobs[file.id];
  }

  function size(bytes) {
    return bytes < 1000000
      ? Desk.number(Math.max(1, Math.round(bytes / 1000))) + " KB"
      : Desk.number(bytes / 1000000, { maximumFractionDigits: 1 }) + " MB";
  }

  function problem(box) {
    if (!box.querySelector(".error")) box.appendChild(el("span", t("attachment.unavailable"), "error"));
  }

  Desk.on("line", function (li, message) {
    var file = message.attachment;
    if (!file) return;
    var box = li.lastChild;  // the line's text ("[attachment: name]"): the file instead
    box.textContent = "";
    box.className = "attachment";
    if (/^image\//.test(file.type)) {
      var image = document.createElement("img");
      image.alt = file.name;
      box.appendChild(el("span", file.name));
      box.appendChild(image);
      fetched(file).then(function (url) { image.src = url; }, function () { problem(box); });
    } else {
      var button = el("button", file.name + " (" + t("attachment.pdf", { size: size(file.size) }) + ")");
      button.type = "button";
      button.title = t("attachment.download", { name: file.name });
      button.addEventListener("click", function () {
        fetched(file).then(function (url) {
          var link = document.createElement("a");
          link.href = url;
          link.download = file.name;
          document.body.appendChild(link);
          link.click();
          link.remove();
        }, function () { problem(box); });
      });
      box.appendChild(button);
    }
  });

  Desk.on("signout", function () {
    Object.keys(blobs).forEach(function (id) {
      blobs[id].then(function (url) { URL.revokeObjectURL(url); }, function () {});
    });
    blobs = {};
  });
})();
