// Green channel (绿色通道, 专人维护核查): the worklist of GET /v1/green-channel as the server
// orders it (unassigned first, then those whose verification is overdue, oldest first within
// each), with each chain's specialist and days waiting. A manager key assigns a specialist and
// records a verification.
import { get, send } from './api.js';
import { badge, csvButton, fmtInt, fmtTime, h, note, table, tableCard, tiles, writeForm } from './dom.js';
import { t } from './i18n.js';

export async function render(root, ctx) {
  const w = await get('/v1/green-channel', { limit: 1000 });
  const state = (c) => (!c.assignment ? 0 : c.verification_overdue ? 1 : 2);
  const chains = w.chains;
  root.append(
    tiles([
      { label: t('green_open'), value: fmtInt(chains.length), kpi: 'green_total' },
      { label: t('green_unassigned'), value: fmtInt(w.unassigned), kpi: 'green_unassigned', cls: w.unassigned ? 'alert' : '' },
      { label: t('green_verify_overdue'), value: fmtInt(w.verification_overdue), kpi: 'green_overdue', cls: w.verification_overdue ? 'warn' : '' },
    ]),
    note(t('green_help2', w.min_repeats, w.verify_days)),
    tableCard(t('green_worklist'), csvButton('/v1/kpi/green-channel', { limit: 1000 }), table([
      { label: t('status'), value: (c) => [badge(t('green_unassigned'), 'bad'), badge(t('green_verify_overdue'), 'warn'),
        badge(t('green_in_hand'), 'ok')][state(c)] },
      { label: t('chain'), value: (c) => c.chain_id },
      { label: t('latest_ticket'), value: (c) => c.latest_ticket_id },
      { label: t('category'), value: (c) => c.category },
      { label: t('citizen'), value: (c) => c.citizen || '—' },
      { label: t('repeats'), value: (c) => fmtInt(c.repeats), num: true },
      { label: t('days_waiting'), value: (c) => fmtInt(c.days_waiting), num: true },
      { label: t('specialist'), value: (c) => (c.assignment ? c.assignment.specialist : '—') },
      { label: t('verifications'), value: (c) => (c.assignment ? fmtInt(c.assignment.verifications) : '—'), num: true },
      { label: t('last_verified'), value: (c) => (c.assignment && c.assignment.last_verified_at ? fmtTime(c.assignment.last_verified_at) : '—') },
      { label: t('days_since_verification'), value: (c) => (c.assignment ? fmtInt(c.days_since_verification) : '—'), num: true },
      { label: t('assigned_to'), value: (c) => [c.unit, c.team, c.handler].filter(Boolean).join(' / ') || '—' },
      { label: t('latest_received'), value: (c) => fmtTime(c.latest_received_at) },
    ], chains, {
      compact: true,
      rowData: (c) => ({ chain: c.chain_id }),
      rowClass: (c) => ['unassigned', 'overdue', null][state(c)],
    })),
  );
  if (chains.length === 1000) root.append(note(t('green_truncated')));
  if (ctx.canWrite && chains.length) {
    const options = chains.map((c) => [c.chain_id, `${c.chain_id} · ${c.category} · ${c.assignment ? c.assignment.specialist : t('green_unassigned')}`]);
    const path = (v) => `/v1/green-channel/${encodeURIComponent(v.chain)}`;
    root.append(h('section', { class: 'card' },
      writeForm('green-assign', t('assign_specialist'), [
        { name: 'chain', label: t('chain'), type: 'select', options },
        { name: 'specialist', label: t('specialist'), required: true },
      ], t('save'), async (v) => {
        await send('PUT', path(v) + '/specialist', { specialist: v.specialist });
        ctx.reload();
      }),
      writeForm('green-verify', t('record_verification'), [
        { name: 'chain', label: t('chain'), type: 'select', options: options.filter(([id]) => chains.find((c) => c.chain_id === id).assignment) },
        { name: 'solved', label: t('solved'), type: 'select', options: [['false', t('solved_no')], ['true', t('solved_yes')]] },
        { name: 'found', label: t('found'), type: 'textarea', required: true },
      ], t('save'), async (v) => {
        await send('POST', path(v) + '/verifications', { at: new Date().toISOString(), found: v.found, solved: v.solved === 'true' });
        ctx.reload();
      })));
  }
}
