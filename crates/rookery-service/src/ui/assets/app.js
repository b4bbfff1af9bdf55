// rookery's browser UI: plain JavaScript, no framework. Every value that comes from the
// server or the user is put on the page with textContent or setAttribute (never parsed as
// HTML). The credential lives in sessionStorage and goes out as `Authorization: Bearer`.
'use strict';

const KEY = 'rookery.token';
const FINAL = ['successful', 'failed', 'dismissed'];
let timer = null;

function token() { return sessionStorage.getItem(KEY) || ''; }

// el('a', {href: '#/x', class: 'y'}, 'text', child, ...): an element with attributes and
// children (strings become text nodes).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'href' && !/^(#|\/|https?:)/.test(String(v))) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'checked' || k === 'selected' || k === 'value') e[k] = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs, ...kids) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of kids) e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  return e;
}

function show(...nodes) {
  const m = document.getElementById('main');
  m.replaceChildren(...[flashed(), ...nodes.flat()].filter(n => n !== null && n !== undefined && n !== false));
}

async function api(path, opts) {
  const o = opts || {};
  const headers = Object.assign({Accept: 'application/json'}, o.headers || {});
  if (token()) headers.Authorization = 'Bearer ' + token();
  const r = await fetch(path, {method: o.method || 'GET', headers, body: o.body});
  let body = null;
  const text = await r.text();
  try { body = JSON.parse(text); } catch (e) { body = {detail: text}; }
  return {status: r.status, ok: r.ok, body, headers: r.headers};
}

function problem(r) {
  const b = r.body || {};
  return 'HTTP ' + r.status + ': ' + (b.detail || b.description || b.title || '');
}

function needSignIn(r) {
  if (r.status === 401) { location.hash = '#/signin'; return true; }
  return false;
}

// ---- sign in ----------------------------------------------------------------------------

const FLOW = 'rookery.oidc';
let flash = null;
let uiConfig = null;

async function config() {
  if (uiConfig === null) {
    const r = await api('/ui/config.json');
    uiConfig = r.ok ? r.body : {oidc: null};
  }
  return uiConfig;
}

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() { return b64url(crypto.getRandomValues(new Uint8Array(32))); }

function redirectUri() { return location.origin + '/ui/'; }

// Authorization code + PKCE (RFC 7636): verifier, state and nonce stay in this tab.
async function startLogin(c) {
  const verifier = random(), state = random(), nonce = random();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const back = location.hash && location.hash !== '#/signin' ? location.hash : '#/processes';
  sessionStorage.setItem(FLOW, JSON.stringify({verifier, state, nonce, back}));
  const u = new URL(c.authorization_endpoint);
  const p = {response_type: 'code', client_id: c.client_id, redirect_uri: redirectUri(), scope: c.scope,
    state, nonce, code_challenge: b64url(new Uint8Array(digest)), code_challenge_method: 'S256'};
  if (c.resource) p.resource = c.resource;
  for (const [k, v] of Object.entries(p)) u.searchParams.set(k, v);
  location.assign(u.toString());
}

