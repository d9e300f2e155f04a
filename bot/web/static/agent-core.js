// What the console (/agent), the report (/agent/report) and the console's
// parts (agent-*.js) share: signing in, the API, the agent's language.
//
// Every visible string goes through Desk.t(key) and is registered with
// Desk.strings() in the six console languages; dates and durations are
// formatted for the agent's locale. Text is always set with textContent.
(function () {
  "use strict";
  var TOKEN_KEY = "helpdesk.agent";
  var LANGUAGE_KEY = "helpdesk.agent.language";  // the last choice, for the sign-in form
  var LANGUAGES = ["en", "pt", "es", "vi", "zh-Hans", "zh-Hant"];
  var LOCALES = { en: "en", pt: "pt-BR", es: "es", vi: "vi", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW" };
  var tables = {};
  LANGUAGES.forEach(function (language) { tables[language] = {}; });
  var handlers = {};
  var auth = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
  var current = null;
  var $ = function (id) { return document.getElementById(id); };

  function browserLanguage() {
    var wanted = (navigator.languages || [navigator.language || "en"]).map(function (l) { return String(l).toLowerCase(); });
    for (var i = 0; i < wanted.length; i++) {
      var code = wanted[i];
      if (/^zh-(tw|hk|mo|hant)/.test(code)) return "zh-Hant";
      if (code.indexOf("zh") === 0) return "zh-Hans";
      var base = code.split("-")[0];
      if (LANGUAGES.indexOf(base) >= 0) return base;
    }
    return "en";
  }

  function lang() {
    var chosen = (auth && auth.language) || localStorage.getItem(LANGUAGE_KEY);
    return LANGUAGES.indexOf(chosen) >= 0 ? chosen : browserLanguage();
  }

  function strings(byLanguage) {
    Object.keys(byLanguage).forEach(function (language) {
      var table = tables[language] || (tables[language] = {});
      Object.keys(byLanguage[language]).forEach(function (key) { table[key] = byLanguage[language][key]; });
    });
  }

  // The agent's language, then English; a key nobody registered shows as itself.
  function t(key, params) {
    var text = tables[lang()][key];
    if (text === undefined) text = tables.en[key];
    if (text === undefined) text = key;
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole;
    });
  }

  // What a translator has left to do: per language, the keys registered in
  // some language but not in it, and the page's data-i18n keys nobody registered.
  function untranslated() {
    var all = {};
    LANGUAGES.forEach(function (language) { Object.keys(tables[language]).forEach(function (key) { all[key] = true; }); });
    document.querySelectorAll("[data-i18n],[data-i18n-placeholder],[data-i18n-title],[data-i18n-label]").forEach(function (node) {
      ["data-i18n", "data-i18n-placeholder", "data-i18n-title", "data-i18n-label"].forEach(function (name) {
        if (node.hasAttribute(name)) all[node.getAttribute(name)] = true;
      });
    });
    var missing = {};
    LANGUAGES.forEach(function (language) {
      var keys = Object.keys(all).filter(function (key) { return tables[language][key] === undefined; });
      if (keys.length) missing[language] = keys;
    });
    return missing;
  }

  function locale() { return LOCALES[lang()]; }

  function date(seconds) {
    return new Date(seconds * 1000).toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" });
  }

  function unit(value, name) {
    return new Intl.NumberFormat(locale(), { style: "unit", unit: name, unitDisplay: "short" }).format(value);
  }

  // "45 s", "3 min 20 s", "2 h 5 min", in the agent's locale.
  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return unit(seconds, "second");
    if (seconds < 3600) return unit(Math.floor(seconds / 60), "minute") + " " + unit(seconds % 60, "second");
    if (seconds < 86400) return unit(Math.floor(seconds / 3600), "hour") + " " + unit(Math.floor(seconds % 3600 / 60), "minute");
    return unit(Math.floor(seconds / 86400), "day") + " " + unit(Math.floor(seconds % 86400 / 3600), "hour");
  }

  function number(value, options) { return new Intl.NumberFormat(locale(), options).format(value); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function on(event, handler) { (handlers[event] = handlers[event] || []).push(handler); }

  function emit(event) {
    var args = Array.prototype.slice.call(arguments, 1);
    (handlers[event] || []).forEach(function (handler) {
      try { handler.apply(null, args); } catch (error) { setTimeout(function () { throw error; }); }
    });
  }

  // The server's error codes, in the agent's language; its English message otherwise.
  function failure(data, status) {
    var key = "error." + (data && data.error);
    var known = data && data.error && t(key) !== key;
    var error = new Error(known ? t(key) : (data && data.message) || ("HTTP " + status));
    error.code = data && data.error;
    error.status = status;
    return error;
  }

  function api(method, path, body) {
    var options = { method: method, headers: { "Authorization": "Bearer " + (auth && auth.token) } };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        if (reply.status === 401) { signOut(); throw new Error(t("session.ended")); }
        if (!reply.ok) throw failure(data, reply.status);
        return data;
      });
    });
  }

  // Elements carrying data-i18n (text), data-i18n-placeholder, data-i18n-title, data-i18n-label (aria-label).
  function translate(root) {
    root = root || document;
    root.querySelectorAll("[data-i18n]").forEach(function (node) { node.textContent = t(node.getAttribute("data-i18n")); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach(function (node) { node.placeholder = t(node.getAttribute("data-i18n-placeholder")); });
    root.querySelectorAll("[data-i18n-title]").forEach(function (node) { node.title = t(node.getAttribute("data-i18n-title")); });
    root.querySelectorAll("[data-i18n-label]").forEach(function (node) { node.setAttribute("aria-label", t(node.getAttribute("data-i18n-label"))); });
    if (root === document) {
      document.documentElement.lang = locale();
      var title = document.body.getAttribute("data-i18n-page");
      if (title) document.title = t(title);
    }
  }

  function reason(code) { var key = "reason." + code; return t(key) === key ? String(code || "").replace(/_/g, " ") : t(key); }
  function mood(code) { return code ? t("mood." + code) : t("mood.unknown"); }
  function status(code) { var key = "status." + code; return t(key) === key ? code : t(key); }
  // The queues of the sample configuration have names in every language; others show as configured.
  function queueName(code) { var key = "queue.name." + code; return t(key) === key ? code : t(key); }
  function languageName(code) { var key = "language." + code; return t(key) === key ? code : t(key); }
  // The customer's language as the console's languages name it: "vi", "zh-Hant".
  function customerLang(detail) {
    if (!detail) return null;
    if (detail.language === "zh") return detail.script === "Hant" ? "zh-Hant" : "zh-Hans";
    return detail.language;
  }
  function customerLanguageName(detail) {
    return languageName(customerLang(detail) || "");
  }

  // --- signing in (both pages) ---------------------------------------------------

  function main() { return document.querySelector("main"); }

  function showSignIn() {
    $("sign-in").hidden = false;
    $("nav").hidden = true;
    $("who").hidden = true;
    main().hidden = true;
    $("name").focus();
  }

  function signOut() {
    auth = null;
    sessionStorage.removeItem(TOKEN_KEY);
    emit("signout");
    showSignIn();
  }

  function start() {
    $("sign-in").hidden = true;
    $("nav").hidden = false;
    $("who").hidden = false;
    $("who").textContent = auth.agent;
    $("console-language").value = lang();
    translate();
    main().hidden = false;
    emit("start");
  }

  function chooseLanguage(language) {
    localStorage.setItem(LANGUAGE_KEY, language);
    if (auth) {
      auth.language = language;
      sessionStorage.setItem(TOKEN_KEY, JSON.stringify(auth));
      api("POST", "/api/agent/settings", { language: language }).catch(function () {});  // kept for the next sign-in
    }
    translate();
    emit("language", language);
  }

  function languageMenu() {
    var select = $("console-language");
    LANGUAGES.forEach(function (language) {
      var option = el("option", tables[language]["language.self"] || language);
      option.value = language;
      option.lang = LOCALES[language];
      select.appendChild(option);
    });
    select.value = lang();
    select.addEventListener("change", function () { chooseLanguage(select.value); });
  }

  function boot() {
    languageMenu();
    translate();
    $("sign-in").addEventListener("submit", function (event) {
      event.preventDefault();
      $("sign-in-error").textContent = "";
      fetch("/api/agent/login", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: $("name").value, password: $("password").value })
      }).then(function (reply) {
        return reply.json().then(function (data) {
          if (!reply.ok) throw failure(data, reply.status);
          auth = data;
          sessionStorage.setItem(TOKEN_KEY, JSON.stringify(data));
          localStorage.setItem(LANGUAGE_KEY, data.language);
          $("password").value = "";
          start();
        });
      }).catch(function (error) { $("sign-in-error").textContent = error.message || t("signin.failed"); });
    });
    $("sign-out").addEventListener("click", function () {
      // End the session on the server too, so the token cannot be used again.
      if (auth) fetch("/api/agent/logout", { method: "POST", headers: { "Authorization": "Bearer " + auth.token } }).catch(function () {});
      signOut();
    });
    if (auth && auth.expires_at > Date.now() / 1000) start(); else showSignIn();
  }

  window.Desk = {
    $: $, el: el, api: api, t: t, strings: strings, translate: translate, on: on, emit: emit,
    lang: lang, locale: locale, untranslated: untranslated, languages: LANGUAGES, date: date, duration: duration, number: number,
    reason: reason, mood: mood, status: status, languageName: languageName, queueName: queueName,
    customerLang: customerLang, customerLanguageName: customerLanguageName,
    auth: function () { return auth; },
    signOut: signOut,
    current: function () { return current; },
    setCurrent: function (detail) { current = detail; },
    refresh: function () { emit("refresh"); }
  };
  // Classic scripts at the end of <body> all run before DOMContentLoaded: every
  // part has registered its strings and handlers by then.
  document.addEventListener("DOMContentLoaded", boot);
})();
