// Problems: the categories with the most repeats against the period before, and the
// categories and units whose repeats jumped (异动). The problem list joins here when its
// endpoint lands.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { card, fmtInt, fmtPct, fmtSigned, groupCell, note, table, tabs } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, spell } from './period.js';
import { anomalyTable } from './page_overview.js';

const LEVELS = ['leaf', '1', '2'];

export async function render(root, ctx) {
  const p = pagePeriod(ctx, ['month', 'quarter', 'year']);
  const level = LEVELS.includes(ctx.params.get('level')) ? ctx.params.get('level') : 'leaf';
  const [top, anomCat, anomUnit] = await Promise.all([
    get('/v1/kpi/top-problems', { period: p.kind, at: p.at, limit: 20, level: level === 'leaf' ? null : level }),
    get('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'category' }),
    get('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'unit' }),
  ]);
  root.append(periodPicker(ctx, ['month', 'quarter', 'year'], p), tabs(ctx, 'level', LEVELS, level));
  if (top.rows.length) {
    root.append(card(`${t('top_problems')} · ${spell(p.kind, p.at)} / ${spell(p.kind, top.previous_period)}`,
      chartBox(root, {
        legend: { top: 0 },
        grid: { left: 150, right: 30, top: 30, bottom: 30 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', inverse: true, data: top.rows.map((r) => r.name || r.group),
          axisLabel: { width: 140, overflow: 'truncate' } },
        series: [
          { name: spell(p.kind, p.at), type: 'bar', data: top.rows.map((r) => r.repeats) },
          { name: spell(p.kind, top.previous_period), type: 'bar', data: top.rows.map((r) => r.previous_repeats) },
        ],
      }, 'chart tall')));
  }
  root.append(
    card(t('top_problems'), topTable(top.rows)),
    card(t('anomalies'), note(t('anomalies_help')),
      anomalyTable([...anomCat.rows.map((r) => ({ ...r, kind: t('by_category') })),
        ...anomUnit.rows.map((r) => ({ ...r, kind: t('by_unit') }))])),
  );
}

export function topTable(rows) {
  return table([
    { label: t('category'), value: groupCell },
    { label: t('repeats'), value: (r) => fmtInt(r.repeats), num: true },
    { label: t('complaints'), value: (r) => fmtInt(r.complaints), num: true },
    { label: t('previous_repeats'), value: (r) => fmtInt(r.previous_repeats), num: true },
    { label: t('change'), value: (r) => fmtSigned(r.change), num: true,
      cls: (r) => (r.change > 0 ? 'up' : r.change < 0 ? 'down' : '') },
    { label: t('change_rate'), value: (r) => (r.change_rate === null ? t('new_this_period') : fmtPct(r.change_rate)), num: true },
  ], rows);
}