function claims(jwt) {
  try { return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { return {}; }
}

function oneLine(s) { return String(s).replace(/\s+/g, ' ').slice(0, 300); }

// The issuer's answer at /ui/?code=&state= (or ?error=): checked, exchanged, and removed from
// the address bar. Returns the view to show next; the outcome goes to `flash`.
async function finishLogin() {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return null;
  const saved = JSON.parse(sessionStorage.getItem(FLOW) || 'null');
  sessionStorage.removeItem(FLOW);
  history.replaceState(null, '', '/ui/');
  const fail = m => { flash = {error: true, text: oneLine(m)}; return '#/signin'; };
  if (!saved || q.get('state') !== saved.state) return fail('The sign-in answer was refused: its state does not match a sign-in started in this tab.');
  if (q.has('error')) return fail('The issuer refused the sign-in: ' + q.get('error') + (q.get('error_description') ? ' (' + q.get('error_description') + ')' : '') + '.');
  const c = (await config()).oidc;
  if (!c) return fail('Sign-in with an issuer is not configured on this server.');
  if (q.has('iss') && q.get('iss') !== c.issuer) return fail('The sign-in answer names another issuer (' + q.get('iss') + ').');
  const form = new URLSearchParams({grant_type: 'authorization_code', code: q.get('code'), redirect_uri: redirectUri(),
    client_id: c.client_id, code_verifier: saved.verifier});
  if (c.resource) form.set('resource', c.resource);
  let r, b;
  try {
    r = await fetch(c.token_endpoint, {method: 'POST', headers: {Accept: 'application/json'}, body: form});
    b = await r.json();
  } catch (e) {
    return fail('The token endpoint ' + c.token_endpoint + ' could not be used: ' + e.message);
  }
  if (!r.ok || !b.access_token) return fail('The issuer refused the code: ' + (b.error || 'HTTP ' + r.status) + (b.error_description ? ' (' + b.error_description + ')' : '') + '.');
  if (b.id_token && claims(b.id_token).nonce !== saved.nonce) return fail('The ID token\'s nonce does not match this sign-in.');
  sessionStorage.setItem(KEY, b.access_token);
  const sub = claims(b.access_token).sub || (b.id_token && claims(b.id_token).sub);
  flash = {error: false, text: 'Signed in' + (sub ? ' as ' + sub : '') + ' at ' + c.issuer + '.'};
  return saved.back;
}

function flashed() {
  if (!flash) return null;
  const p = el('p', {id: 'flash', role: 'status', class: flash.error ? 'error' : 'ok'}, flash.text);
  flash = null;
  return p;
}

async function viewSignIn() {
  const msg = el('p', {id: 'msg', role: 'status'});
  const input = el('input', {type: 'password', id: 'key', autocomplete: 'off', placeholder: 'API key'});
  const form = el('form', {id: 'signin', class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    const k = input.value.trim();
    if (!k) { msg.textContent = 'Enter an API key.'; return; }
    sessionStorage.setItem(KEY, k);
    const r = await api('/jobs');
    if (r.ok) {
      msg.className = 'ok';
      msg.textContent = 'Signed in.';
      header();
      location.hash = '#/processes';
    } else {
      sessionStorage.removeItem(KEY);
      msg.className = 'error';
      msg.textContent = 'The key was refused (' + problem(r) + ').';
      header();
    }
  }}, el('label', {for: 'key'}, 'API key or access token (kept in this tab only, sent as Authorization: Bearer)'), input,
  el('p', {}, el('button', {type: 'submit', id: 'signin-button'}, 'Sign in')), msg);
  const cfg = await config();
  const c = cfg.oidc;
  const oidc = c ? el('p', {}, el('button', {type: 'button', id: 'oidc-signin', onclick: () => startLogin(c)}, 'Sign in with ' + c.issuer)) :
    cfg.oidc_error ? el('p', {class: 'error', id: 'oidc-error'}, cfg.oidc_error) : null;
  show(el('h1', {}, 'Sign in'), oidc, form,
    el('p', {class: 'muted'}, 'Create a key with: rookery keys create --name NAME --scopes execute,jobs'));
}

function header() {
  const who = document.getElementById('who');
  const out = document.getElementById('signout');
  const sub = token().split('.').length === 3 ? claims(token()).sub : null;
  who.textContent = token() ? 'signed in' + (sub ? ' as ' + sub : '') : '';
  out.hidden = !token();
  if (!token()) {
    const a = el('a', {href: '#/signin', id: 'nav-signin'}, 'Sign in');
    who.replaceChildren(a);
  }
}

// ---- processes ------------------------------------------------------------------------

async function viewProcesses() {
  const r = await api('/processes');
  if (!r.ok) { show(el('p', {class: 'error'}, problem(r))); return; }
  const rows = r.body.processes.map(p => el('tr', {},
    el('td', {}, el('a', {href: '#/processes/' + encodeURIComponent(p.id), class: 'proc-link'}, p.id)),
    el('td', {}, p.title), el('td', {}, p.description)));
  show(el('h1', {}, 'Processes'),
    el('table', {id: 'processes'}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'title'), el('th', {}, 'description')), rows));
}

let datasetIds = null;
async function datasetList() {
  if (datasetIds === null) {
    const r = await api('/datasets?limit=10000');
    datasetIds = r.ok ? r.body.datasets.map(d => d.id) : [];
  }
  return datasetIds;
}

