// The periodic report (通报) for a month, quarter or year, assembled from the KPI answers and
// laid out for A4: "Print → Save as PDF" gives the document a centre circulates. The report
// endpoint of the improvement loop replaces the assembling here when it lands.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { fmtInt, fmtPct, h, note } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, shift, spell } from './period.js';
import { anomalyTable } from './page_overview.js';
import { topTable } from './page_problems.js';
import { merge, qualityTable } from './page_quality.js';
import { rankingTable } from './page_ranking.js';

// A change of the rate in words: 上升 1.2 / 下降 0.4 / 持平 (percentage points follow).
function trendWords(delta) {
  if (delta === null) return '—';
  const pts = Math.abs(delta * 100).toFixed(1);
  if (pts === '0.0') return t('flat');
  return `${t(delta > 0 ? 'up' : 'down')} ${pts}`;
}

export async function render(root, ctx) {
  // A report is about a finished period: the last complete one unless one is asked for.
  const p = pagePeriod(ctx, ['month', 'quarter', 'year'], -1);
  const prev = shift(p.kind, p.at, -1);
  const periods = { month: 12, quarter: 8, year: 3 }[p.kind];
  const q = { period: p.kind, at: p.at };
  const [now, before, trend, ranking, top, anomCat, anomUnit, contact, closeout, green] = await Promise.all([
    get('/v1/kpi/repeats', q),
    get('/v1/kpi/repeats', { period: p.kind, at: prev }),
    get('/v1/kpi/trend', { metric: 'repeat_rate', period: p.kind, periods, to: p.at }),
    get('/v1/kpi/ranking', { ...q, by: 'unit' }),
    get('/v1/kpi/top-problems', { ...q, limit: 10 }),
    get('/v1/kpi/anomalies', { ...q, by: 'category' }),
    get('/v1/kpi/anomalies', { ...q, by: 'unit' }),
    get('/v1/kpi/contact-failures', { ...q, by: 'unit' }),
    get('/v1/kpi/closeout-quality', { ...q, by: 'unit' }),
    get('/v1/kpi/green-channel', { limit: 1000 }),
  ]);
  const row = now.rows[0] || { complaints: 0, repeats: 0, repeat_rate: null };
  const last = before.rows[0] || { complaints: 0, repeats: 0, repeat_rate: null };
  const delta = row.repeat_rate !== null && last.repeat_rate !== null ? row.repeat_rate - last.repeat_rate : null;
  const watch = ranking.rows.filter((r) => r.watch);
  const judged = ranking.rows.filter((r) => r.target_met !== null);
  const missed = judged.filter((r) => !r.target_met);
  const k = (name, text) => h('strong', { data: { kpi: name }, text });

  const doc = h('article', { class: 'report' },
    h('header', { class: 'report-head' },
      h('h1', { text: t('report_title', spell(p.kind, p.at)) }),
      h('p', { class: 'report-meta', text: t('report_meta', new Date().toLocaleDateString('sv-SE'),
        now.definition_versions.join(', ') || '—') })),
    h('h2', { text: t('report_s1') }),
    h('p', { class: 'headline' },
      t('report_l1a'), k('complaints', fmtInt(row.complaints)), t('report_l1b'),
      k('repeats', fmtInt(row.repeats)), t('report_l1c'), k('repeat_rate', fmtPct(row.repeat_rate)),
      t('report_l1d', spell(p.kind, prev)), k('delta', trendWords(delta)), t('report_l1e')),
    h('p', {}, t('report_l2', judged.length, judged.length - missed.length, missed.length, watch.length,
      anomCat.rows.length + anomUnit.rows.length, green.chains.length)),
    h('div', { class: 'report-chart' }, chartBox(root, {
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      title: { text: t('report_trend'), left: 'center', textStyle: { fontSize: 12 } },
      xAxis: { type: 'category', data: trend.series.map((s) => s.period) },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
      series: [{ name: t('repeat_rate'), type: 'line', data: trend.series.map((s) => s.value),
        label: { show: true, fontSize: 9, formatter: (x) => (x.value === null ? '' : `${(x.value * 100).toFixed(1)}%`) } }],
    }, 'chart report-chart-box')),
    h('h2', { text: t('report_s2') }),
    rankingTable(ranking.rows),
    watch.length ? h('p', {}, t('report_watch'), watch.map((r) => r.name || r.group).join('、')) : null,
    h('h2', { text: t('report_s3') }),
    topTable(top.rows),
    h('h2', { text: t('report_s4') }),
    anomalyTable([...anomCat.rows.map((r) => ({ ...r, kind: t('by_category') })),
      ...anomUnit.rows.map((r) => ({ ...r, kind: t('by_unit') }))]),
    h('h2', { text: t('report_s5') }),
    qualityTable(merge(contact.rows, closeout.rows)),
    note(t('report_foot')),
  );
  root.append(
    h('div', { class: 'no-print report-tools' },
      periodPicker(ctx, ['month', 'quarter', 'year'], p),
      h('button', { type: 'button', id: 'print', text: t('print'), on: { click: () => window.print() } })),
    doc,
  );
}
