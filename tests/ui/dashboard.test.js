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
const PAGES = ['overview', 'ranking', 'problems', 'green', 'quality', 'report'];

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
    await go(page, id === 'green' ? '#/green' : `#/${id}?at=${prev}`);
    const drawn = await chartsDrawn(page);
    for (const [i, n] of drawn.entries()) assert.ok(n > 500, `${id}: chart ${i} is blank (${n} pixels)`);
    const writes = await page.$$eval('main [data-write], main form, main input, main textarea',
      (els) => els.map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(writes, [], `${id}: write controls for a dashboard key`);
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

test('the green-channel worklist lists every chain, the not dispatched and overdue first', async () => {
  const answer = await api('/v1/kpi/green-channel?limit=1000');
  const page = await open('#/green');
  assert.equal(digits(await kpi(page, 'green_total')), String(answer.chains.length));
  const now = Date.now();
  const rank = (c) => (!c.unit ? 0 : c.deadline && Date.parse(c.deadline) < now ? 1 : 2);
  const shown = await page.$$eval('table.data tbody tr', (trs) => trs.map((tr) => tr.children[2].textContent));
  const expected = answer.chains.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c.latest_ticket_id);
  assert.deepEqual(shown, expected);
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

test('no key in the server log', () => {
  const log = fs.readFileSync(process.env.REPEATD_SERVER_LOG, 'utf8');
  assert.ok(log.length > 0);
  for (const key of [DASH, ADMIN, MANAGER, CRM]) assert.ok(!log.includes(key));
});