// One field per input, from the OGC process description; returns {node, get(), set(values)}.
function field(id, inp, dl) {
  const s = inp.schema || {};
  const name = 'in-' + id;
  if (id === 'area') {
    const parts = ['west', 'south', 'east', 'north'].map(w =>
      el('input', {type: 'number', step: 'any', id: name + '-' + w, placeholder: w, 'aria-label': w}));
    return {node: el('span', {class: 'bbox'}, parts), first: name + '-west',
      get: () => parts.every(p => p.value === '') ? null : parts.map(p => p.value).join(','),
      set: v => { const a = String(v).split(','); parts.forEach((p, i) => { p.value = a[i] || ''; }); }};
  }
  if (id === 'time' && s.type === 'string' && !s.enum) {
    const a = el('input', {type: 'date', id: name + '-start', 'aria-label': 'start'});
    const b = el('input', {type: 'date', id: name + '-end', 'aria-label': 'end'});
    return {node: el('span', {class: 'range'}, a, ' to ', b), first: name + '-start',
      bound: (lo, hi) => { for (const x of [a, b]) { x.min = lo || ''; x.max = hi || ''; } },
      get: () => (a.value || b.value) ? a.value + '/' + b.value : null,
      set: v => { const x = String(v).split('/'); a.value = (x[0] || '').slice(0, 10); b.value = (x[1] || '').slice(0, 10); }};
  }
  if (s.enum) {
    const sel = el('select', {id: name}, inp.minOccurs ? null : el('option', {value: ''}, '(none)'),
      s.enum.map(v => el('option', {value: v, selected: v === s.default}, v)));
    return {node: sel, get: () => sel.value === '' ? null : sel.value, set: v => { sel.value = v; }};
  }
  if (s.type === 'boolean') {
    const c = el('input', {type: 'checkbox', id: name, checked: s.default === true});
    return {node: c, get: () => c.checked, set: v => { c.checked = String(v) === 'true' || v === true; }};
  }
  if (s.type === 'integer' || s.type === 'number') {
    const n = el('input', {type: 'number', id: name, step: s.type === 'integer' ? 1 : 'any', value: s.default === undefined ? '' : String(s.default)});
    return {node: n, get: () => n.value === '' ? null : Number(n.value), set: v => { n.value = v; }};
  }
  const multi = s.oneOf !== undefined;
  const t = multi ? el('textarea', {id: name, rows: 4}) :
    el('input', {type: 'text', id: name, list: dl, value: s.default === undefined ? '' : String(s.default)});
  return {node: t, get: () => t.value.trim() === '' ? null : t.value.trim(), set: v => { t.value = v; }};
}

function calls(pid, body) {
  const url = location.origin + '/processes/' + pid + '/execution';
  const json = JSON.stringify(body);
  const curl = "curl -X POST '" + url + "' \\\n  -H 'Authorization: Bearer $ROOKERY_KEY' \\\n" +
    "  -H 'Content-Type: application/json' -H 'Prefer: respond-async' \\\n  -d '" + json.replace(/'/g, "'\\''") + "'";
  const rooki = "import os\nos.environ['ROOK_URL'] = '" + location.origin + "/wps'\nos.environ['ROOK_TOKEN'] = '...'  # your key\n" +
    "from rooki import rooki\nresp = rooki." + pid + "(" +
    Object.entries(body.inputs).map(([k, v]) => k + '=' + JSON.stringify(v)).join(', ') + ")\nprint(resp.download_urls())";
  const py = "import requests\nr = requests.post(\n    '" + url + "',\n    headers={'Authorization': 'Bearer ' + KEY, 'Prefer': 'respond-async'},\n" +
    "    json=" + json + ")\nprint(r.status_code, r.headers.get('Location'))";
  return [['curl', curl], ['rooki', rooki], ['Python (requests)', py]];
}

async function viewProcess(pid, query) {
  const r = await api('/processes/' + encodeURIComponent(pid));
  if (!r.ok) { show(el('p', {class: 'error'}, problem(r))); return; }
  const d = r.body;
  const dl = el('datalist', {id: 'dataset-ids'});
  const fields = {};
  const form = el('form', {class: 'proc card', id: 'process-form'});
  for (const [id, inp] of Object.entries(d.inputs || {})) {
    const f = field(id, inp, 'dataset-ids');
    fields[id] = f;
    form.appendChild(el('label', {for: f.first || 'in-' + id}, (inp.title || id) + ' (' + id + ')' + (inp.minOccurs ? ' *' : ''),
      el('span', {class: 'help'}, inp.description || '')));
    if (id === 'time' && f.bound) form.appendChild(el('span', {class: 'help', id: 'time-range'}));
    form.appendChild(f.node);
  }
  const msg = el('p', {id: 'msg', role: 'status'});
  const pres = {};
  const panel = el('div', {id: 'calls'}, el('h2', {}, 'The same request'));
  for (const [k] of calls(pid, {inputs: {}})) {
    pres[k] = el('pre', {id: 'call-' + k.split(' ')[0].toLowerCase()});
    panel.append(el('h3', {}, k), pres[k]);
  }
  const body = () => {
    const inputs = {};
    for (const [id, f] of Object.entries(fields)) { const v = f.get(); if (v !== null) inputs[id] = v; }
    return {inputs};
  };
  const refresh = () => { for (const [k, t] of calls(pid, body())) pres[k].textContent = t; };
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  form.append(el('p', {}, el('button', {type: 'submit', id: 'submit'}, 'Submit job')), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!token()) { location.hash = '#/signin'; return; }
    msg.className = '';
    msg.textContent = 'Submitting…';
    const s = await api('/processes/' + encodeURIComponent(pid) + '/execution', {method: 'POST',
      headers: {'Content-Type': 'application/json', Prefer: 'respond-async'}, body: JSON.stringify(body())});
    if (s.status === 201 && s.body.jobID) { location.hash = '#/jobs/' + encodeURIComponent(s.body.jobID); return; }
    msg.className = 'error';
    msg.textContent = s.ok ? 'Answered without a job: ' + JSON.stringify(s.body) : problem(s);
  });
  show(el('h1', {}, d.title || pid), el('p', {class: 'muted'}, d.description || ''),
    el('div', {class: 'cols'}, form, panel), dl);
  const rerun = query.get('rerun');
  if (rerun) {
    const j = await api('/ui/api/jobs/' + encodeURIComponent(rerun));
    if (j.ok) {
      for (const [id, vals] of Object.entries(j.body.inputs || {})) if (fields[id]) fields[id].set(vals.join(','));
      msg.textContent = 'Prefilled from job ' + rerun + ': edit and submit.';
    }
  }
  refresh();
  if (fields.collection) {
    const ids = await datasetList();
    for (const id of ids) dl.appendChild(el('option', {value: id}));
    // The time pickers keep to the chosen dataset's time range (its first and last steps).
    const t = fields.time && fields.time.bound ? fields.time : null;
    const bound = async () => {
      const id = fields.collection.get();
      const note = document.getElementById('time-range');
      if (!t || !note) return;
      if (!id || !ids.includes(id)) { t.bound(null, null); note.textContent = ''; return; }
      const d = await api('/datasets/' + encodeURIComponent(id));
      if (!d.ok || !d.body.time) { t.bound(null, null); note.textContent = ''; return; }
      t.bound(String(d.body.time.start).slice(0, 10), String(d.body.time.end).slice(0, 10));
      note.textContent = 'Dataset time range: ' + d.body.time.start + ' … ' + d.body.time.end + ' (' + d.body.time.steps + ' steps' +
        (d.body.time.calendar ? ', calendar ' + d.body.time.calendar : '') + ').';
    };
    fields.collection.node.addEventListener('change', bound);
    bound();
  }
}

