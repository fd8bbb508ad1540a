// Overview: this month's complaints, repeats and rate, units against their targets, the
// 24-month trend, the decision mix, and the anomalies flagged.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { card, csvButton, fmtInt, fmtNum, fmtPct, fmtPts, groupCell, h, note, table, tableCard, tiles } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, shift, spell } from './period.js';

export async function render(root, ctx) {
  const p = pagePeriod(ctx, ['month']);
  const trend = (metric) => get('/v1/kpi/trend', { metric, periods: 24, to: p.at });
  const [now, before, complaints, repeats, rate, ranking, anomCat, anomUnit, decisions] = await Promise.all([
    get('/v1/kpi/repeats', { at: p.at }),
    get('/v1/kpi/repeats', { at: shift('month', p.at, -1) }),
    trend('complaints'),
    trend('repeats'),
    trend('repeat_rate'),
    get('/v1/kpi/ranking', { at: p.at, by: 'unit' }),
    get('/v1/kpi/anomalies', { at: p.at, by: 'category' }),
    get('/v1/kpi/anomalies', { at: p.at, by: 'unit' }),
    get('/v1/kpi/decisions', { at: p.at }),
  ]);
  const row = now.rows[0] || { complaints: 0, repeats: 0, repeat_rate: null };
  const prev = before.rows[0] || { repeat_rate: null };
  const judged = ranking.rows.filter((r) => r.target_met !== null);
  const met = judged.filter((r) => r.target_met).length;
  const watch = ranking.rows.filter((r) => r.watch).length;
  const delta = row.repeat_rate !== null && prev.repeat_rate !== null ? row.repeat_rate - prev.repeat_rate : null;

  root.append(
    periodPicker(ctx, ['month'], p),
    tiles([
      { label: t('complaints'), value: fmtInt(row.complaints), kpi: 'complaints' },
      { label: t('repeats'), value: fmtInt(row.repeats), kpi: 'repeats' },
      { label: t('repeat_rate'), value: fmtPct(row.repeat_rate), kpi: 'repeat_rate',
        sub: `${t('vs_previous')} ${fmtPts(delta)} ${t('points')}` },
      { label: t('units_meeting_target'), value: `${met} / ${judged.length}`, kpi: 'units_met',
        cls: met < judged.length ? 'warn' : 'ok' },
      { label: t('units_on_watch'), value: fmtInt(watch), kpi: 'watch', cls: watch ? 'warn' : '' },
      { label: t('anomalies_flagged'), value: fmtInt(anomCat.rows.length + anomUnit.rows.length),
        kpi: 'anomalies', cls: anomCat.rows.length + anomUnit.rows.length ? 'alert' : '' },
    ]),
    card(`${t('trend_24')} (${spell('month', rate.from)} – ${spell('month', rate.to)})`,
      chartBox(root, {
        legend: { top: 0 },
        grid: { left: 60, right: 60, top: 40, bottom: 40 },
        xAxis: { type: 'category', data: rate.series.map((s) => s.period) },
        yAxis: [
          { type: 'value', name: t('tickets') },
          { type: 'value', name: t('repeat_rate'), axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
        ],
        series: [
          { name: t('complaints'), type: 'bar', data: complaints.series.map((s) => s.value) },
          { name: t('repeats'), type: 'bar', data: repeats.series.map((s) => s.value) },
          { name: t('repeat_rate'), type: 'line', yAxisIndex: 1, data: rate.series.map((s) => s.value) },
        ],
      })),
    decisionMix(root, p, decisions),
    card(t('units_against_target'), unitsChart(root, ranking)),
    tableCard(t('anomalies'), h('span', {},
      csvButton('/v1/kpi/anomalies', { at: p.at, by: 'category' }, 'anomalies.csv', t('by_category')),
      csvButton('/v1/kpi/anomalies', { at: p.at, by: 'unit' }, 'anomalies.csv', t('by_unit'))),
    note(t('anomalies_help')),
      anomalyTable([...anomCat.rows.map((r) => ({ ...r, kind: t('by_category') })),
        ...anomUnit.rows.map((r) => ({ ...r, kind: t('by_unit') }))])),
  );
}

// The six decisions of GET /v1/kpi/decisions, in its order; excluded calls in muted colours.
const DECISIONS = [
  ['new', '#1f4e79'], ['repeat', '#b03a2e'], ['similar_new', '#d9822b'],
  ['excluded_in_progress', '#8c9bab'], ['excluded_closed', '#a9b4bf'], ['excluded_unmeetable', '#c5ccd3'],
];

// The month's decision mix: a bar per decision and the table of its numbers.
function decisionMix(root, p, answer) {
  const row = answer.rows[0];
  const rows = DECISIONS.map(([d, color]) => ({ d, color, n: row[d] }));
  const share = (n) => (row.total ? n / row.total : null);
  const section = tableCard(t('decision_mix'),
    csvButton('/v1/kpi/decisions', { at: p.at }, 'decisions.csv'),
    note(t('decision_mix_help')),
    chartBox(root, {
      grid: { left: 170, right: 40, top: 10, bottom: 30 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: t('tickets'), minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => t('decision_' + r.d)) },
      series: [{ name: t('decision_mix'), type: 'bar', label: { show: true, position: 'right' },
        data: rows.map((r) => ({ value: r.n, itemStyle: { color: r.color } })) }],
    }),
    table([
      { label: t('decision'), value: (r) => (r.d === 'total' ? t('total') : t('decision_' + r.d)) },
      { label: t('mix_count'), value: (r) => fmtInt(r.n), num: true },
      { label: t('share'), value: (r) => fmtPct(share(r.n)), num: true },
    ], [...rows, { d: 'total', n: row.total }], { rowData: (r) => ({ decision: r.d }) }));
  section.dataset.card = 'decision-mix';
  return section;
}

function unitsChart(root, ranking) {
  const rows = ranking.rows.filter((r) => r.ranked);
  if (!rows.length) return note(t('none_ranked', ranking.min_complaints));
  return chartBox(root, {
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 90 },
    xAxis: { type: 'category', data: rows.map((r) => r.name || r.group), axisLabel: { rotate: 60, fontSize: 10, interval: 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
    series: [
      { name: t('repeat_rate'), type: 'bar',
        data: rows.map((r) => ({ value: r.repeat_rate, itemStyle: { color: r.target_met === false ? '#b03a2e' : '#1f4e79' } })) },
      { name: t('target'), type: 'scatter', symbol: 'diamond', symbolSize: 10, itemStyle: { color: '#d9822b' },
        data: rows.map((r) => r.target) },
    ],
  }, 'chart tall');
}

export function anomalyTable(rows) {
  return table([
    { label: t('kind'), value: (r) => r.kind },
    { label: t('group'), value: groupCell },
    { label: t('observed'), value: (r) => fmtInt(r.observed), num: true },
    { label: t('baseline'), value: (r) => fmtNum(r.baseline), num: true },
    { label: t('score'), value: (r) => fmtNum(r.score), num: true },
    { label: t('history'), value: (r) => r.history.join(' · ') },
  ], rows);
}
