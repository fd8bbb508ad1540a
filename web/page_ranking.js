// Ranking: units, teams or handlers by repeat rate, targets met or not, the bottom N marked;
// a row opens that group's 24-month history.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { badge, card, csvButton, fmtInt, fmtPct, groupCell, h, note, table, tableCard, tabs } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, spell } from './period.js';

const BY = ['unit', 'team', 'handler'];

export async function render(root, ctx) {
  const p = pagePeriod(ctx, ['month', 'quarter', 'year']);
  const by = BY.includes(ctx.params.get('by')) ? ctx.params.get('by') : 'unit';
  const group = ctx.params.get('group');
  const ranking = await get('/v1/kpi/ranking', { period: p.kind, at: p.at, by });
  const ranked = ranking.rows.filter((r) => r.ranked);
  const watch = ranking.rows.filter((r) => r.watch);

  root.append(
    periodPicker(ctx, ['month', 'quarter', 'year'], p),
    tabs(ctx, 'by', BY, by),
    note(t('ranking_help', ranking.min_complaints, ranking.bottom_n)),
  );
  if (group) root.append(await drill(root, ctx, p, by, group, ranking));
  if (by !== 'handler' && ranked.length) {
    root.append(card(`${t('repeat_rate')} · ${spell(p.kind, p.at)}`, chartBox(root, {
      grid: { left: 160, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
      yAxis: { type: 'category', inverse: true, data: ranked.map((r) => r.name || r.group),
        axisLabel: { fontSize: 11, width: 150, overflow: 'truncate' } },
      series: [
        { name: t('repeat_rate'), type: 'bar',
          data: ranked.map((r) => ({ value: r.repeat_rate, itemStyle: { color: r.watch ? '#b03a2e' : '#1f4e79' } })) },
        { name: t('target'), type: 'scatter', symbol: 'diamond', symbolSize: 9,
          data: ranked.map((r) => r.target) },
      ],
    }, ranked.length > 45 ? 'chart very-tall' : 'chart tall')));
  }
  root.append(tableCard(`${t('ranking_of_' + by)} · ${spell(p.kind, p.at)} (${t('on_watch')}: ${watch.length})`,
    csvButton('/v1/kpi/ranking', { period: p.kind, at: p.at, by }),
    rankingTable(ranking.rows, {
      onRow: (r) => ctx.go({ group: r.group }),
    })));
}

export function rankingTable(rows, opts = {}) {
  return table([
    { label: t('rank'), value: (r) => (r.ranked ? String(r.rank) : t('unranked')), num: true },
    { label: t('group'), value: groupCell },
    { label: t('complaints'), value: (r) => fmtInt(r.complaints), num: true },
    { label: t('repeats'), value: (r) => fmtInt(r.repeats), num: true },
    { label: t('repeat_rate'), value: (r) => fmtPct(r.repeat_rate), num: true },
    { label: t('target'), value: (r) => fmtPct(r.target), num: true },
    { label: t('target_met'), value: (r) => (r.target_met === null ? '—'
      : badge(r.target_met ? t('met') : t('not_met'), r.target_met ? 'ok' : 'bad')) },
    { label: t('on_watch'), value: (r) => (r.watch ? badge(t('watch_mark'), 'bad') : '') },
  ], rows, {
    rowClass: (r) => (r.watch ? 'watch' : null),
    rowData: (r) => ({ group: r.group }),
    onRow: opts.onRow,
  });
}

// One group's history (its repeats and repeat rate over the last 24 months, 8 quarters or 3
// years) and what is under it: a unit's teams and handlers, a team's handlers, each ranked
// among all of its kind (rows name their parent: PUT /v1/admin/units).
async function drill(root, ctx, p, by, group, ranking) {
  const periods = { month: 24, quarter: 8, year: 3 }[p.kind];
  const q = (metric) => get('/v1/kpi/trend', { metric, period: p.kind, periods, by, group, to: p.at });
  const below = { unit: ['team', 'handler'], team: ['handler'], handler: [] }[by];
  const [rate, repeats, ...lower] = await Promise.all([q('repeat_rate'), q('repeats'),
    ...below.map((b) => get('/v1/kpi/ranking', { period: p.kind, at: p.at, by: b }))]);
  const row = ranking.rows.find((r) => r.group === group);
  const title = `${t('history_of')} ${row && row.name ? row.name : group} (${group})`;
  const parents = new Set([group]);
  const parts = lower.map((answer, i) => {
    const rows = answer.rows.filter((r) => parents.has(r.parent));
    for (const r of rows) parents.add(r.group);
    return [h('h3', { text: `${t('below_' + below[i])} (${rows.length})` }),
      rows.length ? rankingTable(rows) : note(t('below_none'))];
  });
  const box = card(title,
    h('button', { type: 'button', class: 'link no-print', text: t('close'), on: { click: () => ctx.go({ group: null }) } }),
    chartBox(root, {
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: rate.series.map((s) => s.period) },
      yAxis: [{ type: 'value', name: t('repeats') },
        { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } }],
      series: [
        { name: t('repeats'), type: 'bar', data: repeats.series.map((s) => s.value) },
        { name: t('repeat_rate'), type: 'line', yAxisIndex: 1, data: rate.series.map((s) => s.value) },
      ],
    }),
    parts);
  box.classList.add('drill');
  return box;
}
