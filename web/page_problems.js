// Problems: the categories with the most repeats against the period before, the categories and
// units whose repeats jumped (异动), what deserves a place on the problem list (问题清单), the
// list itself and each problem's effect (before/after its measures). A manager key creates
// problems (also from a suggestion), adds measures and notes and moves their status.
import { get, send } from './api.js';
import { chartBox } from './charts.js';
import {
  badge, card, csvButton, fmtInt, fmtNum, fmtPct, fmtSigned, fmtTime, groupCell, h, note, refusalText, table, tableCard,
  tabs, writeForm,
} from './dom.js';
import { t } from './i18n.js';
import { pagePeriod, periodPicker, spell } from './period.js';
import { anomalyTable } from './page_overview.js';

const LEVELS = ['leaf', '1', '2'];
const STATUSES = ['open', 'in_progress', 'verified_fixed', 'closed_unfixed'];
const SOURCES = ['manual', 'top_problem', 'anomaly', 'hotspot'];

export async function render(root, ctx) {
  const p = pagePeriod(ctx, ['month', 'quarter', 'year']);
  const level = LEVELS.includes(ctx.params.get('level')) ? ctx.params.get('level') : 'leaf';
  // Suggestions are by month: the page's month, or the current one for a quarter or a year.
  const month = p.kind === 'month' ? p.at : ctx.current;
  const filter = {
    status: STATUSES.includes(ctx.params.get('status')) ? ctx.params.get('status') : null,
    department: ctx.params.get('department') || null,
    overdue: ['true', 'false'].includes(ctx.params.get('overdue')) ? ctx.params.get('overdue') : null,
  };
  const problemId = /^[1-9][0-9]{0,17}$/.test(ctx.params.get('problem') || '') ? ctx.params.get('problem') : null;
  const topQ = { period: p.kind, at: p.at, limit: 20, level: level === 'leaf' ? null : level };
  const [top, anomCat, anomUnit, sugg, list, all, problem] = await Promise.all([
    get('/v1/kpi/top-problems', topQ),
    get('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'category' }),
    get('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'unit' }),
    get('/v1/problems/suggestions', { at: month }),
    get('/v1/problems', { ...filter, limit: 500 }),
    get('/v1/problems', { limit: 500 }),
    problemId ? get(`/v1/problems/${problemId}`) : null,
  ]);
  root.append(periodPicker(ctx, ['month', 'quarter', 'year'], p));

  // The problem list first: it is what a quality manager comes back to.
  const departments = [...new Set(all.problems.map((x) => x.department).filter(Boolean))].sort();
  root.append(tableCard(t('problem_list'), null,
    filters(ctx, filter, departments),
    problemTable(list.problems, ctx),
    list.total > list.problems.length ? note(t('problems_truncated', list.problems.length, list.total)) : null,
    ctx.canWrite ? createForm(ctx, p, month) : null));
  if (problem) root.append(problemDetail(root, ctx, problem));

  root.append(tableCard(t('suggestions', spell('month', month)), null,
    note(t('suggestions_help', sugg.hotspot.min_citizens, sugg.hotspot.radius_m, sugg.hotspot.days)),
    suggestionTable(sugg.suggestions, ctx)));

  root.append(tabs(ctx, 'level', LEVELS, level));
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
    tableCard(t('top_problems'), csvButton('/v1/kpi/top-problems', topQ), topTable(top.rows)),
    tableCard(t('anomalies'), h('span', {},
      csvButton('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'category' }, 'anomalies.csv', t('by_category')),
      csvButton('/v1/kpi/anomalies', { period: p.kind, at: p.at, by: 'unit' }, 'anomalies.csv', t('by_unit'))),
    note(t('anomalies_help')),
    anomalyTable([...anomCat.rows.map((r) => ({ ...r, kind: t('by_category') })),
      ...anomUnit.rows.map((r) => ({ ...r, kind: t('by_unit') }))])),
  );
}

function filters(ctx, f, departments) {
  const sel = (name, values, current, label) => h('select', {
    id: 'filter-' + name, 'aria-label': label,
    on: { change: (e) => ctx.go({ [name]: e.target.value || null, problem: null }) },
  }, h('option', { value: '', text: label + t('any') }),
  values.map(([v, l]) => h('option', { value: v, text: l, selected: v === current })));
  return h('div', { class: 'picker' },
    sel('status', STATUSES.map((s) => [s, t('status_' + s)]), f.status, t('status')),
    sel('department', departments.map((d) => [d, d]), f.department, t('department')),
    sel('overdue', [['true', t('overdue_yes')], ['false', t('overdue_no')]], f.overdue, t('overdue')));
}

export function statusBadge(s) {
  return badge(t('status_' + s), { open: 'warn', in_progress: 'warn', verified_fixed: 'ok', closed_unfixed: 'bad' }[s] || '');
}

function problemTable(rows, ctx) {
  return table([
    { label: '#', value: (r) => String(r.id), num: true },
    { label: t('title'), value: (r) => r.title },
    { label: t('scope'), value: (r) => scopeText(r.scope) },
    { label: t('source'), value: (r) => `${t('source_' + r.source)} ${r.source_period || ''}` },
    { label: t('department'), value: (r) => r.department || '—' },
    { label: t('due_date'), value: (r) => h('span', {}, r.due_date || '—', r.overdue ? badge(t('overdue'), 'bad') : null) },
    { label: t('status'), value: (r) => statusBadge(r.status) },
    { label: t('measures'), value: (r) => fmtInt(r.measure_count), num: true },
  ], rows, {
    compact: true,
    rowData: (r) => ({ problem: r.id }),
    rowClass: (r) => (String(r.id) === ctx.params.get('problem') ? 'selected' : null),
    onRow: (r) => ctx.go({ problem: String(r.id) }),
  });
}

function scopeText(scope) {
  const cat = scope.category_name ? `${scope.category_name} (${scope.category})` : scope.category;
  return scope.unit ? `${cat} · ${scope.unit_name || scope.unit}` : cat;
}

// One problem: its effect chart, the averages before and after, the measures and the dated
// updates; a manager adds a measure or a note and moves the status along.
function problemDetail(root, ctx, pr) {
  const e = pr.effect;
  const months = e.months.map((m) => m.period);
  const marks = pr.measures.map((m) => ({ xAxis: m.effective_date.slice(0, 7), name: m.effective_date }))
    .filter((m) => months.includes(m.xAxis));
  const chart = chartBox(root, {
    legend: { top: 0 },
    grid: { left: 50, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: months },
    yAxis: [
      { type: 'value', name: t('repeats'), minInterval: 1 },
      { type: 'value', name: t('repeat_rate'), axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
    ],
    series: [
      { name: t('repeats'), type: 'bar', data: e.months.map((m) => ({
        value: m.repeats, itemStyle: { color: m.side === 'after' ? '#2e8b57' : '#1f4e79', opacity: m.complete ? 1 : 0.5 },
      })),
      markLine: marks.length ? { symbol: 'none', label: { formatter: (x) => `${t('measure')} ${x.name}` },
        lineStyle: { color: '#b03a2e', type: 'dashed' }, data: marks } : undefined },
      { name: t('repeat_rate'), type: 'line', yAxisIndex: 1, data: e.months.map((m) => m.repeat_rate) },
    ],
  });
  const side = (s) => `${fmtNum(s.repeats_per_month, 2)} · ${fmtPct(s.repeat_rate)} (${t('n_months', s.months)})`;
  const box = h('section', { class: 'card problem-detail', data: { problemDetail: pr.id } },
    h('div', { class: 'card-head' },
      h('h2', {}, `#${pr.id} `, pr.title, ' ', statusBadge(pr.status)),
      h('a', { class: 'link', href: ctx.link('problems', { ...Object.fromEntries(ctx.params.entries()), problem: null }), text: t('close') })),
    h('p', { class: 'note' }, [scopeText(pr.scope), pr.department || '—', `${t('due_date')} ${pr.due_date || '—'}`,
      `${t('created_by')} ${pr.created_by}`].join(' · ')),
    h('h3', { text: e.measured_from ? t('effect_title', e.measured_from) : t('effect_no_measure') }),
    chart,
    h('dl', { class: 'effect' },
      h('dt', { text: t('effect_before') }), h('dd', { data: { effect: 'before' }, text: side(e.before) }),
      h('dt', { text: t('effect_after') }), h('dd', { data: { effect: 'after' }, text: side(e.after) }),
      h('dt', { text: t('change') }), h('dd', { data: { effect: 'change' },
        text: `${e.change.repeats_per_month === null ? '—' : fmtSigned(Number(e.change.repeats_per_month.toFixed(2)))} · ${e.change.repeat_rate === null ? '—' : fmtSigned(Number((e.change.repeat_rate * 100).toFixed(1)))}` })),
    h('h3', { text: t('measures') }),
    table([
      { label: t('effective_date'), value: (m) => m.effective_date },
      { label: t('measure'), value: (m) => m.description },
      { label: t('recorded_by'), value: (m) => m.recorded_by },
    ], pr.measures, { compact: true }),
    h('h3', { text: t('updates') }),
    table([
      { label: t('date'), value: (u) => u.date },
      { label: t('update_kind'), value: (u) => t('update_' + u.kind) },
      { label: t('status'), value: (u) => (u.new_status ? `${u.old_status ? t('status_' + u.old_status) + ' → ' : ''}${t('status_' + u.new_status)}` : '—') },
      { label: t('note_col'), value: (u) => u.note || (u.changes ? JSON.stringify(u.changes) : '—') },
      { label: t('recorded_by'), value: (u) => `${u.recorded_by} ${fmtTime(u.recorded_at)}` },
    ], pr.updates, { compact: true }));
  if (ctx.canWrite) {
    const path = `/v1/problems/${pr.id}`;
    if (pr.allowed_transitions.length) {
      box.append(writeForm('problem-status', t('change_status'), [
        { name: 'status', label: t('status'), type: 'select', options: pr.allowed_transitions.map((s) => [s, t('status_' + s)]) },
        { name: 'note', label: t('note_col'), type: 'textarea' },
      ], t('save'), async (v) => { await send('POST', path + '/status', v); ctx.reload(); }));
    } else {
      box.append(note(t('status_final')));
    }
    box.append(
      writeForm('problem-measure', t('add_measure'), [
        { name: 'description', label: t('measure'), type: 'textarea', required: true },
        { name: 'effective_date', label: t('effective_date'), type: 'date', required: true },
      ], t('save'), async (v) => { await send('POST', path + '/measures', v); ctx.reload(); }),
      writeForm('problem-edit', t('edit_problem'), [
        { name: 'title', label: t('title'), value: pr.title, required: true },
        { name: 'department', label: t('department'), value: pr.department || '' },
        { name: 'due_date', label: t('due_date'), type: 'date', value: pr.due_date || '' },
      ], t('save'), async (v) => {
        // Only what changed: the API records each changed field's old and new value.
        const body = {};
        for (const k of ['title', 'department', 'due_date']) if (v[k] && v[k] !== (pr[k] || '')) body[k] = v[k];
        if (Object.keys(body).length) await send('PATCH', path, body);
        ctx.reload();
      }),
      writeForm('problem-note', t('add_note'), [
        { name: 'note', label: t('note_col'), type: 'textarea', required: true },
        { name: 'date', label: t('date'), type: 'date' },
      ], t('save'), async (v) => { await send('POST', path + '/notes', v); ctx.reload(); }));
  }
  return box;
}

function createForm(ctx, p, month) {
  return writeForm('problem-create', t('create_problem'), [
    { name: 'title', label: t('title'), required: true },
    { name: 'category', label: t('category_code'), required: true, max: 64 },
    { name: 'unit', label: t('unit_code_optional'), max: 64 },
    { name: 'source', label: t('source'), type: 'select', options: SOURCES.map((s) => [s, t('source_' + s)]) },
    { name: 'source_period', label: t('source_period'), value: month, max: 7 },
    { name: 'department', label: t('department') },
    { name: 'due_date', label: t('due_date'), type: 'date' },
  ], t('create'), async (v) => {
    const body = { title: v.title, scope: { category: v.category }, source: v.source };
    if (v.unit) body.scope.unit = v.unit;
    for (const k of ['source_period', 'department', 'due_date']) if (v[k]) body[k] = v[k];
    const made = await send('POST', '/v1/problems', body);
    ctx.go({ problem: String(made.id), status: null, department: null, overdue: null });
  });
}

function suggestionTable(rows, ctx) {
  const figures = (s) => {
    if (s.source === 'top_problem') return t('sugg_top', s.rank, s.repeats, s.previous);
    if (s.source === 'anomaly') return t('sugg_anomaly', s.repeats, fmtNum(s.baseline), fmtNum(s.score));
    if (s.source === 'hotspot') return t('sugg_hotspot', s.citizens, s.tickets, fmtTime(s.first_received_at), fmtTime(s.last_received_at));
    return '';
  };
  const cols = [
    { label: t('source'), value: (s) => t('source_' + s.source) },
    { label: t('category'), value: (s) => h('span', { class: 'group' }, s.category_name || s.category,
      s.category_name ? h('small', { class: 'code', text: s.category }) : null) },
    { label: t('figures'), value: figures },
    { label: t('proposed_title'), value: (s) => s.problem.title },
  ];
  if (ctx.canWrite) {
    cols.push({ label: '', value: (s) => {
      const err = h('span', { class: 'form-error', role: 'status' });
      const b = h('button', { type: 'button', class: 'small', text: t('add_to_list'), data: { write: '' },
        on: { click: async () => {
          err.textContent = '';
          b.disabled = true;
          try {
            const made = await send('POST', '/v1/problems', s.problem);
            ctx.go({ problem: String(made.id), status: null, department: null, overdue: null });
          } catch (e) {
            err.textContent = refusalText(e);
            b.disabled = false;
          }
        } } });
      return h('span', {}, b, err);
    } });
  }
  return table(cols, rows, { compact: true, rowData: (s) => ({ suggestion: s.category }) });
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
