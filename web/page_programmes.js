// Improvement programmes (末位改善专项): each programme for a bottom unit or team with its
// check-in state (overdue flagged) and exit criterion; one programme's rate and rank month by
// month since before it opened, its check-ins and audit trail. A manager key opens a programme,
// records a check-in and closes it.
import { get, send } from './api.js';
import { chartBox } from './charts.js';
import { badge, fmtInt, fmtPct, fmtTime, h, note, table, tableCard, tiles, writeForm } from './dom.js';
import { t } from './i18n.js';

export async function render(root, ctx) {
  const id = /^[1-9][0-9]{0,17}$/.test(ctx.params.get('programme') || '') ? ctx.params.get('programme') : null;
  const [list, one] = await Promise.all([
    get('/v1/programmes'),
    id ? get(`/v1/programmes/${id}`, { before: 3 }) : null,
  ]);
  const all = list.programmes;
  const open = all.filter((x) => x.status === 'open');
  const overdue = open.filter((x) => x.checkin.overdue);
  root.append(
    tiles([
      { label: t('prog_open'), value: fmtInt(open.length), kpi: 'prog_open' },
      { label: t('prog_overdue'), value: fmtInt(overdue.length), kpi: 'prog_overdue', cls: overdue.length ? 'alert' : '' },
      { label: t('prog_exit_met'), value: fmtInt(open.filter((x) => x.exit.met).length), kpi: 'prog_exit_met', cls: 'ok' },
      { label: t('prog_closed'), value: fmtInt(all.length - open.length), kpi: 'prog_closed' },
    ]),
    tableCard(t('programmes'), null, note(t('prog_help')), programmeTable(all, ctx),
      ctx.canWrite ? openForm(ctx) : null),
  );
  if (one) root.append(detail(root, ctx, one));
}

function groupText(x) {
  return `${x.name || x.code} (${t('scope_' + x.scope)} ${x.code})`;
}

function checkinCell(c) {
  if (c.overdue) return h('span', {}, badge(t('checkin_overdue', c.days_overdue), 'bad'), ' ', fmtTime(c.due_at));
  return c.due_at ? `${t('checkin_due')} ${fmtTime(c.due_at)}` : '—';
}

function exitCell(x) {
  const e = x.exit;
  return h('span', {}, e.met ? badge(t('exit_met'), 'ok') : badge(t('exit_not_met'), 'warn'),
    ' ', t('exit_count', e.months_out_of_bottom, e.months_required));
}

function programmeTable(rows, ctx) {
  return table([
    { label: '#', value: (x) => String(x.id), num: true },
    { label: t('group'), value: groupText },
    { label: t('responsible'), value: (x) => x.responsible },
    { label: t('opened_at'), value: (x) => fmtTime(x.opened_at) },
    { label: t('status'), value: (x) => (x.status === 'open' ? badge(t('prog_status_open'), 'warn') : badge(t('prog_status_closed'), 'ok')) },
    { label: t('checkins'), value: (x) => fmtInt(x.checkin.count), num: true },
    { label: t('next_checkin'), value: (x) => (x.status === 'open' ? checkinCell(x.checkin) : '—') },
    { label: t('exit_criterion'), value: exitCell },
  ], rows, {
    compact: true,
    rowData: (x) => ({ programme: x.id }),
    rowClass: (x) => [x.checkin.overdue ? 'overdue' : null, String(x.id) === ctx.params.get('programme') ? 'selected' : null]
      .filter(Boolean).join(' ') || null,
    onRow: (x) => ctx.go({ programme: String(x.id) }),
  });
}

