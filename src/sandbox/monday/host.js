// Host side of the monday SDK's postMessage protocol, as monday-sdk-js 0.5.9
// (src/client.js) expects it:
// - The view posts {method, args, requestId, clientId, version} to its parent.
// - The SDK hands each incoming message to every callback registered under
//   the message's `method`, its `type` or its `requestId`. A reply carries
//   all three, so a get('context') reply also reaches listen('context')
//   callbacks.
// - A reply with an `errorMessage` field rejects the caller's promise.
// - listen callbacks are registered under the type, so pushes are {type, data}.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("sandbox-config").textContent);
  const frame = document.getElementById("board-view");
  const appOrigin = new URL(config.appUrl).origin;

  // Every SDK message received from the view, as posted. Tests read these.
  window.sandboxMessages = [];
  // Every message sent to the view: replies and listen pushes.
  window.sandboxReplies = [];

  const state = readInitialState(new URLSearchParams(window.location.search));
  // Types the current view document listens to. A reload starts a new
  // document, which subscribes again.
  let subscriptions = new Set();
  let viewOrigin = appOrigin;

  // ---- Initial state from the query string ------------------------------

  function findAccount(id) {
    return config.accounts.find((account) => account.id === String(id));
  }

  function findUser(account, id) {
    return account.users.find((user) => user.id === String(id));
  }

  function readInitialState(params) {
    const account = findAccount(params.get("account")) || config.accounts[0];
    const user = findUser(account, params.get("user")) || account.users[0];
    const theme = config.themes.includes(params.get("theme")) ? params.get("theme") : "light";
    const width = parseWidth(params.get("width")) || "900";
    const tokenInUrl = params.get("tokenInUrl") !== "0";
    let settings = {};
    const settingsText = params.get("settings");
    if (settingsText) {
      try {
        const parsed = JSON.parse(settingsText);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
          settings = parsed;
        }
      } catch (error) {
        console.warn("sandbox host: the settings query parameter is not valid JSON", error);
      }
    }
    return { accountId: account.id, userId: user.id, theme, width, tokenInUrl, settings };
  }

  // Returns "full", or a whole number of pixels as a string, or null.
  function parseWidth(text) {
    if (text === "full") {
      return "full";
    }
    if (/^[0-9]{2,5}$/.test(text || "")) {
      return text;
    }
    return null;
  }

  function currentAccount() {
    return findAccount(state.accountId);
  }

  function currentUser() {
    return findUser(currentAccount(), state.userId);
  }

  function writeStateToUrl() {
    const params = new URLSearchParams();
    params.set("account", state.accountId);
    params.set("user", state.userId);
    params.set("theme", state.theme);
    params.set("width", state.width);
    if (!state.tokenInUrl) {
      params.set("tokenInUrl", "0");
    }
    if (Object.keys(state.settings).length > 0) {
      params.set("settings", JSON.stringify(state.settings));
    }
    window.history.replaceState(null, "", "?" + params.toString());
  }

  // ---- Data the SDK can get or listen to --------------------------------

  function currentContext() {
    const context = JSON.parse(JSON.stringify(currentUser().context));
    context.theme = state.theme;
    return context;
  }

  // Returns the data for a get or listen type, or undefined for a type the
  // host does not serve.
  function dataFor(type) {
    switch (type) {
      case "context":
        return currentContext();
      case "settings":
        return state.settings;
      case "itemIds":
        return currentAccount().itemIds;
      case "filter":
        return config.filter;
      case "location":
        return { href: window.location.href, search: window.location.search };
      default:
        return undefined;
    }
  }

  async function fetchSessionToken() {
    const url = "/monday/session-token?account=" + encodeURIComponent(state.accountId) +
      "&user=" + encodeURIComponent(state.userId);
    const response = await fetch(url, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) {
      throw new Error(body.error || "The session token request failed with status " + response.status + ".");
    }
    return body.token;
  }

  // ---- Sending to the view ----------------------------------------------

  function postToView(message, origin) {
    if (!frame.contentWindow) {
      return;
    }
    window.sandboxReplies.push(message);
    logMessage("outgoing", message);
    // A sandboxed or opaque-origin document reports "null", which
    // postMessage does not take as a target origin.
    const targetOrigin = origin && origin !== "null" ? origin : "*";
    frame.contentWindow.postMessage(message, targetOrigin);
  }

  function reply(request, origin, data) {
    const args = request.args || {};
    postToView({ method: request.method, type: args.type, data: data, requestId: request.requestId }, origin);
  }

  function replyError(request, origin, errorMessage) {
    const args = request.args || {};
    postToView(
      { method: request.method, type: args.type, data: null, errorMessage: errorMessage, requestId: request.requestId },
      origin,
    );
  }

  // Sends {type, data} to the view when it listens to `type`.
  function pushEvent(type) {
    if (!subscriptions.has(type)) {
      return;
    }
    const data = dataFor(type);
    if (data !== undefined) {
      postToView({ type: type, data: data }, viewOrigin);
    }
  }

  // ---- Handling messages from the view ----------------------------------

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow) {
      return;
    }
    const message = event.data;
    if (!message || typeof message !== "object" || typeof message.method !== "string") {
      return;
    }
    window.sandboxMessages.push(message);
    logMessage("incoming", message);
    viewOrigin = event.origin;
    handleMessage(message, event.origin).catch((error) => {
      console.error("sandbox host: handling a message failed", error);
      replyError(message, event.origin, String(error && error.message ? error.message : error));
    });
  });

  async function handleMessage(message, origin) {
    const args = message.args && typeof message.args === "object" ? message.args : {};
    switch (message.method) {
      case "get":
        return handleGet(message, args, origin);
      case "listen":
        return handleListen(message, args, origin);
      case "set":
        return handleSet(message, args, origin);
      case "execute":
        return handleExecute(message, args, origin);
      default:
        return replyError(message, origin, 'The sandbox host does not support the SDK method "' + message.method + '".');
    }
  }

  async function handleGet(message, args, origin) {
    if (args.type === "sessionToken") {
      const token = await fetchSessionToken();
      return reply(message, origin, token);
    }
    const data = dataFor(args.type);
    if (data === undefined) {
      return replyError(message, origin, 'The sandbox host does not support get("' + args.type + '").');
    }
    return reply(message, origin, data);
  }

  function handleListen(message, args, origin) {
    if (typeof args.type !== "string") {
      return replyError(message, origin, "listen requires a type name.");
    }
    subscriptions.add(args.type);
    // The acknowledgement leaves out `type`, so that it settles the SDK's
    // internal promise without reaching the listen callback. The callback
    // gets the push that follows.
    postToView({ method: "listen", data: { success: true }, requestId: message.requestId }, origin);
    pushEvent(args.type);
  }

  function handleSet(message, args, origin) {
    if (args.type !== "settings") {
      return replyError(message, origin, 'The sandbox host does not support set("' + args.type + '").');
    }
    const params = args.params;
    if (!params || typeof params !== "object" || Array.isArray(params)) {
      return replyError(message, origin, "set('settings') needs an object of settings.");
    }
    state.settings = Object.assign({}, state.settings, params);
    showSettings();
    writeStateToUrl();
    // Like the listen acknowledgement, this reply leaves out `type`: with it,
    // the SDK would hand {success: true} to listen('settings') callbacks.
    postToView({ method: "set", data: { success: true }, requestId: message.requestId }, origin);
    pushEvent("settings");
  }

  function handleExecute(message, args, origin) {
    const params = args.params && typeof args.params === "object" ? args.params : {};
    switch (args.type) {
      case "openLinkInTab": {
        let url;
        try {
          url = new URL(params.url);
        } catch (error) {
          return replyError(message, origin, "openLinkInTab needs an absolute http(s) url.");
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") {
          return replyError(message, origin, "openLinkInTab needs an absolute http(s) url.");
        }
        window.open(url.href, "_blank", "noopener");
        return reply(message, origin, {});
      }
      case "notice":
        showToast(String(params.message || ""), params.type, params.timeout);
        return reply(message, origin, {});
      case "confirm": {
        const text = String(params.message || "");
        let confirmed;
        if (params.excludeCancelButton) {
          window.alert(text);
          confirmed = true;
        } else {
          confirmed = window.confirm(text);
        }
        return reply(message, origin, { confirm: confirmed });
      }
      case "valueCreatedForUser":
      case "track":
      case "reportTime":
        return reply(message, origin, {});
      default:
        return replyError(message, origin, 'The sandbox host does not support execute("' + args.type + '").');
    }
  }

  // ---- Page controls ----------------------------------------------------

  const accountSelect = document.getElementById("account-select");
  const userSelect = document.getElementById("user-select");
  const themeSelect = document.getElementById("theme-select");
  const widthSelect = document.getElementById("width-select");
  const tokenInUrlBox = document.getElementById("token-in-url");
  const settingsInput = document.getElementById("settings-input");
  const settingsStatus = document.getElementById("settings-status");

  function fillSelect(select, options, selected) {
    select.replaceChildren();
    for (const option of options) {
      const element = document.createElement("option");
      element.value = option.value;
      element.textContent = option.label;
      element.selected = option.value === selected;
      select.appendChild(element);
    }
  }

  function showAccountAndUser() {
    const account = currentAccount();
    const user = currentUser();
    fillSelect(accountSelect, config.accounts.map((a) => ({ value: a.id, label: a.name + " (" + a.id + ")" })), account.id);
    fillSelect(userSelect, account.users.map((u) => ({ value: u.id, label: u.name + " (" + u.kind + ")" })), user.id);
    document.getElementById("account-label").textContent = account.name;
    document.getElementById("user-label").textContent = user.name + " · " + user.kind;
    document.getElementById("board-name").textContent = account.boardName;
  }

  function showSettings() {
    settingsInput.value = JSON.stringify(state.settings, null, 2);
  }

  function applyTheme() {
    document.body.dataset.theme = state.theme;
    themeSelect.value = state.theme;
  }

  function applyWidth() {
    const known = Array.from(widthSelect.options).some((option) => option.value === state.width);
    if (!known) {
      const option = document.createElement("option");
      option.value = state.width;
      option.textContent = state.width + " px";
      widthSelect.appendChild(option);
    }
    widthSelect.value = state.width;
    frame.style.width = state.width === "full" ? "100%" : state.width + "px";
  }

  async function loadView() {
    subscriptions = new Set();
    let src = config.appUrl + "/view";
    if (state.tokenInUrl) {
      try {
        src += "?sessionToken=" + encodeURIComponent(await fetchSessionToken());
      } catch (error) {
        showToast("Minting a session token failed: " + error.message, "error");
        return;
      }
    }
    frame.src = src;
  }

  accountSelect.addEventListener("change", () => {
    state.accountId = accountSelect.value;
    state.userId = currentAccount().users[0].id;
    showAccountAndUser();
    writeStateToUrl();
    loadView();
  });

  userSelect.addEventListener("change", () => {
    state.userId = userSelect.value;
    showAccountAndUser();
    writeStateToUrl();
    loadView();
  });

  themeSelect.addEventListener("change", () => setTheme(themeSelect.value));
  widthSelect.addEventListener("change", () => setWidth(widthSelect.value));

  tokenInUrlBox.addEventListener("change", () => {
    state.tokenInUrl = tokenInUrlBox.checked;
    writeStateToUrl();
    loadView();
  });

  document.getElementById("reload-button").addEventListener("click", () => loadView());

  document.getElementById("settings-apply").addEventListener("click", () => {
    try {
      setSettings(JSON.parse(settingsInput.value));
      settingsStatus.textContent = "Settings sent.";
    } catch (error) {
      settingsStatus.textContent = "Not applied: " + error.message;
    }
  });

  function setTheme(theme) {
    if (!config.themes.includes(theme)) {
      throw new Error("The theme '" + theme + "' is unknown. Use one of: " + config.themes.join(", ") + ".");
    }
    state.theme = theme;
    applyTheme();
    writeStateToUrl();
    pushEvent("context");
  }

  function setWidth(width) {
    const parsed = parseWidth(String(width));
    if (!parsed) {
      throw new Error("The width '" + width + "' is invalid. Use 'full' or a number of pixels.");
    }
    state.width = parsed;
    applyWidth();
    writeStateToUrl();
  }

  function setSettings(settings) {
    if (!settings || typeof settings !== "object" || Array.isArray(settings)) {
      throw new Error("Settings must be a JSON object.");
    }
    state.settings = settings;
    showSettings();
    writeStateToUrl();
    pushEvent("settings");
  }

  // ---- ActivTrak stand-in controls --------------------------------------

  const faultStatus = document.getElementById("fault-status");

  async function postControl(path, body) {
    const response = await fetch(config.activtrakControlPath + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = await response.json();
    if (!response.ok) {
      throw new Error((result.messages || []).join(" ") || "status " + response.status);
    }
    return result;
  }

  function showStandInStatus(status) {
    document.getElementById("fault-mode").value = status.fault.mode;
    document.getElementById("groups-format").value = status.groups_format;
    faultStatus.textContent = "ActivTrak: " + status.fault.mode + ", groups as " + status.groups_format +
      ", " + status.request_count + " requests so far.";
  }

  document.getElementById("fault-apply").addEventListener("click", async () => {
    const fault = { mode: document.getElementById("fault-mode").value };
    if (fault.mode === "slow") {
      fault.delay_ms = Number(document.getElementById("fault-delay").value);
    }
    if (fault.mode === "rate_limited") {
      fault.retry_after_secs = Number(document.getElementById("fault-retry").value);
    }
    try {
      await postControl("/fault", fault);
      const status = await postControl("/groups-format", { format: document.getElementById("groups-format").value });
      showStandInStatus(status);
    } catch (error) {
      faultStatus.textContent = "Not applied: " + error.message;
    }
  });

  document.getElementById("activtrak-reset").addEventListener("click", async () => {
    try {
      showStandInStatus(await postControl("/reset", {}));
    } catch (error) {
      faultStatus.textContent = "Reset failed: " + error.message;
    }
  });

  fetch(config.activtrakControlPath + "/fault")
    .then((response) => response.json())
    .then(showStandInStatus)
    .catch(() => {
      faultStatus.textContent = "The ActivTrak stand-in controls did not answer.";
    });

  // ---- monday stand-in controls -----------------------------------------

  const oauthModeSelect = document.getElementById("oauth-mode");
  const oauthModeStatus = document.getElementById("oauth-mode-status");
  const lifecycleResult = document.getElementById("lifecycle-result");

  // Calls a /monday/_sandbox endpoint and returns {status, body}. A body
  // that is not JSON is returned as text.
  async function mondayControl(path, method, body) {
    const options = { method: method, cache: "no-store" };
    if (body !== undefined) {
      options.headers = { "content-type": "application/json" };
      options.body = JSON.stringify(body);
    }
    const response = await fetch(config.mondayControlPath + path, options);
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch (error) {
      return { status: response.status, body: text };
    }
  }

  async function setOAuthMode(mode) {
    const result = await mondayControl("/oauth-mode", "POST", { mode: mode });
    if (result.status !== 200) {
      throw new Error(result.body.error || "status " + result.status);
    }
    oauthModeSelect.value = result.body.mode;
    oauthModeStatus.textContent = "monday OAuth mode: " + result.body.mode + ".";
    return result.body.mode;
  }

  // Sends a lifecycle event as the current account and user. `options` may
  // set bearer (default true) and bodyAccount. Returns {status, body}, where
  // body is {sent, status, response} or {error, ...}.
  async function sendLifecycleEvent(type, options) {
    const settings = options || {};
    const request = {
      type: type,
      account: state.accountId,
      user: state.userId,
      bearer: settings.bearer !== false,
    };
    if (settings.bodyAccount !== undefined && settings.bodyAccount !== null && settings.bodyAccount !== "") {
      request.body_account = String(settings.bodyAccount);
    }
    return mondayControl("/lifecycle", "POST", request);
  }

  fillSelect(oauthModeSelect, config.oauthModes.map((mode) => ({ value: mode, label: mode })), "normal");
  fillSelect(
    document.getElementById("lifecycle-type"),
    config.lifecycleTypes.map((type) => ({ value: type, label: type })),
    "install",
  );

  oauthModeSelect.addEventListener("change", async () => {
    try {
      await setOAuthMode(oauthModeSelect.value);
    } catch (error) {
      oauthModeStatus.textContent = "Not applied: " + error.message;
    }
  });

  document.getElementById("lifecycle-send").addEventListener("click", async () => {
    const customType = document.getElementById("lifecycle-custom-type").value.trim();
    const type = customType || document.getElementById("lifecycle-type").value;
    lifecycleResult.textContent = "Sending " + type + "…";
    try {
      const result = await sendLifecycleEvent(type, {
        bearer: document.getElementById("lifecycle-bearer").checked,
        bodyAccount: document.getElementById("lifecycle-body-account").value.trim(),
      });
      const body = result.body;
      if (result.status === 200) {
        lifecycleResult.textContent = "The app responded with status " + body.status + ":\n" + body.response +
          "\n\nSent:\n" + JSON.stringify(body.sent, null, 2);
      } else {
        lifecycleResult.textContent = "Not delivered (" + result.status + "): " +
          (body && body.error ? body.error : JSON.stringify(body));
      }
    } catch (error) {
      lifecycleResult.textContent = "Sending failed: " + error.message;
    }
  });

  mondayControl("/oauth-mode", "GET")
    .then((result) => {
      oauthModeSelect.value = result.body.mode;
      oauthModeStatus.textContent = "monday OAuth mode: " + result.body.mode + ".";
    })
    .catch(() => {
      oauthModeStatus.textContent = "The monday stand-in controls did not answer.";
    });

  // ---- Toasts and the message log ---------------------------------------

  function showToast(text, kind, timeout) {
    const toast = document.createElement("div");
    toast.className = "toast " + (["success", "error", "info"].includes(kind) ? kind : "info");
    toast.setAttribute("role", "status");
    toast.textContent = text;
    document.getElementById("toasts").appendChild(toast);
    const duration = Number.isFinite(timeout) && timeout > 0 ? timeout : 5000;
    setTimeout(() => toast.remove(), duration);
  }

  const messageList = document.getElementById("message-list");
  const messageCount = document.getElementById("message-count");

  function describe(message) {
    const args = message.args || {};
    const type = args.type || message.type || "";
    const text = JSON.stringify(message);
    const preview = text.length > 300 ? text.slice(0, 300) + "…" : text;
    return (message.method || "push") + " " + type + "  " + preview;
  }

  function logMessage(direction, message) {
    const item = document.createElement("li");
    item.className = direction;
    item.textContent = (direction === "incoming" ? "← " : "→ ") + describe(message);
    messageList.appendChild(item);
    messageCount.textContent = String(window.sandboxMessages.length);
    messageList.scrollTop = messageList.scrollHeight;
  }

  // ---- Start ------------------------------------------------------------

  fillSelect(themeSelect, config.themes.map((theme) => ({ value: theme, label: theme })), state.theme);
  tokenInUrlBox.checked = state.tokenInUrl;
  showAccountAndUser();
  showSettings();
  applyTheme();
  applyWidth();
  writeStateToUrl();
  loadView();

  // A small API for browser tests and the console.
  window.sandboxHost = {
    state: () => JSON.parse(JSON.stringify(state)),
    context: currentContext,
    setTheme: setTheme,
    setWidth: setWidth,
    setSettings: setSettings,
    reloadView: loadView,
    subscriptions: () => Array.from(subscriptions),
    setOAuthMode: setOAuthMode,
    sendLifecycleEvent: sendLifecycleEvent,
  };
})();
