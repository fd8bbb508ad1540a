// The dashboard in a real browser (Debian's chromium, headless, through puppeteer-core) against
// the real server on a small demo city (tests/ui/run.sh sets it up): every page loads without a
// console error or a failed request, every chart has drawn, the numbers shown equal the API's,
// the report prints to a PDF holding its headline numbers, API text is shown as text, and a
// dashboard key sees no write controls. Screenshots and the PDF go to REPEATD_UI_OUT.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import puppeteer from 'puppeteer-core';

const BASE = process.env.REPEATD_URL;
const ADMIN = process.env.REPEATD_ADMIN_KEY;
const DASH = process.env.REPEATD_DASHBOARD_KEY;
const MANAGER = process.env.REPEATD_MANAGER_KEY;
const CRM = process.env.REPEATD_CRM_KEY;
const OUT = process.env.REPEATD_UI_OUT;
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const PAGES = ['overview', 'ranking', 'problems', 'programmes', 'green', 'quality', 'report'];

let browser;
let userDataDir;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'repeatd-ui-'));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'],
    defaultViewport: { width: 1440, height: 900 },
  });
});

after(async () => {
  if (browser) await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

async function api(p, key = DASH) {
  const r = await fetch(BASE + p, { headers: { Authorization: 'Bearer ' + key } });
  assert.equal(r.status, 200, `GET ${p}`);
  return r.json();
}

const pct = (r) => (r === null ? '—' : (r * 100).toFixed(1) + '%');
const digits = (s) => s.replace(/[^0-9]/g, '');

// Opens the dashboard in a new tab, pastes the key as a user does, goes to `hash` and waits
// until the page has rendered. Every console error, page error, failed request and HTTP error
// is collected in page.problems.
async function open(hash, key = DASH) {
  const page = await browser.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => page.problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => page.problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) page.problems.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(`${BASE}/${hash}`, { waitUntil: 'load' });
  await page.waitForSelector('#key-input', { visible: true });
  await page.type('#key-input', key);
  await page.click('#key-submit');
  await ready(page);
  return page;
}

async function ready(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), { timeout: 20000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const text = await page.evaluate(() => document.getElementById('page').textContent);
  assert.equal(state, 'ready', `the page rendered an error: ${text.slice(0, 300)}`);
}

async function go(page, hash) {
  if (await page.evaluate(() => window.location.hash) === hash) return;
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.evaluate((h) => { window.location.hash = h; }, hash);
  await ready(page);
}

// Each chart's canvas holds a drawing: enough non-transparent pixels.
async function chartsDrawn(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-chart]')].map((box) => {
    const c = box.querySelector('canvas');
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }));
}

async function kpi(page, name) {
  return page.$eval(`[data-kpi="${name}"]`, (e) => e.textContent);
}

async function shoot(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });
}