function detail(root, ctx, x) {
  const months = x.months.map((m) => m.month);
  const chart = chartBox(root, {
    legend: { top: 0 },
    grid: { left: 50, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: months },
    yAxis: [
      { type: 'value', name: t('repeat_rate'), axisLabel: { formatter: (v) => `${(v * 100).toFixed(0)}%` } },
      { type: 'value', name: t('rank'), inverse: true, minInterval: 1, min: 1 },
    ],
    series: [
      { name: t('repeat_rate'), type: 'line', data: x.months.map((m) => m.repeat_rate),
        markLine: months.includes(x.opened_month) ? { symbol: 'none', lineStyle: { color: '#b03a2e', type: 'dashed' },
          label: { formatter: t('opened_mark') }, data: [{ xAxis: x.opened_month }] } : undefined },
      { name: t('rank'), type: 'line', yAxisIndex: 1, step: 'middle',
        data: x.months.map((m) => ({ value: m.ranked ? m.rank : null, itemStyle: m.watch ? { color: '#b03a2e' } : undefined })) },
    ],
  });
  const box = h('section', { class: 'card programme-detail', data: { programmeDetail: x.id } },
    h('div', { class: 'card-head' }, h('h2', { text: `#${x.id} ${groupText(x)}` }),
      h('a', { class: 'link', href: ctx.link('programmes', {}), text: t('close') })),
    h('p', { class: 'note', text: `${t('responsible')} ${x.responsible} · ${t('opened_at')} ${fmtTime(x.opened_at)} · ${t('interval', x.checkin.interval_days)}` }),
    h('p', {}, h('strong', { text: t('measures') + '：' }), x.measures),
    h('p', {}, h('strong', { text: t('exit_criterion') + '：' }), exitCell(x), ' ',
      h('span', { class: 'note', text: t('exit_help', x.exit.months_required) })),
    x.status === 'closed' ? h('p', { text: t('closed_line', fmtTime(x.closed_at), x.closed_by, x.close_note || '—',
      x.exit_met_at_close ? t('exit_met') : t('exit_not_met')) }) : null,
    x.checkin.overdue ? h('p', { class: 'error', text: t('checkin_overdue', x.checkin.days_overdue) }) : null,
    chart,
    table([
      { label: t('month'), value: (m) => m.month },
      { label: t('complaints'), value: (m) => fmtInt(m.complaints), num: true },
      { label: t('repeats'), value: (m) => fmtInt(m.repeats), num: true },
      { label: t('repeat_rate'), value: (m) => fmtPct(m.repeat_rate), num: true },
      { label: t('rank'), value: (m) => (m.ranked ? String(m.rank) : t('unranked')), num: true },
      { label: t('on_watch'), value: (m) => (m.watch ? badge(t('watch_mark'), 'bad') : '—') },
    ], x.months, { compact: true, rowData: (m) => ({ month: m.month }), rowClass: (m) => (m.since_opening ? null : 'before') }),
    h('h3', { text: t('checkins') }),
    table([
      { label: t('date'), value: (c) => fmtTime(c.at) },
      { label: t('status'), value: (c) => t('checkin_' + c.status) },
      { label: t('note_col'), value: (c) => c.notes },
      { label: t('recorded_by'), value: (c) => c.recorded_by },
    ], x.checkins, { compact: true }),
    h('h3', { text: t('audit') }),
    table([
      { label: t('date'), value: (a) => fmtTime(a.changed_at) },
      { label: t('action'), value: (a) => t('audit_' + a.action) },
      { label: t('recorded_by'), value: (a) => a.changed_by },
    ], x.audit, { compact: true }));
  if (ctx.canWrite && x.status === 'open') {
    const path = `/v1/programmes/${x.id}`;
    box.append(
      writeForm('programme-checkin', t('record_checkin'), [
        { name: 'status', label: t('status'), type: 'select',
          options: ['on_track', 'at_risk', 'off_track'].map((s) => [s, t('checkin_' + s)]) },
        { name: 'notes', label: t('note_col'), type: 'textarea', required: true },
      ], t('save'), async (v) => {
        await send('POST', path + '/checkins', { at: new Date().toISOString(), ...v });
        ctx.reload();
      }),
      writeForm('programme-close', t('close_programme'), [
        { name: 'note', label: t('note_col'), type: 'textarea', required: true },
      ], t('close_programme'), async (v) => {
        await send('POST', path + '/status', { status: 'closed', at: new Date().toISOString(), note: v.note });
        ctx.reload();
      }));
  }
  return box;
}

function openForm(ctx) {
  return writeForm('programme-open', t('open_programme'), [
    { name: 'scope', label: t('scope'), type: 'select', options: [['unit', t('scope_unit')], ['team', t('scope_team')]] },
    { name: 'code', label: t('group_code'), required: true, max: 64 },
    { name: 'responsible', label: t('responsible'), required: true },
    { name: 'checkin_interval_days', label: t('interval_days'), type: 'number', value: 7, min: 1, maxValue: 365, required: true },
    { name: 'measures', label: t('measures'), type: 'textarea', required: true },
  ], t('create'), async (v) => {
    const made = await send('POST', '/v1/programmes', v);
    ctx.go({ programme: String(made.id) });
  });
}
