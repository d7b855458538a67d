/*
 * framewatch dashboard: live alerts and verdict changes from Server-Sent Events
 * (GET /v1/events), recent verdicts (GET /v1/videos), recent alerts (GET /v1/alerts), an upload
 * form (POST /v1/videos), and the selected video's chart and tables (GET /v1/videos/{id}, drawn
 * by video.js). Text from the API is only ever set as textContent. When the API asks for a key
 * (401), the page shows a key field; POST /v1/session turns the key into an HttpOnly cookie, which
 * the EventSource (it cannot send headers) and every fetch then carry. DELETE /v1/session logs
 * out.
 */
(function () {
  'use strict';

  const MAX_ROWS = 100;
  const MAX_ALERTS = 200;
  const verdicts = new Map(); // videoId -> verdict JSON
  const alertKeys = new Set(); // alertId/sequence already listed
  let selected = null;
  let refresh = null;

  const $ = (id) => document.getElementById(id);

  /** GETs JSON; a 503 (the API's view still loading) is retried after a second, 30 times. */
  function getJson(path, tries = 30) {
    return fetch(path).then((r) => {
      if (r.status === 503 && tries > 1) {
        return new Promise((ok) => setTimeout(ok, 1000)).then(() => getJson(path, tries - 1));
      }
      return r.json().then((body) => {
        if (!r.ok) throw new Error(body.error || 'HTTP ' + r.status);
        return body;
      });
    });
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  /** Keeps the newest state of each video; a row added on upload gives way to the API's. */
  function upsert(v) {
    const old = verdicts.get(v.videoId);
    if (old && !old.provisional && (old.updatedMs || 0) > (v.updatedMs || 0)) return;
    verdicts.set(v.videoId, v);
    renderVerdicts();
  }

  function renderVerdicts() {
    const rows = [...verdicts.values()].sort((a, b) => (b.updatedMs || 0) - (a.updatedMs || 0));
    const body = $('verdicts').tBodies[0];
    body.textContent = '';
    rows.slice(0, MAX_ROWS).forEach((v) => {
      const tr = document.createElement('tr');
      tr.dataset.videoId = v.videoId;
      if (v.videoId === selected) tr.className = 'selected';
      cell(tr, FramewatchVideo.time(v.updatedMs));
      cell(tr, v.fileName || v.videoId, 'file');
      cell(tr, v.status, 'status status-' + v.status);
      cell(tr, FramewatchVideo.num(v.decisionScore, 3), 'score');
      cell(tr, v.alertOpen ? 'open' : (v.alertsRaised ? String(v.alertsRaised) : ''),
        v.alertOpen ? 'alert alert-open' : 'alert');
      tr.addEventListener('click', () => select(v.videoId));
      body.appendChild(tr);
    });
  }

  function addAlert(a) {
    const key = a.alertId + '/' + a.sequence;
    if (alertKeys.has(key)) return;
    alertKeys.add(key);
    const li = document.createElement('li');
    li.className = 'transition-' + a.transition;
    li.dataset.alertId = a.alertId;
    li.dataset.videoId = a.videoId;
    li.dataset.transition = a.transition;
    li.textContent = FramewatchVideo.time(a.atMs) + ' ' + a.transition + ' ' + a.alertId
      + ' score ' + FramewatchVideo.num(a.score, 3);
    const reason = document.createElement('span');
    reason.className = 'reason';
    reason.textContent = a.reason;
    li.appendChild(reason);
    li.dataset.atMs = a.atMs;
    li.addEventListener('click', () => select(a.videoId));
    // newest first, also when the listing arrives after the first live events
    const list = $('alerts');
    const next = [...list.children].find((c) => Number(c.dataset.atMs) <= Number(a.atMs));
    list.insertBefore(li, next || null);
    while (list.children.length > MAX_ALERTS) list.removeChild(list.lastChild);
  }

  function select(videoId) {
    selected = videoId;
    renderVerdicts();
    loadDetail();
  }

  function loadDetail() {
    const id = selected;
    getJson('/v1/videos/' + encodeURIComponent(id)).then((v) => {
      if (id === selected) FramewatchVideo.render($('video'), v);
    }).catch((e) => {
      if (id === selected) $('video').textContent = 'Cannot load ' + id + ': ' + e.message;
    });
  }

  /** At most one detail reload a second, however many events arrive for the selected video. */
  function scheduleDetail() {
    if (refresh === null) {
      refresh = setTimeout(() => {
        refresh = null;
        loadDetail();
      }, 1000);
    }
  }

  function connect(again) {
    const status = $('connection');
    // EventSource reconnects by itself and sends Last-Event-ID, so the API replays what we missed.
    const events = new EventSource('/v1/events');
    events.onopen = () => {
      status.textContent = 'live';
      status.className = 'connection live';
      if (again) load(); // a new stream has no Last-Event-ID: catch up from the listings
      again = false;
    };
    events.onerror = () => {
      status.textContent = 'reconnecting…';
      status.className = 'connection down';
      // EventSource gives up on an HTTP error (503 while the API's view loads): start again
      if (events.readyState === EventSource.CLOSED) setTimeout(() => connect(true), 2000);
    };
    events.addEventListener('verdict', (e) => {
      const v = JSON.parse(e.data);
      upsert(v);
      if (v.videoId === selected) scheduleDetail();
    });
    events.addEventListener('alert', (e) => {
      const a = JSON.parse(e.data);
      addAlert(a);
      if (a.videoId === selected) scheduleDetail();
    });
  }

  function upload(e) {
    e.preventDefault();
    const input = $('upload-file');
    const out = $('upload-status');
    if (!input.files.length) {
      out.textContent = 'choose a video file first';
      return;
    }
    const form = new FormData();
    form.append('file', input.files[0]);
    out.textContent = 'uploading…';
    fetch('/v1/videos', {method: 'POST', body: form}).then((r) => r.json().then((body) => {
      if (r.status !== 202) throw new Error(body.error || 'HTTP ' + r.status);
      out.textContent = 'queued ' + body.fileName + ' as ' + body.videoId;
      out.dataset.videoId = body.videoId;
      upsert({videoId: body.videoId, fileName: body.fileName, status: body.status,
        updatedMs: Date.now(), provisional: true});
      select(body.videoId);
    })).catch((err) => {
      out.textContent = 'upload failed: ' + err.message;
    });
  }

  /** The recent verdicts and alerts; events already shown are merged, not repeated. */
  function load() {
    getJson('/v1/videos?limit=50').then((r) => {
      $('verdicts').deleteCaption();
      r.videos.forEach(upsert);
    }).catch((e) => {
      $('verdicts').createCaption().textContent = 'cannot list videos: ' + e.message;
    });
    getJson('/v1/alerts?limit=50').then((r) => {
      $('alerts-error').textContent = '';
      r.alerts.forEach(addAlert);
    }).catch((e) => { $('alerts-error').textContent = 'cannot list alerts: ' + e.message; });
  }

  /** Shows the key field; resolves once the API took the key and set the session cookie. */
  function login() {
    const form = $('login');
    const out = $('login-status');
    form.hidden = false;
    $('logout').hidden = true;
    $('connection').textContent = 'log in with an API key';
    $('login-key').focus();
    return new Promise((done) => {
      form.onsubmit = (e) => {
        e.preventDefault();
        fetch('/v1/session', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({key: $('login-key').value.trim()})})
          .then((r) => r.json().then((body) => {
            if (!r.ok) throw new Error(body.error || 'HTTP ' + r.status);
            form.hidden = true;
            $('logout').hidden = false;
            $('login-key').value = '';
            out.textContent = '';
            done(body);
          })).catch((err) => { out.textContent = 'login failed: ' + err.message; });
      };
    });
  }

  /** Asks for a key if the API wants one, then follows the events and loads the listings. */
  function start() {
    fetch('/v1/videos?limit=1').then((r) => {
      if (r.status === 401) return login().then(start);
      connect(false);
      load();
    });
  }

  $('upload').addEventListener('submit', upload);
  $('logout').addEventListener('click', () => {
    fetch('/v1/session', {method: 'DELETE'}).then(() => window.location.reload());
  });
  start();
})();
