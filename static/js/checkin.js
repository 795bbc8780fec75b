/* 受付 (door check-in) page: camera scan (jsQR), typed 受付番号, as-you-type search, undo,
 * and an offline queue: scans made without a connection are kept in localStorage, each with
 * its client_ref (a UUID), shown as waiting, and sent when the network returns. The server
 * records each client_ref once, so a scan sent twice is counted once.
 * The words shown come from the server (rendered panels) or from <template>s of the page. */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root) { return; }

  var eventId = root.getAttribute("data-event-id");
  var sessionId = root.getAttribute("data-session-id");
  var scanUrl = root.getAttribute("data-scan-url");
  var undoUrl = root.getAttribute("data-undo-url");
  var searchUrl = root.getAttribute("data-search-url");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var panel = document.getElementById("result");
  var pending = document.getElementById("pending");
  var pendingCount = document.getElementById("pending-count");
  var sentLog = document.getElementById("sent-log");
  var queueKey = "tsudoi.checkin.queue." + eventId;

  function templateHtml(id) {
    var t = document.getElementById(id);
    return t ? t.innerHTML : "";
  }

  function show(html) {
    panel.innerHTML = html;
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- the queue ------------------------------------------------------------------------

  function loadQueue() {
    try {
      var q = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) { return []; }
  }

  function saveQueue(q) {
    window.localStorage.setItem(queueKey, JSON.stringify(q));
    showPending();
  }

  function showPending() {
    var n = loadQueue().length;
    pendingCount.textContent = String(n);
    pending.hidden = n === 0;
  }

  function enqueue(item) {
    var q = loadQueue();
    q.push(item);
    saveQueue(q);
    show(templateHtml("offline-template"));
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    });
  }

  var NETWORK = "network";

  /* Send one scan. Resolves to the server's JSON answer; NETWORK when it did not get through;
   * null for an answer that is not ours (e.g. a sign-in page). A queued scan stays queued
   * until it gets an answer. */
  function send(item) {
    return postJson(scanUrl, item).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { return null; }
      return resp.json();
    }, function () { return NETWORK; });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return; }
    var q = loadQueue();
    if (!q.length) { return; }
    flushing = true;
    var item = q[0];
    send(item).then(function (data) {
      if (data === null || data === NETWORK) { flushing = false; return; }
      var rest = loadQueue().filter(function (x) { return x.client_ref !== item.client_ref; });
      saveQueue(rest);
      logSent(data);
      if (data.html) { show(data.html); }
      flushing = false;
      flush();
    }, function () { flushing = false; });
  }

  function logSent(data) {
    var li = document.createElement("li");
    li.textContent = data.summary || data.result || "";
    li.setAttribute("data-result", data.result || "");
    sentLog.appendChild(li);
    sentLog.hidden = false;
  }

  // --- checking in ------------------------------------------------------------------------

  function checkIn(code) {
    code = (code || "").trim();
    if (!code) { return Promise.resolve(); }
    var item = {code: code, session_id: Number(sessionId), client_ref: uuid()};
    if (!navigator.onLine) { enqueue(item); return Promise.resolve(); }
    return send(item).then(function (data) {
      if (data === NETWORK) { enqueue(item); return; }
      if (data === null) { show(templateHtml("error-template")); return; }
      show(data.html || "");
      refreshSearch();
    });
  }

  document.getElementById("code-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = document.getElementById("code");
    var code = input.value;
    input.value = "";
    checkIn(code);
    input.focus();
  });

  panel.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("undo-form")) { return; }
    e.preventDefault();
    var body = {registration_id: Number(form.elements.registration_id.value),
                session_id: Number(form.elements.session_id.value)};
    postJson(undoUrl, body).then(function (resp) { return resp.json(); }).then(function (data) {
      show(data.html || "");
      refreshSearch();
    }, function () { show(templateHtml("error-template")); });
  });

  // --- search -------------------------------------------------------------------------------

  var searchInput = document.getElementById("q");
  var hits = document.getElementById("hits");
  var searchSeq = 0;
  var searchTimer = null;

  function refreshSearch() {
    var q = searchInput.value.trim();
    var seq = ++searchSeq;
    if (!q) { hits.innerHTML = ""; return; }
    var url = new URL(searchUrl, window.location.href);
    url.searchParams.set("session_id", sessionId);
    url.searchParams.set("q", q);
    fetch(url.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.json(); })
      .then(function (data) { if (seq === searchSeq) { hits.innerHTML = data.html; } }, function () {});
  }

  searchInput.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(refreshSearch, 150);
  });
  document.getElementById("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    refreshSearch();
  });
  hits.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("hit-form")) { return; }
    e.preventDefault();
    checkIn(form.elements.code.value);
  });

  // --- camera -------------------------------------------------------------------------------

  var scanSection = document.getElementById("scan-section");
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var message = document.getElementById("camera-message");
  var stream = null;
  var lastCode = "";
  var lastAt = 0;  // when lastCode was last seen
  var scanning = false;

  scanSection.hidden = false;

  function cameraRefused() {
    message.textContent = templateHtml("camera-refused-template").trim();
    startButton.hidden = true;
    document.getElementById("code").focus();
  }

  function tick() {
    if (!scanning) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      var scale = Math.min(1, 640 / video.videoWidth);
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      canvas.width = w; canvas.height = h;
      var ctx = canvas.getContext("2d", {willReadFrequently: true});
      ctx.drawImage(video, 0, 0, w, h);
      var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, {inversionAttempts: "dontInvert"});
      var now = Date.now();
      if (found && found.data) {
        // One scan per 受付票 shown: the same code again only after it was out of view for 3 s
        // (a camera sees it in many frames; the answer must stay 受付完了, not turn 受付済み).
        if (found.data !== lastCode || now - lastAt > 3000) {
          lastCode = found.data;
          checkIn(found.data);
        }
        lastAt = now;
      }
    }
    window.setTimeout(tick, 150);
  }

  function stopCamera() {
    scanning = false;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  startButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      cameraRefused();
      return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      message.textContent = "";
      var played = video.play();
      if (played && played.catch) { played.catch(function () {}); }
      scanning = true;
      tick();
    }, cameraRefused);
  });
  stopButton.addEventListener("click", stopCamera);

  // --- start --------------------------------------------------------------------------------

  showPending();
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  flush();
}());