test('static files: types, ETag, security headers, no key needed', async () => {
  for (const [file, type] of [['/', 'text/html; charset=utf-8'], ['/ui/index.html', 'text/html; charset=utf-8'], ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'], ['echarts.min.js', 'text/javascript; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml']]) {
    const url = file.startsWith('/') ? BASE + file : `${BASE}/ui/${file}`;
    const r = await fetch(url);
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('content-type'), type, file);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{20}(-gz)?"$/);
    const again = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, file);
  }
  // ECharts is also kept gzipped, for the clients that take it, under its own ETag.
  const raw = (pathname, headers) => new Promise((resolve, reject) => {
    http.get(BASE + pathname, { headers }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  const plain = await raw('/ui/echarts.min.js', { 'accept-encoding': 'identity' });
  const packed = await raw('/ui/echarts.min.js', { 'accept-encoding': 'gzip, deflate' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(packed.headers['content-encoding'], 'gzip');
  assert.equal(packed.headers.vary, 'Accept-Encoding');
  assert.ok(packed.body.length < plain.body.length / 2);
  assert.ok(zlib.gunzipSync(packed.body).equals(plain.body));
  assert.notEqual(packed.headers.etag, plain.headers.etag);
  const missing = await fetch(BASE + '/ui/nope.js');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error, 'not_found');
});

test('the sources never write HTML from strings', () => {
  for (const f of fs.readdirSync(WEB).filter((n) => n.endsWith('.js') || n.endsWith('.html'))) {
    const src = fs.readFileSync(path.join(WEB, f), 'utf8');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\bstyle="|\son[a-z]+="/, f);
  }
});

// The last full month: the current one may have just begun.
async function lastMonth() {
  const month = (await api('/v1/kpi/repeats')).to;
  return (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
}

test('every page loads without an error, draws its charts and shows no write control', async () => {
  const prev = await lastMonth();
  const page = await open('#/overview');
  for (const id of PAGES) {
    await go(page, ['green', 'programmes'].includes(id) ? `#/${id}` : `#/${id}?at=${prev}`);
    const drawn = await chartsDrawn(page);
    for (const [i, n] of drawn.entries()) assert.ok(n > 500, `${id}: chart ${i} is blank (${n} pixels)`);
    const writes = await page.$$eval('main [data-write], main form, main input, main textarea',
      (els) => els.map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(writes, [], `${id}: write controls for a dashboard key`);
    if (id !== 'programmes') {
      assert.ok(await page.$$eval('main button.csv', (b) => b.length) > 0, `${id}: a CSV button on its tables`);
    }
    await shoot(page, id);
  }
  assert.deepEqual(page.problems, []);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('repeatd.key')), DASH);
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.ok(!page.url().includes(DASH));
  await page.close();
});

test('overview numbers equal the API', async () => {
  const whole = await api('/v1/kpi/repeats');
  const month = whole.to;
  const row = whole.rows[0] || { complaints: 0, repeats: 0, repeat_rate: null };
  const page = await open('#/overview');
  assert.equal(digits(await kpi(page, 'complaints')), String(row.complaints));
  assert.equal(digits(await kpi(page, 'repeats')), String(row.repeats));
  assert.equal(await kpi(page, 'repeat_rate'), pct(row.repeat_rate));
  // The month before, where the demo planted its anomalies.
  const prev = (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
  await go(page, `#/overview?at=${prev}`);
  const [p, cat, unit, rank] = await Promise.all([api(`/v1/kpi/repeats?at=${prev}`),
    api(`/v1/kpi/anomalies?at=${prev}&by=category`), api(`/v1/kpi/anomalies?at=${prev}&by=unit`),
    api(`/v1/kpi/ranking?at=${prev}&by=unit`)]);
  assert.equal(digits(await kpi(page, 'complaints')), String(p.rows[0].complaints));
  assert.equal(digits(await kpi(page, 'repeats')), String(p.rows[0].repeats));
  assert.equal(await kpi(page, 'repeat_rate'), pct(p.rows[0].repeat_rate));
  assert.ok(cat.rows.length + unit.rows.length > 0, 'the demo plants anomalies in the last full month');
  assert.equal(await kpi(page, 'anomalies'), String(cat.rows.length + unit.rows.length));
  const judged = rank.rows.filter((r) => r.target_met !== null);
  assert.equal(await kpi(page, 'units_met'), `${judged.filter((r) => r.target_met).length} / ${judged.length}`);
  assert.equal(await kpi(page, 'watch'), String(rank.rows.filter((r) => r.watch).length));
  assert.deepEqual((await chartsDrawn(page)).filter((n) => n <= 500), []);
  // The decision mix of that month: every decision's count as the API's, and its chart drawn.
  const mix = (await api(`/v1/kpi/decisions?period=month&at=${prev}`)).rows[0];
  const shown = await page.$$eval('[data-card="decision-mix"] tbody tr[data-decision]',
    (trs) => trs.map((tr) => [tr.dataset.decision, tr.children[1].textContent]));
  const decisions = ['new', 'repeat', 'similar_new', 'excluded_in_progress', 'excluded_closed', 'excluded_unmeetable'];
  assert.deepEqual(shown.map(([d]) => d), [...decisions, 'total']);
  for (const [d, text] of shown) assert.equal(digits(text), String(mix[d]), `decision mix: ${d}`);
  assert.equal(mix.total, decisions.reduce((sum, d) => sum + mix[d], 0));
  assert.ok(mix.new > 0 && mix.repeat > 0 && mix.excluded_in_progress > 0, 'the demo month has a mix to show');
  assert.equal(mix.new + mix.repeat + mix.similar_new, p.rows[0].complaints, 'the work orders are the complaints');
  const mixDrawn = await page.$$eval('[data-card="decision-mix"] [data-chart] canvas', (cs) => cs.map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }));
  assert.equal(mixDrawn.length, 1, 'the decision mix has its chart');
  assert.ok(mixDrawn[0] > 500, `the decision mix chart is blank (${mixDrawn[0]} pixels)`);
  assert.equal(await page.$eval('[data-card="decision-mix"] button.csv', (b) => b.dataset.csv), '/v1/kpi/decisions');
  await shoot(page, 'overview-last-month');
  assert.deepEqual(page.problems, []);
  await page.close();
});

async function tableRows(page) {
  return page.$$eval('table.data tbody tr[data-group]', (trs) => trs.map((tr) => ({
    group: tr.dataset.group, cells: [...tr.children].map((td) => td.textContent), watch: tr.classList.contains('watch'),
  })));
}

test('ranking numbers equal the API, the bottom N marked, a row drills down', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const prev = (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
  for (const by of ['unit', 'team']) {
    const answer = await api(`/v1/kpi/ranking?at=${prev}&by=${by}`);
    assert.ok(answer.rows.length > 3);
    const page = await open(`#/ranking?at=${prev}&by=${by}`);
    const shown = await tableRows(page);
    assert.equal(shown.length, answer.rows.length);
    answer.rows.forEach((r, i) => {
      const s = shown[i];
      assert.equal(s.group, r.group);
      assert.equal(s.cells[0], r.ranked ? String(r.rank) : '不排名');
      assert.equal(digits(s.cells[2]), String(r.complaints));
      assert.equal(digits(s.cells[3]), String(r.repeats));
      assert.equal(s.cells[4], pct(r.repeat_rate));
      assert.equal(s.cells[5], pct(r.target));
      assert.equal(s.cells[6], r.target_met === null ? '—' : r.target_met ? '达标' : '未达标');
      assert.equal(s.watch, r.watch, `${r.group} watch`);
    });
    if (by === 'unit') {
      assert.ok(answer.rows.some((r) => r.watch), 'some unit is on the watch');
      await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
      // The unit with the most complaints: its teams and their handlers open under it.
      const unit = [...answer.rows].sort((x, y) => y.complaints - x.complaints)[0].group;
      await page.click(`table.data tbody tr[data-group="${unit}"]`);
      await ready(page);
      assert.match(page.url(), new RegExp(`group=${unit}`));
      const teams = (await api(`/v1/kpi/ranking?at=${prev}&by=team`)).rows.filter((r) => r.parent === unit);
      const teamCodes = new Set(teams.map((r) => r.group));
      const handlers = (await api(`/v1/kpi/ranking?at=${prev}&by=handler`)).rows.filter((r) => teamCodes.has(r.parent));
      assert.ok(teams.length > 0 && handlers.length > 0, 'the demo names each team\'s unit and each handler\'s team');
      const below = await page.$$eval('.drill table.data tbody tr[data-group]', (trs) => trs.map((tr) => tr.dataset.group));
      assert.deepEqual(below, [...teams, ...handlers].map((r) => r.group));
      await shoot(page, 'ranking-drill');
      assert.deepEqual((await chartsDrawn(page)).filter((n) => n <= 500), []);
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('the report shows the API numbers and prints them to an A4 PDF', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const prev = (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
  const row = (await api(`/v1/kpi/repeats?at=${prev}`)).rows[0];
  const page = await open('#/report');
  assert.equal(digits(await kpi(page, 'complaints')), String(row.complaints));
  assert.equal(digits(await kpi(page, 'repeats')), String(row.repeats));
  assert.equal(await kpi(page, 'repeat_rate'), pct(row.repeat_rate));
  const ranking = await api(`/v1/kpi/ranking?at=${prev}&by=unit`);
  assert.equal((await tableRows(page)).length, ranking.rows.length);
  const pdf = path.join(OUT, 'report.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(text, /重复投诉情况通报/);
  const headline = text.replace(/\s+/g, '');
  for (const v of [await kpi(page, 'complaints'), await kpi(page, 'repeats'), pct(row.repeat_rate)]) {
    assert.ok(headline.includes(v), `the PDF holds ${v}`);
  }
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  assert.match(info, /Page size:.* pts \(A4\)/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the green-channel worklist lists every chain in the order of GET /v1/green-channel', async () => {
  const w = await api('/v1/green-channel');
  assert.ok(w.chains.length > 0, 'the demo has chains in the green channel');
  const page = await open('#/green');
  assert.equal(digits(await kpi(page, 'green_total')), String(w.chains.length));
  assert.equal(digits(await kpi(page, 'green_unassigned')), String(w.unassigned));
  assert.equal(digits(await kpi(page, 'green_overdue')), String(w.verification_overdue));
  const shown = await page.$$eval('table.data tbody tr[data-chain]', (trs) => trs.map((tr) => ({
    chain: tr.dataset.chain, cells: [...tr.children].map((td) => td.textContent),
  })));
  assert.deepEqual(shown.map((r) => r.chain), w.chains.map((c) => c.chain_id));
  w.chains.forEach((c, i) => {
    assert.equal(shown[i].cells[6], String(c.days_waiting));
    assert.equal(shown[i].cells[7], c.assignment ? c.assignment.specialist : '—');
  });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the report for a quarter and a year shows the API numbers', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const y = month.slice(0, 4);
  const quarter = `${y}-Q${Math.floor((Number(month.slice(5)) - 1) / 3) + 1}`;
  for (const [kind, at] of [['quarter', quarter], ['year', y]]) {
    const row = (await api(`/v1/kpi/repeats?period=${kind}&at=${at}`)).rows[0];
    const page = await open(`#/report?period=${kind}&at=${at}`);
    assert.equal(digits(await kpi(page, 'complaints')), String(row.complaints));
    assert.equal(digits(await kpi(page, 'repeats')), String(row.repeats));
    assert.equal(await kpi(page, 'repeat_rate'), pct(row.repeat_rate));
    assert.deepEqual((await chartsDrawn(page)).filter((n) => n <= 500), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('a manager key reads every page; a crm key is turned away with a message', async () => {
  const page = await open('#/overview', MANAGER);
  for (const id of PAGES) await go(page, '#/' + id);
  assert.deepEqual(page.problems, []);
  await page.close();
  const crm = await browser.newPage();
  await crm.goto(`${BASE}/#/overview`, { waitUntil: 'load' });
  await crm.type('#key-input', CRM);
  await crm.click('#key-submit');
  await crm.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  assert.match(await crm.$eval('#login-error', (e) => e.textContent), /dashboard/);
  assert.equal(await crm.evaluate(() => sessionStorage.getItem('repeatd.key')), null);
  await crm.close();
});

test('English by the switch', async () => {
  const page = await open('#/overview');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#lang-switch');
  await ready(page);
  assert.equal(await page.$eval('nav a', (a) => a.textContent), 'Overview');
  await shoot(page, 'overview-en');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#lang-switch');
  await ready(page);
  assert.equal(await page.$eval('nav a', (a) => a.textContent), '总览');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a key that is refused shows the form again with a message', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE}/#/overview`, { waitUntil: 'load' });
  await page.type('#key-input', 'not-a-key');
  await page.click('#key-submit');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('repeatd.key')), null);
  await page.close();
});

test('a unit name holding markup is shown as text', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const prev = (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
  const unit = (await api(`/v1/kpi/ranking?at=${prev}&by=unit`)).rows[0];
  const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const put = (name) => fetch(BASE + '/v1/admin/units', {
    method: 'PUT',
    headers: { Authorization: 'Bearer ' + ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ units: [{ code: unit.group, name }] }),
  });
  assert.equal((await put(payload)).status, 200);
  try {
    for (const hash of [`#/ranking?at=${prev}`, `#/report?at=${prev}`, `#/quality?at=${prev}`]) {
      const page = await open(hash);
      const shown = await page.$$eval('.group', (els) => els.map((e) => e.firstChild.textContent));
      assert.ok(shown.includes(payload), `${hash}: the name is shown as text`);
      assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
      assert.deepEqual(page.problems, []);
      if (hash.startsWith('#/ranking')) await shoot(page, 'xss-as-text');
      await page.close();
    }
  } finally {
    assert.equal((await put(unit.name || unit.group)).status, 200);
  }
});

async function send(method, p, body, key = MANAGER) {
  const r = await fetch(BASE + p, {
    method, headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function writeControls(page) {
  return page.$$eval('main [data-write], main form, main input, main textarea', (els) => els.length);
}

test('the problem list, a problem\'s effect and the suggestions equal the API', async () => {
  const list = await api('/v1/problems?limit=500');
  assert.ok(list.problems.length > 0, 'the demo puts problems on the list');
  const withMeasure = list.problems.find((x) => x.measure_count > 0);
  const one = await api(`/v1/problems/${withMeasure.id}`);
  const prev = await lastMonth();
  const sugg = await api(`/v1/problems/suggestions?at=${prev}`);
  const page = await open(`#/problems?at=${prev}&problem=${withMeasure.id}`);
  const ids = await page.$$eval('table.data tbody tr[data-problem]', (trs) => trs.map((tr) => Number(tr.dataset.problem)));
  assert.deepEqual(ids, list.problems.map((x) => x.id));
  assert.equal(await page.$$eval('table.data tbody tr[data-suggestion]', (trs) => trs.length), sugg.suggestions.length);
  const before = await page.$eval('[data-effect="before"]', (e) => e.textContent);
  assert.ok(before.startsWith(one.effect.before.repeats_per_month.toFixed(2)), before);
  assert.ok(before.includes(pct(one.effect.before.repeat_rate)), before);
  const drawn = await chartsDrawn(page);
  assert.ok(drawn.length >= 2 && drawn.every((n) => n > 500), `charts drawn: ${drawn}`);
  assert.equal(await writeControls(page), 0, 'a dashboard key sees no write control');
  await shoot(page, 'problems-effect');
  // The filters go to the API: in progress only.
  await go(page, `#/problems?status=in_progress`);
  const inProgress = (await api('/v1/problems?status=in_progress')).problems.map((x) => x.id);
  assert.deepEqual(await page.$$eval('table.data tbody tr[data-problem]', (trs) => trs.map((tr) => Number(tr.dataset.problem))), inProgress);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('programmes: each with its check-in state and exit criterion, one\'s months charted, equal to the API', async () => {
  const list = (await api('/v1/programmes')).programmes;
  assert.ok(list.length > 0, 'the demo opens programmes');
  const x = list[0];
  const one = await api(`/v1/programmes/${x.id}?before=3`);
  const page = await open(`#/programmes?programme=${x.id}`);
  assert.deepEqual(await page.$$eval('table.data tbody tr[data-programme]', (trs) => trs.map((tr) => Number(tr.dataset.programme))),
    list.map((p) => p.id));
  assert.equal(digits(await kpi(page, 'prog_overdue')), String(list.filter((p) => p.status === 'open' && p.checkin.overdue).length));
  const overdueRows = await page.$$eval('table.data tbody tr.overdue[data-programme]', (trs) => trs.map((tr) => Number(tr.dataset.programme)));
  assert.deepEqual(overdueRows, list.filter((p) => p.checkin.overdue).map((p) => p.id));
  const months = await page.$$eval('table.data tbody tr[data-month]', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.equal(months.length, one.months.length);
  one.months.forEach((m, i) => {
    assert.equal(months[i][0], m.month);
    assert.equal(months[i][3], pct(m.repeat_rate));
    assert.equal(months[i][4], m.ranked ? String(m.rank) : '不排名');
  });
  assert.deepEqual((await chartsDrawn(page)).filter((n) => n <= 500), []);
  assert.equal(await writeControls(page), 0, 'a dashboard key sees no write control');
  await shoot(page, 'programmes');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a manager creates a problem, moves its status through the UI, and a refusal shows beside its form', async () => {
  const page = await open('#/problems', MANAGER);
  // The browser itself logs a refused request as a network message; the page must add nothing.
  const network = (m) => /^HTTP 4\d\d .*\/v1\/problems|console: Failed to load resource: the server responded with a status of 4\d\d/.test(m);
  page.on('dialog', (d) => { page.problems.push('dialog: ' + d.message()); d.dismiss(); });
  const title = `界面新建问题 ${Date.now()}`;
  await page.type('#problem-create [name=title]', title);
  await page.type('#problem-create [name=category]', 'CG.SZ.LD');
  await page.type('#problem-create [name=department]', '区城管局');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#problem-create button[type=submit]');
  await ready(page);
  const id = Number(new URL(page.url()).hash.match(/problem=(\d+)/)[1]);
  let made = await api(`/v1/problems/${id}`);
  assert.equal(made.title, title);
  assert.equal(made.status, 'open');
  assert.equal(made.department, '区城管局');
  assert.equal(made.created_by, 'ui-manager');
  // open → in_progress through the status form (the allowed transitions come with the problem).
  assert.deepEqual(await page.$$eval('#problem-status [name=status] option', (os) => os.map((o) => o.value)), made.allowed_transitions);
  await page.type('#problem-status [name=note]', '例会：交区城管局整改');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#problem-status button[type=submit]');
  await ready(page);
  made = await api(`/v1/problems/${id}`);
  assert.equal(made.status, 'in_progress');
  assert.equal(made.updates.at(-1).note, '例会：交区城管局整改');
  // A measure dated after today is refused (400): the message shows beside the form.
  await page.type('#problem-measure [name=description]', '夜间巡查');
  await page.$eval('#problem-measure [name=effective_date]', (e) => { e.value = '2099-01-01'; });
  await page.click('#problem-measure button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#problem-measure .form-error').textContent !== '');
  assert.match(await page.$eval('#problem-measure .form-error', (e) => e.textContent), /400.*effective_date|effective_date.*400/s);
  assert.equal((await api(`/v1/problems/${id}`)).measures.length, 0);
  // in_progress → verified_fixed, then no status form is left (the state is final).
  await page.select('#problem-status [name=status]', 'verified_fixed');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#problem-status button[type=submit]');
  await ready(page);
  assert.equal((await api(`/v1/problems/${id}`)).status, 'verified_fixed');
  assert.equal(await page.$$eval('#problem-status', (els) => els.length), 0);
  await shoot(page, 'problems-manager');
  assert.deepEqual(page.problems.filter((m) => !network(m)), []);
  await page.close();
});

test('a manager adds a suggestion to the list, records a programme check-in and a green-channel verification', async () => {
  const prev = await lastMonth();
  const sugg = (await api(`/v1/problems/suggestions?at=${prev}`)).suggestions;
  assert.ok(sugg.length > 0, 'the last full month has suggestions');
  const page = await open(`#/problems?at=${prev}`, MANAGER);
  {
    await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
    await page.click(`tr[data-suggestion="${sugg[0].category}"] button`);
    await ready(page);
    const id = Number(new URL(page.url()).hash.match(/problem=(\d+)/)[1]);
    const made = await api(`/v1/problems/${id}`);
    assert.equal(made.title, sugg[0].problem.title);
    assert.equal(made.source, sugg[0].source);
    // A suggestion names no department: the manager names it, and a due date, on the edit form.
    await page.type('#problem-edit [name=department]', '市城市管理和综合执法局');
    await page.$eval('#problem-edit [name=due_date]', (e) => { e.value = '2027-03-31'; });
    await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
    await page.click('#problem-edit button[type=submit]');
    await ready(page);
    const edited = await api(`/v1/problems/${id}`);
    assert.equal(edited.department, '市城市管理和综合执法局');
    assert.equal(edited.due_date, '2027-03-31');
    assert.equal(edited.title, sugg[0].problem.title);
    assert.equal(edited.updates.at(-1).kind, 'edited');
  }
  const prog = (await api('/v1/programmes?status=open')).programmes[0];
  await go(page, `#/programmes?programme=${prog.id}`);
  const n = (await api(`/v1/programmes/${prog.id}`)).checkins.length;
  await page.select('#programme-checkin [name=status]', 'at_risk');
  await page.type('#programme-checkin [name=notes]', '抽查十件，两件未回访');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#programme-checkin button[type=submit]');
  await ready(page);
  const after = await api(`/v1/programmes/${prog.id}`);
  assert.equal(after.checkins.length, n + 1);
  assert.equal(after.checkins.at(-1).notes, '抽查十件，两件未回访');
  assert.equal(after.checkins.at(-1).recorded_by, 'ui-manager');
  const w = await api('/v1/green-channel');
  const chain = w.chains[0].chain_id;
  await go(page, '#/green');
  await page.select('#green-assign [name=chain]', chain);
  await page.type('#green-assign [name=specialist]', '王芳（绿色通道专员）');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#green-assign button[type=submit]');
  await ready(page);
  assert.equal((await api('/v1/green-channel')).chains.find((c) => c.chain_id === chain).assignment.specialist, '王芳（绿色通道专员）');
  await page.select('#green-verify [name=chain]', chain);
  await page.select('#green-verify [name=solved]', 'true');
  await page.type('#green-verify [name=found]', '电话回访，路灯已修复');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#green-verify button[type=submit]');
  await ready(page);
  const a = (await api('/v1/green-channel')).chains.find((c) => c.chain_id === chain).assignment;
  assert.equal(a.verifications, 1);
  assert.equal(a.last_solved, true);
  await shoot(page, 'green-manager');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a manager opens a programme (a second one for a group is refused beside the form), closes it, and notes a problem', async () => {
  const prev = await lastMonth();
  const opened = (await api('/v1/programmes?status=open')).programmes;
  const busy = opened.find((x) => x.scope === 'unit');
  const openCodes = new Set(opened.map((x) => x.code));
  const free = (await api(`/v1/kpi/ranking?at=${prev}&by=unit`)).rows.find((r) => r.watch && !openCodes.has(r.group));
  assert.ok(busy && free, 'the demo has an open programme and another unit on the watch');
  const page = await open('#/programmes', MANAGER);
  const network = (m) => /^HTTP 409 .*\/v1\/programmes$|console: Failed to load resource: the server responded with a status of 409/.test(m);
  page.on('dialog', (d) => { page.problems.push('dialog: ' + d.message()); d.dismiss(); });
  const fill = async (code) => {
    for (const f of ['code', 'responsible', 'measures']) await page.$eval(`#programme-open [name=${f}]`, (e) => { e.value = ''; });
    await page.type('#programme-open [name=code]', code);
    await page.type('#programme-open [name=responsible]', '质量管理科 陈静');
    await page.type('#programme-open [name=measures]', '逐单复盘，每周通报');
  };
  await fill(busy.code);
  await page.click('#programme-open button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#programme-open .form-error').textContent !== '');
  assert.match(await page.$eval('#programme-open .form-error', (e) => e.textContent), /409/);
  assert.equal((await api('/v1/programmes?status=open')).programmes.length, opened.length);
  await fill(free.group);
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#programme-open button[type=submit]');
  await ready(page);
  const id = Number(new URL(page.url()).hash.match(/programme=(\d+)/)[1]);
  let made = await api(`/v1/programmes/${id}`);
  assert.equal(made.code, free.group);
  assert.equal(made.opened_by, 'ui-manager');
  assert.equal(made.status, 'open');
  // The server compares a closing's `at` with the opening to the whole second (a closing in the
  // same second as the opening is refused as before it): close in the next second.
  await new Promise((res) => setTimeout(res, 1100));
  await page.type('#programme-close [name=note]', '整改到位，结束专项');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#programme-close button[type=submit]');
  await ready(page);
  made = await api(`/v1/programmes/${id}`);
  assert.equal(made.status, 'closed');
  assert.equal(made.closed_by, 'ui-manager');
  assert.equal(made.close_note, '整改到位，结束专项');
  assert.equal(await page.$$eval('#programme-checkin, #programme-close', (els) => els.length), 0, 'a closed programme takes no more');
  const problem = (await api('/v1/problems?status=in_progress')).problems[0];
  await go(page, `#/problems?problem=${problem.id}`);
  await page.type('#problem-note [name=note]', '例会：责任部门承诺月底前完成');
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await page.click('#problem-note button[type=submit]');
  await ready(page);
  const notes = (await api(`/v1/problems/${problem.id}`)).updates.filter((u) => u.kind === 'note');
  assert.equal(notes.at(-1).note, '例会：责任部门承诺月底前完成');
  assert.equal(notes.at(-1).recorded_by, 'ui-manager');
  assert.deepEqual(page.problems.filter((m) => !network(m)), []);
  await page.close();
});

test('a problem title holding markup is shown as text', async () => {
  const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const r = await send('POST', '/v1/problems', { title: payload, scope: { category: 'CG.SZ.LD' }, source: 'manual' });
  assert.equal(r.status, 201);
  const page = await open(`#/problems?problem=${r.body.id}`);
  const cells = await page.$$eval(`tr[data-problem="${r.body.id}"] td`, (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.includes(payload), 'the title is shown as text in the list');
  assert.ok((await page.$eval('[data-problem-detail] h2', (e) => e.textContent)).includes(payload));
  assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Downloads land in a folder of the test (Chromium's download behaviour); the key travels in the
// Authorization header, never in the URL.
async function csvDownload(page, selector) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repeatd-csv-'));
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('format=csv')) seen.push({ url: r.url(), auth: r.headers().authorization }); });
  await page.click(selector);
  let files = [];
  for (let i = 0; i < 100 && !(files.length && !files[0].endsWith('.crdownload')); i++) {
    await new Promise((res) => setTimeout(res, 100));
    files = fs.readdirSync(dir);
  }
  assert.equal(files.length, 1, 'one file downloaded');
  const bytes = fs.readFileSync(path.join(dir, files[0]));
  fs.rmSync(dir, { recursive: true, force: true });
  return { name: files[0], bytes, seen };
}

test('a KPI table\'s CSV button downloads the file with its BOM, the key in the header only', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const page = await open(`#/problems?at=${month}`);
  const { name, bytes, seen } = await csvDownload(page, 'button.csv[data-csv="/v1/kpi/top-problems"]');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  assert.match(name, /^repeatd-top-problems.*\.csv$/);
  const direct = await fetch(`${BASE}/v1/kpi/top-problems?period=month&at=${month}&limit=20&format=csv`, { headers: { Authorization: 'Bearer ' + DASH } });
  assert.ok(bytes.equals(Buffer.from(await direct.arrayBuffer())), 'the file is the endpoint\'s CSV');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].auth, 'Bearer ' + DASH);
  assert.ok(!seen[0].url.includes(DASH));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the report\'s CSV buttons download its tables', async (t) => {
  const month = (await api('/v1/kpi/repeats')).to;
  const probe = await fetch(`${BASE}/v1/reports/${month}?format=csv&table=ranking`, { headers: { Authorization: 'Bearer ' + DASH } });
  if (!(probe.headers.get('content-type') || '').startsWith('text/csv')) {
    t.skip('GET /v1/reports/{period}?format=csv&table=NAME answers no CSV on this server yet (the report CSV endpoint has not landed)');
    return;
  }
  const page = await open('#/report');
  for (const table of ['headline', 'ranking', 'programmes', 'top_problems', 'anomalies', 'closeout_quality', 'contact_failures', 'green_channel']) {
    const { bytes } = await csvDownload(page, `button.csv[data-table="${table}"]`);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], table);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the report reads GET /v1/reports once and shows its programmes and green-channel sections', async () => {
  const month = (await api('/v1/kpi/repeats')).to;
  const prev = (await api(`/v1/kpi/trend?metric=repeats&periods=2&to=${month}`)).series[0].period;
  const rep = await api(`/v1/reports/${prev}`);
  const page = await browser.newPage();
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/v1/')) calls.push(new URL(r.url()).pathname); });
  await page.goto(`${BASE}/#/report?at=${prev}`, { waitUntil: 'load' });
  await page.type('#key-input', DASH);
  await page.click('#key-submit');
  await ready(page);
  assert.deepEqual(calls.filter((c) => c.startsWith('/v1/reports/')), [`/v1/reports/${prev}`]);
  assert.deepEqual(calls.filter((c) => c.startsWith('/v1/kpi/') && c !== '/v1/kpi/repeats'), [], 'no KPI endpoint assembled');
  assert.equal(await page.$$eval('.report tr[data-programme]', (trs) => trs.length), rep.programmes.programmes.length);
  const green = await page.$eval('[data-section="green"]', (e) => e.textContent);
  assert.ok(green.includes(String(rep.green_channel.in_channel_now)));
  assert.equal(digits(await kpi(page, 'complaints')), String(rep.headline.current.complaints));
  assert.equal(await page.$$eval('.report button.csv', (b) => b.length) >= 8, true);
  await page.close();
});

test('the report shows its problem list section: the server\'s, or one in the documented shape', async (t) => {
  const prev = await lastMonth();
  const rep = await api(`/v1/reports/${prev}`);
  let section = rep.problems;
  const page = await browser.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => page.problems.push('page error: ' + e.message));
  if (!section) {
    // Not on this server yet: the section as openapi's ReportProblems describes it, from the
    // problem list, put into the server's answer on its way to the page.
    t.diagnostic('the server\'s report has no problems section yet: one in the documented shape is injected');
    const list = (await api('/v1/problems?limit=500')).problems;
    section = {
      created: list.length, status_changes: { in_progress: 2, verified_fixed: 1, closed_unfixed: 0 },
      measures_taken: 3, problems_with_measures: 3, overdue_at_end: list.filter((x) => x.overdue).length,
      rows: list.map((x) => ({ id: x.id, title: x.title, category: x.scope.category, unit: x.scope.unit, department: x.department,
        due_date: x.due_date, created_date: x.created_at.slice(0, 10), created_in_period: true, to_in_progress: 1,
        to_verified_fixed: 0, to_closed_unfixed: 0, measures_taken: x.measure_count, status_at_end: x.status,
        overdue_at_end: x.overdue })),
    };
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === `/v1/reports/${prev}`) {
        r.respond({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...rep, problems: section }) });
      } else {
        r.continue();
      }
    });
  }
  await page.goto(`${BASE}/#/report?at=${prev}`, { waitUntil: 'load' });
  await page.type('#key-input', DASH);
  await page.click('#key-submit');
  await ready(page);
  const ids = await page.$$eval('.report [data-section="problems"] tr[data-problem]', (trs) => trs.map((tr) => Number(tr.dataset.problem)));
  assert.deepEqual(ids, section.rows.map((x) => x.id));
  const line = await page.$eval('.report [data-section="problems"] p', (e) => e.textContent);
  assert.ok(line.includes(`本期新列入问题 ${section.created} 个`), line);
  assert.ok(line.includes(`期末逾期 ${section.overdue_at_end} 个`), line);
  await shoot(page, 'report-problems');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('no key in the server log', () => {
  const log = fs.readFileSync(process.env.REPEATD_SERVER_LOG, 'utf8');
  assert.ok(log.length > 0);
  for (const key of [DASH, ADMIN, MANAGER, CRM]) assert.ok(!log.includes(key));
});