// ---- jobs -----------------------------------------------------------------------------

function statusCell(s) { return el('span', {class: 'status-' + s}, s); }

async function viewJobs() {
  if (!token()) { location.hash = '#/signin'; return; }
  const r = await api('/jobs');
  if (needSignIn(r)) return;
  if (!r.ok) { show(el('p', {class: 'error'}, problem(r))); return; }
  const rows = r.body.jobs.map(j => el('tr', {},
    el('td', {}, el('a', {href: '#/jobs/' + encodeURIComponent(j.jobID), class: 'job-link'}, j.jobID)),
    el('td', {}, j.processID), el('td', {}, statusCell(j.status)),
    el('td', {}, el('progress', {max: 100, value: j.progress})), el('td', {}, j.created), el('td', {}, j.message)));
  show(el('h1', {}, 'Jobs'), el('table', {id: 'jobs'}, el('tr', {}, ['job', 'process', 'status', 'progress', 'created', 'message'].map(h => el('th', {}, h))), rows),
    r.body.jobs.length ? null : el('p', {class: 'muted', id: 'no-jobs'}, 'No jobs yet.'));
  if (r.body.jobs.some(j => !FINAL.includes(j.status))) timer = setTimeout(() => route(), 2000);
}

function seconds(ms) { return ms === null || ms === undefined ? '' : (ms / 1000).toFixed(1) + ' s'; }

async function viewJob(id) {
  if (!token()) { location.hash = '#/signin'; return; }
  const r = await api('/ui/api/jobs/' + encodeURIComponent(id));
  if (needSignIn(r)) return;
  if (!r.ok) { show(el('h1', {}, 'Job'), el('p', {class: 'error', id: 'msg'}, problem(r))); return; }
  const j = r.body;
  const msg = el('p', {id: 'msg', role: 'status'});
  const inputs = Object.entries(j.inputs || {}).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {class: 'input-value'}, v.join(', '))));
  const outs = j.files.map(f => el('li', {}, el('a', {href: f.href, class: 'output-link', download: f.name}, f.name),
    f.size ? ' (' + f.size + ' bytes)' : ''));
  const docs = j.documents.map(d => el('li', {}, el('a', {href: d.href, class: 'doc-link'}, d.id + ': ' + d.name)));
  const png = j.documents.find(d => d.type === 'image/png');
  const dismiss = el('button', {type: 'button', id: 'dismiss', class: 'plain', onclick: async () => {
    const x = await api('/jobs/' + encodeURIComponent(id), {method: 'DELETE'});
    msg.textContent = x.ok ? 'Dismissed.' : problem(x);
    if (x.ok) route();
  }}, FINAL.includes(j.status) ? 'Dismiss' : 'Cancel');
  const rerun = el('a', {href: '#/processes/' + encodeURIComponent(j.processID) + '?rerun=' + encodeURIComponent(id), id: 'rerun'}, 'Re-run with edits');
  show(el('h1', {}, 'Job ', j.jobID),
    el('table', {id: 'job'},
      el('tr', {}, el('th', {}, 'process'), el('td', {}, j.processID)),
      el('tr', {}, el('th', {}, 'status'), el('td', {id: 'status'}, statusCell(j.status), ' ', el('progress', {max: 100, value: j.progress}), ' ' + j.progress + ' %')),
      el('tr', {}, el('th', {}, 'message'), el('td', {id: 'message'}, j.message)),
      el('tr', {}, el('th', {}, 'owner'), el('td', {}, j.owner)),
      el('tr', {}, el('th', {}, 'created'), el('td', {}, j.created)),
      el('tr', {}, el('th', {}, 'started'), el('td', {}, j.started || '')),
      el('tr', {}, el('th', {}, 'finished'), el('td', {}, j.finished || '')),
      el('tr', {}, el('th', {}, 'duration'), el('td', {}, seconds(j.duration_ms)))),
    el('h2', {}, 'Inputs'), el('table', {id: 'inputs'}, inputs),
    outs.length ? [el('h2', {}, 'Outputs'), el('ul', {id: 'outputs'}, outs)] : null,
    j.literals.length ? el('pre', {}, j.literals.map(l => l.id + ' = ' + l.value).join('\n')) : null,
    docs.length ? [el('h2', {}, 'Provenance and documents'), el('ul', {id: 'documents'}, docs)] : null,
    png ? el('img', {src: png.href, alt: 'provenance graph', class: 'prov'}) : null,
    el('p', {}, rerun, ' ', j.status === 'dismissed' ? null : dismiss), msg);
  if (!FINAL.includes(j.status)) timer = setTimeout(() => route(), 1000);
}

