// Period labels as the API spells them: 2026-11, 2026-Q4, 2026; their arithmetic and a picker.
import { h } from './dom.js';
import { t } from './i18n.js';

function index(kind, label) {
  const y = Number(label.slice(0, 4));
  if (kind === 'month') return y * 12 + Number(label.slice(5, 7)) - 1;
  if (kind === 'quarter') return y * 4 + Number(label.slice(6)) - 1;
  return y;
}

function labelOf(kind, i) {
  if (kind === 'month') return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  if (kind === 'quarter') return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
  return String(i);
}

export function shift(kind, label, delta) {
  return labelOf(kind, index(kind, label) + delta);
}

// The period of `kind` holding a month label.
export function ofMonth(kind, month) {
  if (kind === 'month') return month;
  const y = month.slice(0, 4);
  if (kind === 'quarter') return `${y}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
  return y;
}

export function isLabel(kind, s) {
  const re = { month: /^\d{4}-(0[1-9]|1[0-2])$/, quarter: /^\d{4}-Q[1-4]$/, year: /^\d{4}$/ }[kind];
  return Boolean(re && s && re.test(s));
}

// "2026-11" → "2026年11月" / "Nov 2026" for titles.
export function spell(kind, label) {
  if (t('lang') === 'zh') {
    if (kind === 'month') return `${label.slice(0, 4)}年${Number(label.slice(5))}月`;
    if (kind === 'quarter') return `${label.slice(0, 4)}年第${'一二三四'[Number(label.slice(6)) - 1]}季度`;
    return `${label}年`;
  }
  if (kind === 'month') {
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return `${names[Number(label.slice(5)) - 1]} ${label.slice(0, 4)}`;
  }
  if (kind === 'quarter') return `${label.slice(5)} ${label.slice(0, 4)}`;
  return label;
}

// The page's period from its address: {kind, at}, at defaulting to the current period plus
// `offset` (the report looks at the last complete period by default).
export function pagePeriod(ctx, kinds, offset = 0) {
  let kind = ctx.params.get('period');
  if (!kinds.includes(kind)) kind = kinds[0];
  let at = ctx.params.get('at');
  if (!isLabel(kind, at)) at = shift(kind, ofMonth(kind, ctx.current), offset);
  return { kind, at };
}

// Kind and label selects; changing either goes to the new address.
export function periodPicker(ctx, kinds, p, back = 36) {
  const now = ofMonth(p.kind, ctx.current);
  const n = { month: back, quarter: Math.ceil(back / 3), year: Math.ceil(back / 12) + 1 }[p.kind];
  const labels = [];
  for (let i = 0; i < n; i++) labels.push(shift(p.kind, now, -i));
  if (!labels.includes(p.at)) labels.push(p.at);
  const kindSel = kinds.length > 1 ? h('select', {
    id: 'period-kind', 'aria-label': t('period_kind'),
    on: { change: (e) => ctx.go({ period: e.target.value, at: null }) },
  }, kinds.map((k) => h('option', { value: k, selected: k === p.kind, text: t('kind_' + k) }))) : null;
  const atSel = h('select', {
    id: 'period-at', 'aria-label': t('period'),
    on: { change: (e) => ctx.go({ period: p.kind, at: e.target.value }) },
  }, labels.map((l) => h('option', { value: l, selected: l === p.at, text: spell(p.kind, l) })));
  return h('div', { class: 'picker no-print' }, h('label', { text: t('period') }), kindSel, atSel);
}
