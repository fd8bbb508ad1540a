// The periodic report (通报) for a month, quarter or year: one request, GET /v1/reports/{period},
// laid out for A4 so that "Print → Save as PDF" gives the document a centre circulates. Each
// table has a CSV button: GET /v1/reports/{period}?format=csv&table=NAME.
import { get } from './api.js';
import { chartBox } from './charts.js';
import { badge, csvButton, fmtInt, fmtPct, fmtTime, h, note, table } from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, spell } from './period.js';
import { anomalyTable } from './page_overview.js';
import { statusBadge, topTable } from './page_problems.js';
import { merge, qualityTable } from './page_quality.js';
import { rankingTable } from './page_ranking.js';

// A change of the rate in words: 上升 1.2 / 下降 0.4 / 持平 (percentage points follow).
function trendWords(delta) {
  if (delta === null || delta === undefined) return '—';
  const pts = Math.abs(delta * 100).toFixed(1);
  if (pts === '0.0') return t('flat');
  return `${t(delta > 0 ? 'up' : 'down')} ${pts}`;
}

export async function render(root, ctx) {
  // A report is about a finished period: the last complete one unless one is asked for.
  const p = pagePeriod(ctx, ['month', 'quarter', 'year'], -1);
  const r = await get(`/v1/reports/${encodeURIComponent(p.at)}`);
  const csv = (name, label) => csvButton(`/v1/reports/${encodeURIComponent(p.at)}`, { table: name }, `repeatd-report-${p.at}-${name}.csv`, label);
  const section = (title, name, label) => h('div', { class: 'report-section-head' }, h('h2', { text: title }), name ? csv(name, label) : null);
  const hd = r.headline;
  const row = hd.current;
  const delta = hd.vs_previous ? hd.vs_previous.repeat_rate : null;
  const ranking = r.ranking.rows;
  const watch = ranking.filter((x) => x.watch);
  const judged = ranking.filter((x) => x.target_met !== null);
  const missed = judged.filter((x) => !x.target_met);
  const anomalies = [...r.anomalies.by_category.rows.map((x) => ({ ...x, kind: t('by_category') })),
    ...r.anomalies.by_unit.rows.map((x) => ({ ...x, kind: t('by_unit') }))];
  const pg = r.programmes;
  const gc = r.green_channel;
  const k = (name, text) => h('strong', { data: { kpi: name }, text });
  const three = [hd.year_ago, hd.previous, hd.current].filter(Boolean);
  let n = 1;
  const num = () => t('report_n' + n++);

  const doc = h('article', { class: 'report' },
    h('header', { class: 'report-head' },
      h('h1', { text: t('report_title', spell(p.kind, p.at)) }),
      h('p', { class: 'report-meta', text: t('report_meta', new Date().toLocaleDateString('sv-SE'),
        r.definition_versions.join(', ') || '—') })),
    section(num() + t('report_s1'), 'headline'),
    h('p', { class: 'headline' },
      t('report_l1a'), k('complaints', fmtInt(row.complaints)), t('report_l1b'),
      k('repeats', fmtInt(row.repeats)), t('report_l1c'), k('repeat_rate', fmtPct(row.repeat_rate)),
      t('report_l1d', spell(p.kind, hd.previous.period)), k('delta', trendWords(delta)), t('report_l1e'),
      hd.year_ago ? h('span', {}, t('report_l1f', spell(p.kind, hd.year_ago.period)),
        k('delta_year', trendWords(hd.vs_year_ago ? hd.vs_year_ago.repeat_rate : null)), t('report_l1e')) : null,
      t('report_l1g')),
    h('p', {}, t('report_l2b', judged.length, judged.length - missed.length, missed.length, watch.length,
      anomalies.length, pg.open_now, gc.in_channel_now)),
    h('div', { class: 'report-chart' }, chartBox(root, {
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      title: { text: t('report_compare'), left: 'center', textStyle: { fontSize: 12 } },
      xAxis: { type: 'category', data: three.map((x) => spell(p.kind, x.period)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
      series: [{ name: t('repeat_rate'), type: 'bar', barWidth: '35%', data: three.map((x) => x.repeat_rate),
        label: { show: true, position: 'top', fontSize: 9, formatter: (x) => (x.value === null ? '' : `${(x.value * 100).toFixed(1)}%`) } }],
    }, 'chart report-chart-box')),
    section(num() + t('report_s2'), 'ranking'),
    rankingTable(ranking),
    watch.length ? h('p', {}, t('report_watch'), watch.map((x) => x.name || x.group).join('、')) : null,
    section(num() + t('report_s_prog'), 'programmes'),
    h('p', { text: t('report_prog_line', pg.open_now, pg.opened_in_period, pg.closed_in_period, pg.exit_met, pg.checkin_overdue) }),
    table([
      { label: t('group'), value: (x) => `${x.name || x.code} (${x.code})` },
      { label: t('responsible'), value: (x) => x.responsible },
      { label: t('opened_at'), value: (x) => fmtTime(x.opened_at).slice(0, 10) },
      { label: t('status'), value: (x) => t('prog_status_' + x.status) },
      { label: t('next_checkin'), value: (x) => (x.checkin.overdue ? badge(t('checkin_overdue', x.checkin.days_overdue), 'bad') : '—') },
      { label: t('exit_criterion'), value: (x) => `${x.exit.met ? t('exit_met') : t('exit_not_met')} ${t('exit_count', x.exit.months_out_of_bottom, x.exit.months_required)}` },
    ], pg.programmes, { compact: true, rowData: (x) => ({ programme: x.id }) }),
    section(num() + t('report_s3'), 'top_problems'),
    topTable(r.top_problems.rows),
    section(num() + t('report_s4'), 'anomalies'),
    anomalyTable(anomalies),
    r.problems ? problemsSection(section(num() + t('report_s_problems'), 'problems'), r.problems) : null,
    section(num() + t('report_s5'), 'closeout_quality', t('closeout_pass_rate')),
    h('div', { class: 'no-print report-csv-extra' }, csv('contact_failures', t('first_contact_failure_rate'))),
    qualityTable(merge(r.contact_failures.rows, r.closeout_quality.rows)),
    section(num() + t('report_s_green'), 'green_channel'),
    h('p', { data: { section: 'green' }, text: t('report_green_line', gc.min_repeats, gc.in_channel_now, gc.unassigned_now,
      gc.verification_overdue_now, gc.verifications_in_period, gc.solved_in_period, gc.verify_days) }),
    note(t('report_foot')),
  );
  root.append(
    h('div', { class: 'no-print report-tools' },
      periodPicker(ctx, ['month', 'quarter', 'year'], p),
      h('button', { type: 'button', id: 'print', text: t('print'), on: { click: () => window.print() } })),
    doc,
  );
}

// The problem list's movements in the period, when the report carries them: counts, then each
// problem that moved or was overdue at the period's end.
function problemsSection(head, pr) {
  const sc = pr.status_changes || {};
  return h('div', { data: { section: 'problems' } }, head,
    h('p', { text: t('report_problems_line', pr.created, sc.in_progress, sc.verified_fixed, sc.closed_unfixed,
      pr.measures_taken, pr.problems_with_measures, pr.overdue_at_end) }),
    table([
      { label: '#', value: (x) => String(x.id), num: true },
      { label: t('title'), value: (x) => x.title },
      { label: t('department'), value: (x) => x.department || '—' },
      { label: t('due_date'), value: (x) => h('span', {}, x.due_date || '—', x.overdue_at_end ? badge(t('overdue'), 'bad') : null) },
      { label: t('report_moves'), value: (x) => [
        x.created_in_period ? t('update_created') : null,
        x.to_in_progress ? t('status_in_progress') : null,
        x.to_verified_fixed ? t('status_verified_fixed') : null,
        x.to_closed_unfixed ? t('status_closed_unfixed') : null,
        x.measures_taken ? t('report_n_measures', x.measures_taken) : null,
      ].filter(Boolean).join('、') || '—' },
      { label: t('report_status_at_end'), value: (x) => statusBadge(x.status_at_end) },
    ], pr.rows || [], { compact: true, rowData: (x) => ({ problem: x.id }) }));
}
