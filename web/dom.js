// Building the page: every string goes in as text (text nodes, textContent), never as HTML,
// so a unit name like <img onerror=…> shows as what it is.
import { ApiError, download } from './api.js';
import { t, locale } from './i18n.js';

// h('td', {class: 'num', text: '12'}, child, …): an element; children are nodes or text.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) { if (dv !== null && dv !== undefined) el.dataset[dk] = String(dv); }
    else if (k === 'style' || k.startsWith('on')) throw new Error('no inline style or handler: ' + k);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function fmtInt(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString(locale());
}

// A rate (0..1) as a percentage with one decimal: 0.1234 → "12.3%".
export function fmtPct(r, digits = 1) {
  return r === null || r === undefined ? '—' : (r * 100).toFixed(digits) + '%';
}

// A change in percentage points: +1.2 / −0.4.
export function fmtPts(d) {
  if (d === null || d === undefined || Number.isNaN(d)) return '—';
  const v = (d * 100).toFixed(1);
  return (d > 0 ? '+' : '') + v;
}

export function fmtSigned(n) {
  return n === null || n === undefined ? '—' : (n > 0 ? '+' : '') + fmtInt(n);
}

export function fmtNum(x, digits = 1) {
  return x === null || x === undefined ? '—' : Number(x).toFixed(digits);
}

// "2025-01-16T18:14:00+08:00" → "2025-01-16 18:14" (the server's own offset, as sent).
export function fmtTime(s) {
  return s ? s.slice(0, 16).replace('T', ' ') : '—';
}

// A group's name, with its code beside it (both user input: text only).
export function groupCell(row) {
  const name = row.name || row.group || t('whole_line');
  return h('span', { class: 'group' }, name,
    row.name && row.group ? h('small', { class: 'code', text: row.group }) : null);
}

export function card(title, ...children) {
  return h('section', { class: 'card' }, h('h2', { text: title }), ...children);
}

export function note(text) {
  return h('p', { class: 'note', text });
}

// Big numbers at the top of a page: [{label, value, kpi, cls, sub}].
export function tiles(items) {
  return h('div', { class: 'tiles' }, items.map((it) => h('div', { class: 'tile ' + (it.cls || '') },
    h('div', { class: 'tile-label', text: it.label }),
    h('div', { class: 'tile-value', text: it.value, data: it.kpi ? { kpi: it.kpi } : null }),
    it.sub ? h('div', { class: 'tile-sub', text: it.sub }) : null)));
}

export function badge(text, cls) {
  return h('span', { class: 'badge ' + cls, text });
}

// A table: columns [{label, value: row => text or node, num, cls: row => class}].
export function table(columns, rows, opts = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : null, text: c.label }))));
  const tbody = h('tbody', {}, rows.map((r) => {
    const tr = h('tr', { class: opts.rowClass ? opts.rowClass(r) : null,
      data: opts.rowData ? opts.rowData(r) : null },
    columns.map((c) => {
      const v = c.value(r);
      return h('td', { class: [c.num ? 'num' : '', c.cls ? c.cls(r) : ''].join(' ').trim() || null },
        v instanceof Node ? v : String(v ?? '—'));
    }));
    if (opts.onRow) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', () => opts.onRow(r));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') opts.onRow(r); });
    }
    return tr;
  }));
  const el = h('table', { class: 'data' + (opts.compact ? ' compact' : '') }, thead, tbody);
  if (!rows.length) return h('div', {}, el, note(t('no_rows')));
  return el;
}

// Tabs that change one parameter of the page's address.
export function tabs(ctx, name, values, current) {
  return h('div', { class: 'tabs', role: 'tablist' }, values.map((v) => h('button', {
    type: 'button', class: v === current ? 'tab active' : 'tab', 'aria-selected': String(v === current),
    text: t(name + '_' + v), on: { click: () => ctx.go({ [name]: v }) },
  })));
}

// A button that downloads a table as CSV: the same request with format=csv, the key in the
// header (api.js download); a refusal is shown beside the button.
export function csvButton(path, params = {}, name = 'repeatd.csv', label = null) {
  const msg = h('span', { class: 'csv-error', role: 'status' });
  const btn = h('button', {
    type: 'button', class: 'csv', text: label ? `${t('csv')} · ${label}` : t('csv'), data: { csv: path, table: params.table || null },
    on: {
      click: async () => {
        msg.textContent = '';
        btn.disabled = true;
        try {
          btn.dataset.saved = await download(path, params, name);
        } catch (e) {
          msg.textContent = e instanceof ApiError ? `${t('csv_failed')}: ${e.message}` : `${t('err_network')}: ${e.message}`;
        } finally {
          btn.disabled = false;
        }
      },
    },
  });
  return h('span', { class: 'csv-box no-print' }, btn, msg);
}

// A card whose title carries a CSV button (or nothing when csv is null).
export function tableCard(title, csv, ...children) {
  return h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', { text: title }), csv), ...children);
}

// The message of a refusal, with the allowed statuses of a 409 when the API names them.
export function refusalText(e) {
  if (!(e instanceof ApiError)) return `${t('err_network')}: ${e.message}`;
  let s = `${t('refused')} (${e.status}${e.code ? ' ' + e.code : ''}): ${e.message}`;
  if (Array.isArray(e.body.allowed)) {
    s += ' ' + t('allowed_now', e.body.allowed.length ? e.body.allowed.map((x) => t('status_' + x)).join('、') : t('none'));
  }
  return s;
}

// A write form for a manager key (marked data-write): fields
// [{name, label, type: text|textarea|date|number|select, options: [[value, label]], required,
// value}], onSubmit(values) → a promise; a refusal of the API shows beside the form.
export function writeForm(id, title, fields, submitLabel, onSubmit) {
  const err = h('p', { class: 'form-error', role: 'status' });
  const inputs = fields.map((f) => {
    let el;
    if (f.type === 'select') {
      el = h('select', { name: f.name }, f.options.map(([v, l]) => h('option', { value: v, text: l, selected: v === f.value })));
    } else if (f.type === 'textarea') {
      el = h('textarea', { name: f.name, rows: 2, required: f.required, maxlength: f.max || 2000 });
      if (f.value) el.value = f.value;
    } else {
      el = h('input', { name: f.name, type: f.type || 'text', required: f.required, maxlength: f.type === 'number' ? null : (f.max || 200),
        min: f.min, max: f.type === 'number' ? f.maxValue : null, value: f.value });
    }
    return h('label', { class: 'field' + (f.type === 'textarea' ? ' wide' : '') }, h('span', { text: f.label }), el);
  });
  const button = h('button', { type: 'submit', text: submitLabel });
  const form = h('form', { class: 'write', id, data: { write: '' } }, title ? h('h3', { text: title }) : null,
    h('div', { class: 'fields' }, inputs, button), err);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const values = {};
    for (const f of fields) {
      const v = form.elements[f.name].value.trim();
      if (v !== '') values[f.name] = f.type === 'number' ? Number(v) : v;
    }
    button.disabled = true;
    try {
      await onSubmit(values);
    } catch (e) {
      err.textContent = refusalText(e);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
