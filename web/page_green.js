// Green channel (绿色通道): the chains whose latest repeat is open at or above the setting,
// the not yet dispatched first, then those past their deadline, then the oldest.
import { get } from './api.js';
import { badge, card, fmtInt, fmtTime, note, table, tiles } from './dom.js';
import { t } from './i18n.js';

export async function render(root, ctx) {
  const answer = await get('/v1/kpi/green-channel', { limit: 1000 });
  const now = Date.now();
  const status = (c) => {
    if (!c.unit) return 0; // unassigned
    if (c.deadline && Date.parse(c.deadline) < now) return 1; // overdue
    return 2;
  };
  const chains = answer.chains.map((c, i) => ({ ...c, status: status(c), order: i }))
    .sort((a, b) => a.status - b.status || a.order - b.order);
  const count = (s) => chains.filter((c) => c.status === s).length;
  root.append(
    tiles([
      { label: t('green_open'), value: fmtInt(chains.length), kpi: 'green_total' },
      { label: t('green_unassigned'), value: fmtInt(count(0)), kpi: 'green_unassigned', cls: count(0) ? 'alert' : '' },
      { label: t('green_overdue'), value: fmtInt(count(1)), kpi: 'green_overdue', cls: count(1) ? 'warn' : '' },
    ]),
    note(t('green_help', answer.min_repeats)),
    card(t('green_worklist'), table([
      { label: t('status'), value: (c) => [badge(t('green_unassigned'), 'bad'), badge(t('green_overdue'), 'warn'),
        badge(t('green_in_hand'), 'ok')][c.status] },
      { label: t('chain'), value: (c) => c.chain_id },
      { label: t('latest_ticket'), value: (c) => c.latest_ticket_id },
      { label: t('category'), value: (c) => c.category },
      { label: t('citizen'), value: (c) => c.citizen || '—' },
      { label: t('repeats'), value: (c) => fmtInt(c.repeats), num: true },
      { label: t('first_received'), value: (c) => fmtTime(c.first_received_at) },
      { label: t('latest_received'), value: (c) => fmtTime(c.latest_received_at) },
      { label: t('assigned_to'), value: (c) => [c.unit, c.team, c.handler].filter(Boolean).join(' / ') || '—' },
      { label: t('original_handling'), value: (c) => [c.original_unit, c.original_team, c.original_handler].filter(Boolean).join(' / ') || '—' },
      { label: t('deadline'), value: (c) => fmtTime(c.deadline) },
    ], chains, { rowClass: (c) => ['unassigned', 'overdue', null][c.status], compact: true })),
  );
  if (answer.chains.length === 1000) root.append(note(t('green_truncated')));
}