// ---- datasets -------------------------------------------------------------------------

async function viewDatasets(query) {
  const q = query.get('q') || '';
  const r = await api('/datasets?limit=500' + (q ? '&q=' + encodeURIComponent(q) : ''));
  if (needSignIn(r)) return;
  if (!r.ok) { show(el('p', {class: 'error'}, problem(r))); return; }
  const box = el('input', {type: 'text', id: 'ds-filter', value: q, placeholder: 'pattern, e.g. *rlds*'});
  const form = el('form', {onsubmit: ev => { ev.preventDefault(); location.hash = '#/datasets?q=' + encodeURIComponent(box.value); }}, box);
  const rows = r.body.datasets.map(d => el('tr', {}, el('td', {}, d.project),
    el('td', {}, el('a', {href: '#/datasets/' + encodeURIComponent(d.id), class: 'ds-link'}, d.id))));
  show(el('h1', {}, 'Datasets (' + r.body.numberMatched + ')'), form,
    el('table', {id: 'datasets'}, el('tr', {}, el('th', {}, 'project'), el('th', {}, 'id')), rows));
}

// A blue-white-red colour for t in [0, 1].
function colour(t) {
  const a = [[49, 54, 149], [116, 173, 209], [255, 255, 191], [244, 109, 67], [165, 0, 38]];
  const x = Math.max(0, Math.min(1, t)) * (a.length - 1);
  const i = Math.min(a.length - 2, Math.floor(x));
  const f = x - i;
  return a[i].map((c, k) => Math.round(c + f * (a[i + 1][k] - c)));
}

