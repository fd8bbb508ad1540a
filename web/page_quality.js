// Quality: first-contact failure rate and close-out quality by unit or handler, the defect
// codes behind rejected close-outs, false close-outs found by audit.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { card, csvButton, fmtInt, fmtPct, groupCell, h, note, table, tableCard, tabs, tiles } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, spell } from './period.js';

const BY = ['unit', 'handler'];

export function defectName(code) {
  const k = 'defect_' + code;
  const s = t(k);
  return s === k ? code : s;
}

export async function render(root, ctx) {
  const p = pagePeriod(ctx, ['month', 'quarter', 'year']);
  const by = BY.includes(ctx.params.get('by')) ? ctx.params.get('by') : 'unit';
  const periods = { month: 12, quarter: 8, year: 3 }[p.kind];
  const trend = (metric) => get('/v1/kpi/trend', { metric, period: p.kind, periods, to: p.at });
  const [contact, closeout, failTrend, passTrend, rejectedTrend, falseTrend] = await Promise.all([
    get('/v1/kpi/contact-failures', { period: p.kind, at: p.at, by }),
    get('/v1/kpi/closeout-quality', { period: p.kind, at: p.at, by }),
    trend('first_contact_failure_rate'),
    trend('closeout_pass_rate'),
    trend('closeouts_rejected'),
    trend('false_closeouts'),
  ]);
  const rows = merge(contact.rows, closeout.rows);
  // The tiles are the whole hotline's: the last point of each series (a ticket not yet
  // dispatched is in no unit's row).
  const last = (tr) => tr.series[tr.series.length - 1].value;
  const defects = new Map();
  for (const r of closeout.rows) for (const d of r.top_defects) defects.set(d.code, (defects.get(d.code) || 0) + d.count);
  const defectList = [...defects.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

  root.append(
    periodPicker(ctx, ['month', 'quarter', 'year'], p),
    tabs(ctx, 'by', BY, by),
    tiles([
      { label: t('first_contact_failure_rate'), value: fmtPct(last(failTrend)), kpi: 'fcf_rate' },
      { label: t('closeout_pass_rate'), value: fmtPct(last(passTrend)), kpi: 'pass_rate' },
      { label: t('closeouts_rejected'), value: fmtInt(last(rejectedTrend)), kpi: 'rejected' },
      { label: t('false_closeouts'), value: fmtInt(last(falseTrend)), kpi: 'false_closeouts',
        cls: last(falseTrend) ? 'alert' : '' },
    ]),
    card(`${t('quality_trend')} (${spell(p.kind, failTrend.from)} – ${spell(p.kind, failTrend.to)})`, chartBox(root, {
      legend: { top: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: failTrend.series.map((s) => s.period) },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
      series: [
        { name: t('first_contact_failure_rate'), type: 'line', data: failTrend.series.map((s) => s.value) },
        { name: t('closeout_pass_rate'), type: 'line', data: passTrend.series.map((s) => s.value) },
      ],
    })),
  );
  if (defectList.length) {
    root.append(card(t('top_defects'), note(t('top_defects_help')), chartBox(root, {
      grid: { left: 200, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: defectList.map(([c]) => defectName(c)) },
      series: [{ name: t('count'), type: 'bar', barMaxWidth: 28, data: defectList.map(([, n]) => n) }],
    })));
  }
  root.append(tableCard(`${t('quality_by_' + by)} · ${spell(p.kind, p.at)}`, h('span', {},
    csvButton('/v1/kpi/contact-failures', { period: p.kind, at: p.at, by }, 'contact-failures.csv', t('first_contact_failure_rate')),
    csvButton('/v1/kpi/closeout-quality', { period: p.kind, at: p.at, by }, 'closeout-quality.csv', t('closeout_pass_rate'))),
  qualityTable(rows)));
}

// Contact-failure rows and close-out rows of one period joined on the group.
export function merge(contactRows, closeoutRows) {
  const byGroup = new Map();
  for (const r of contactRows) byGroup.set(r.group, { group: r.group, name: r.name, ...r });
  for (const r of closeoutRows) byGroup.set(r.group, { ...(byGroup.get(r.group) || { group: r.group, name: r.name }), ...r });
  return [...byGroup.values()].sort((a, b) => (a.group < b.group ? -1 : 1));
}

export function qualityTable(rows) {
  return table([
    { label: t('group'), value: groupCell },
    { label: t('contacted'), value: (r) => fmtInt(r.contacted ?? 0), num: true },
    { label: t('first_contact_failed'), value: (r) => fmtInt(r.first_contact_failed ?? 0), num: true },
    { label: t('first_contact_failure_rate'), value: (r) => fmtPct(r.first_contact_failure_rate), num: true },
    { label: t('inspected'), value: (r) => fmtInt(r.inspected ?? 0), num: true },
    { label: t('closeouts_rejected'), value: (r) => fmtInt(r.rejected ?? 0), num: true },
    { label: t('closeout_pass_rate'), value: (r) => fmtPct(r.pass_rate), num: true },
    { label: t('false_closeouts'), value: (r) => fmtInt(r.false_closeouts ?? 0), num: true,
      cls: (r) => (r.false_closeouts ? 'up' : '') },
    { label: t('top_defects'), value: (r) => (r.top_defects || []).map((d) => `${defectName(d.code)} ${d.count}`).join('，') || '—' },
  ], rows, { compact: true });
}