function lineChart(title, ys, xs) {
  const w = 760, h = 200, p = 34;
  const vals = ys.filter(v => v !== null);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const sx = i => p + (w - 2 * p) * i / Math.max(1, ys.length - 1);
  const sy = v => h - p - (h - 2 * p) * (hi === lo ? 0.5 : (v - lo) / (hi - lo));
  let d = '';
  ys.forEach((v, i) => { if (v !== null) d += (d ? 'L' : 'M') + sx(i).toFixed(1) + ' ' + sy(v).toFixed(1); });
  return svg('svg', {class: 'chart', viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-label': title},
    svg('text', {x: p, y: 14}, title), svg('text', {x: 2, y: p}, hi.toPrecision(4)), svg('text', {x: 2, y: h - p}, lo.toPrecision(4)),
    svg('text', {x: p, y: h - 8}, xs.length ? String(xs[0]) : '0'), svg('text', {x: w - p - 60, y: h - 8}, xs.length ? String(xs[xs.length - 1]) : String(ys.length - 1)),
    svg('path', {d, fill: 'none', stroke: '#1f3b5a', 'stroke-width': 1.2}));
}

async function quicklook(id, box, varName, t) {
  const msg = el('p', {class: 'muted', id: 'ql-msg'}, 'Reading…');
  box.replaceChildren(msg);
  const r = await api('/datasets/' + encodeURIComponent(id) + '/quicklook?var=' + encodeURIComponent(varName) + '&time=' + t);
  if (!r.ok) { msg.className = 'error'; msg.textContent = problem(r); return; }
  const q = r.body;
  const rows = q.values.length, cols = rows ? q.values[0].length : 0;
  const c = el('canvas', {width: cols, height: rows, id: 'quicklook', style: null});
  c.style.width = Math.max(360, Math.min(720, cols * 3)) + 'px';
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(cols, rows);
  const span = (q.max - q.min) || 1;
  // Row 0 is the first latitude; drawn bottom-up so that north is on top for ascending grids.
  q.values.forEach((row, j) => row.forEach((v, i) => {
    const o = 4 * ((rows - 1 - j) * cols + i);
    const [R, G, B] = v === null ? [200, 200, 200] : colour((v - q.min) / span);
    img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
  }));
  ctx.putImageData(img, 0, 0);
  const series = el('div', {id: 'series'});
  // The series at grid cell (i, j) of the decimated field: a click, or the keyboard (arrows
  // move a cursor that starts in the middle, Enter or Space asks).
  const at = {i: Math.floor(cols / 2), j: Math.floor(rows / 2)};
  const seriesAt = async (i, j) => {
    at.i = i; at.j = j;
    const s = await api('/datasets/' + encodeURIComponent(id) + '/quicklook?var=' + encodeURIComponent(varName) + '&y=' + j * q.stride + '&x=' + i * q.stride);
    if (!s.ok) { series.replaceChildren(el('p', {class: 'error'}, problem(s))); return; }
    series.replaceChildren(lineChart(varName + ' at grid point y=' + s.body.y + ', x=' + s.body.x + ' (' + s.body.units + ')', s.body.values, s.body.time_values));
  };
  c.addEventListener('click', (ev) => {
    const b = c.getBoundingClientRect();
    seriesAt(Math.floor((ev.clientX - b.left) / b.width * cols), rows - 1 - Math.floor((ev.clientY - b.top) / b.height * rows));
  });
  c.setAttribute('tabindex', '0');
  c.setAttribute('aria-label', 'quicklook map: arrow keys choose a grid point, Enter shows its time series');
  c.addEventListener('keydown', (ev) => {
    const mv = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]}[ev.key];
    if (mv) {
      ev.preventDefault();
      at.i = Math.max(0, Math.min(cols - 1, at.i + mv[0]));
      at.j = Math.max(0, Math.min(rows - 1, at.j + mv[1]));
      c.title = 'grid point y=' + at.j * q.stride + ', x=' + at.i * q.stride;
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      seriesAt(at.i, at.j);
    }
  });
  msg.textContent = q.variable + ' at time step ' + q.time_index + ' of ' + q.steps + (q.time_value !== null ? ' (' + q.time_value + ' ' + q.time_units + ')' : '') +
    ', ' + q.ny + '×' + q.nx + ' every ' + q.stride + ', range ' + (q.min === null ? '–' : q.min.toPrecision(5)) + ' … ' + (q.max === null ? '–' : q.max.toPrecision(5)) + ' ' + q.units + '. Click a point for its time series.';
  box.replaceChildren(msg, c, series);
}

async function viewDataset(id) {
  const r = await api('/datasets/' + encodeURIComponent(id));
  if (needSignIn(r)) return;
  if (!r.ok) { show(el('h1', {}, id), el('p', {class: 'error'}, problem(r))); return; }
  const d = r.body;
  const vars = Object.entries(d.variables).map(([n, v]) => el('tr', {}, el('td', {}, n), el('td', {}, v.dims.join(', ')),
    el('td', {}, v.shape.join('×')), el('td', {}, (v.attributes && (v.attributes.long_name || v.attributes.standard_name)) || ''),
    el('td', {}, (v.attributes && v.attributes.units) || '')));
  const main = d.grid && d.grid.main_variable;
  const sel = el('select', {id: 'ql-var'}, Object.entries(d.variables).filter(([, v]) => v.shape.length >= 2)
    .map(([n]) => el('option', {value: n, selected: n === main}, n)));
  const steps = d.time ? d.time.steps : 1;
  const t = el('input', {type: 'number', id: 'ql-time', min: 0, max: steps - 1, value: '0'});
  const box = el('div', {id: 'ql-box'});
  const go = el('button', {type: 'button', id: 'ql-show', onclick: () => quicklook(id, box, sel.value, t.value || 0)}, 'Show');
  show(el('h1', {}, d.id), el('p', {}, 'project ', d.project, d.time ? ', time ' + d.time.start + ' … ' + d.time.end + ' (' + d.time.steps + ' steps)' : ''),
    el('h2', {}, 'Fixes applied'), d.fixes_applied.length ? el('ul', {id: 'fixes'}, d.fixes_applied.map(f => el('li', {}, f))) : el('p', {class: 'muted'}, 'none'),
    el('h2', {}, 'Variables'), el('table', {id: 'variables'}, el('tr', {}, ['name', 'dims', 'shape', 'long name', 'units'].map(h => el('th', {}, h))), vars),
    el('h2', {}, 'Quicklook'), el('p', {}, sel, ' time step ', t, ' ', go), box,
    el('h2', {}, 'Files'), el('ul', {}, d.files.map(f => el('li', {}, el('a', {href: f.href}, f.name), ' (' + f.size + ' bytes)'))),
    el('h2', {}, 'Attributes'), el('pre', {}, JSON.stringify(d.attributes, null, 1)));
  if (sel.value) quicklook(id, box, sel.value, 0);
}

// ---- usage ----------------------------------------------------------------------------

function barChart(title, pairs, fmt) {
  const w = 760, h = 190, p = 30;
  const max = Math.max(1, ...pairs.map(x => x[1]));
  const bw = Math.min(60, (w - 2 * p) / Math.max(1, pairs.length));
  const g = svg('svg', {class: 'chart', viewBox: '0 0 ' + w + ' ' + (h + 24), role: 'img', 'aria-label': title},
    svg('text', {x: p, y: 12}, title + ' (max ' + (fmt ? fmt(max) : max) + ')'));
  const every = Math.max(1, Math.ceil(pairs.length / 12));
  pairs.forEach(([label, n], i) => {
    const bh = (h - 2 * p) * n / max;
    const r = svg('rect', {x: (p + i * bw).toFixed(1), y: (h - p - bh).toFixed(1), width: Math.max(0.5, bw - 2).toFixed(1), height: bh.toFixed(1), fill: '#3a6ea5'},
      svg('title', {}, label + ': ' + (fmt ? fmt(n) : n)));
    g.appendChild(r);
    if (i % every === 0) g.appendChild(svg('text', {x: (p + i * bw).toFixed(1), y: h - p + 14}, String(label).slice(0, 16)));
  });
  return g;
}

function count(items, key, val) {
  const m = new Map();
  for (const x of items) m.set(key(x), (m.get(key(x)) || 0) + (val ? val(x) : 1));
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

// Every day of the last `days` (UTC) with its count (0 when absent), oldest first.
function perDay(days, pairs) {
  const m = new Map(pairs);
  const out = [];
  for (let i = days - 1; i >= 0; i--) {
    const k = new Date(Date.now() - i * 86400000).toISOString().slice(0, 10);
    out.push([k, m.get(k) || 0]);
  }
  return out;
}

function humanBytes(b) {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (b >= 1000 && i < u.length - 1) { b /= 1000; i++; }
  return b.toFixed(i ? 1 : 0) + ' ' + u[i];
}

async function viewUsage(query) {
  if (!token()) { location.hash = '#/signin'; return; }
  const all = query.get('sites') === 'all';
  const r = await api('/ui/api/usage?days=30' + (all ? '&sites=all' : ''));
  if (needSignIn(r)) return;
  if (!r.ok) { show(el('h1', {}, 'Usage'), el('p', {class: 'error', id: 'msg'}, problem(r))); return; }
  const day = ms => new Date(ms).toISOString().slice(0, 10);
  const jobs = r.body.jobs.map(([process, owner, status, created, started, finished]) => ({process, owner, status, created, started, finished}));
  const reqs = r.body.requests.map(([time, dur, user, operation, process, code, bytes, site]) => ({time, dur, user, operation, process, code, bytes, site}));
  const durations = count(jobs.filter(j => j.finished && j.started), j => j.process, j => (j.finished - j.started) / 1000);
  const perProcess = new Map(count(jobs.filter(j => j.finished && j.started), j => j.process));
  const executes = reqs.filter(x => /execute/i.test(x.operation));
  const sites = el('p', {id: 'sites'}, 'Sites: ', all ? el('a', {href: '#/usage', id: 'sites-local'}, 'this node only') :
    el('a', {href: '#/usage?sites=all', id: 'sites-all'}, 'all sites (' + r.body.peers + ' peers)'),
  all ? el('ul', {id: 'site-status'}, r.body.sites.map(x => el('li', {class: x.error ? 'error' : ''}, x.name + ': ' + (x.error ? x.error : 'included')))) : null);
  const check = el('div', {id: 'check'});
  show(el('h1', {}, 'Usage, last ' + r.body.days + ' days' + (all ? ', all sites' : '')), sites,
    el('p', {}, jobs.length + ' jobs here, ' + reqs.length + ' requests, ' + humanBytes(reqs.reduce((a, x) => a + x.bytes, 0)) + ' served.'),
    el('div', {id: 'charts'},
      barChart('Jobs per day', perDay(r.body.days, count(jobs, j => day(j.created)))),
      barChart('Jobs per process', count(jobs, j => j.process)),
      barChart('Jobs per user', count(jobs, j => j.owner)),
      barChart('Failed jobs per process', count(jobs.filter(j => j.status === 'failed'), j => j.process)),
      barChart('Mean duration per process (s)', durations.map(([p, s]) => [p, s / perProcess.get(p)]), x => x.toFixed(1) + ' s'),
      barChart('Bytes served per day', perDay(r.body.days, count(reqs, x => day(x.time), x => x.bytes)), humanBytes),
      all ? barChart('Executions per site', count(executes, x => x.site)) : null,
      all ? barChart('Bytes served per site', count(reqs, x => x.site, x => x.bytes), humanBytes) : null,
      all ? barChart('Refused or failed requests per site', count(reqs.filter(x => x.code >= 400), x => x.site)) : null,
      barChart('Requests per user', count(reqs, x => x.user || 'anonymous')),
      barChart('Refused or failed requests (HTTP ≥ 400) per operation', count(reqs.filter(x => x.code >= 400), x => x.operation))),
    check);
  await checkReport(check);
}

function rateTable(title, rows) {
  return [el('h3', {}, title), el('table', {class: 'rates'}, el('tr', {}, ['', 'requests', 'passed', 'failed', 'pass rate'].map(h => el('th', {}, h))),
    rows.map(([k, n, p]) => el('tr', {class: p === n ? 'ok' : 'bad'}, el('td', {}, k), el('td', {}, n), el('td', {}, p), el('td', {}, n - p),
      el('td', {}, (100 * p / Math.max(1, n)).toFixed(1) + ' %'))))];
}

function failureTable(rows) {
  return el('table', {class: 'failures'}, el('tr', {}, ['site', 'dataset', 'version', 'operation', 'message', 'command'].map(h => el('th', {}, h))),
    rows.map(f => el('tr', {}, el('td', {}, f.site), el('td', {}, f.dataset), el('td', {}, f.version), el('td', {}, f.operation + ' ' + f.kind),
      el('td', {}, f.message), el('td', {}, el('code', {}, f.command)))));
}

// The coverage-check results (admins; `check_results` in the configuration).
async function checkReport(box) {
  const r = await api('/ui/api/check');
  if (r.status === 403 || r.status === 401) return;
  if (!r.ok) { box.replaceChildren(el('h2', {}, 'Coverage check'), el('p', {class: 'muted', id: 'check-msg'}, problem(r))); return; }
  const c = r.body;
  box.replaceChildren(el('h2', {}, 'Coverage check'),
    el('p', {id: 'check-summary'}, c.requests + ' requests, ' + c.passed + ' passed, ' + c.failed + ' failed (' + c.source + ').'),
    rateTable('By site', c.by.site), rateTable('By project', c.by.project), rateTable('By version', c.by.version),
    rateTable('By operation', c.by.operation),
    el('details', {}, el('summary', {}, 'By dataset (' + c.by.dataset.length + ')'), rateTable('By dataset', c.by.dataset)),
    el('h3', {}, 'Failures' + (c.failed > c.failures.length ? ' (first ' + c.failures.length + ')' : '')),
    c.failures.length ? failureTable(c.failures) : el('p', {class: 'muted'}, 'none'),
    el('h3', {}, 'Changes between versions'),
    c.changes.length ? c.changes.map(x => el('div', {}, el('h4', {}, x.from + ' → ' + x.to + ': ' + x.broke.length + ' broke, ' + x.fixed.length + ' fixed'),
      x.broke.length ? failureTable(x.broke) : null)) : el('p', {class: 'muted'}, 'Only one version in the results.'));
}

// ---- routing --------------------------------------------------------------------------

// The view for the address: a hash route inside /ui/, or (for a page served at an OGC path
// by content negotiation) the path itself.
function target() {
  if (location.hash.length > 1) return location.hash.slice(1);
  const p = location.pathname;
  if (/^\/(processes|jobs)(\/|$)/.test(p)) return p;
  return '/processes';
}

async function route() {
  if (timer) { clearTimeout(timer); timer = null; }
  const [path, qs] = target().split('?');
  const query = new URLSearchParams(qs || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('on', a.id === 'nav-' + parts[0]);
  header();
  try {
    if (parts[0] === 'signin') await viewSignIn();
    else if (parts[0] === 'processes' && parts[1]) await viewProcess(parts[1], query);
    else if (parts[0] === 'jobs' && parts[1]) await viewJob(parts[1]);
    else if (parts[0] === 'jobs') await viewJobs();
    else if (parts[0] === 'datasets' && parts[1]) await viewDataset(parts.slice(1).join('/'));
    else if (parts[0] === 'datasets') await viewDatasets(query);
    else if (parts[0] === 'usage') await viewUsage(query);
    else await viewProcesses();
  } catch (e) {
    show(el('p', {class: 'error'}, 'Error: ' + e.message));
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('signout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    location.hash = '#/signin';
  });
  window.addEventListener('hashchange', route);
  finishLogin().then(next => {
    if (next && location.hash !== next) location.hash = next;
    else route();
  }, e => { flash = {error: true, text: 'Sign-in failed: ' + e.message}; location.hash = '#/signin'; });
});
