// screens/detail/header.js — the head of the detail: number, priority, status and the tags that
// change how the incident is handled (major, review, escalated, reopened, paused), the title,
// and one line of where it stands (service, category, logged, open or resolved for how long).

import { h, patch, priorityPill, statusBadge } from '../../dom.js';
import * as store from '../../store.js';
import { dateTime, fullDateTime, duration } from '../../format.js';
import { reviewStatusLabel } from './actions.js';
import { times } from './words.js';

export function renderHead(s) {
  const d = s.detail;
  const inc = d.incident;
  const logged = new Date(inc.logged_at).getTime();
  // The facts say how long it has been: closed, resolved (and not yet closed), or still open.
  let openFor;
  if (inc.closed_at) openFor = `closed after ${duration(new Date(inc.closed_at).getTime() - logged)}`;
  else if (inc.resolved_at) openFor = `resolved after ${duration(new Date(inc.resolved_at).getTime() - logged)}`;
  else openFor = `open for ${duration(Date.now() - logged)}`;
  patch(
    s.slots.head,
    h('div', { class: 'detail-ids' },
      h('span', { class: 'detail-number mono', testid: 'detail-number' }, inc.number),
      priorityPill(inc.priority, store.choiceLabel('priorities', inc.priority), 'detail-priority'),
      statusBadge(inc.status, store.choiceLabel('statuses', inc.status), 'detail-status'),
      d.major ? h('span', { class: 'tag tag-major', testid: 'major-badge', title: `Declared ${fullDateTime(d.major.declared_at)} by ${d.major.declared_by}` }, 'Major incident') : null,
      d.review_status ? h('span', { class: 'tag', testid: 'detail-review-status' }, `Review: ${reviewStatusLabel(d.review_status)}`) : null,
      inc.escalation_level > 0 ? h('span', { class: 'tag tag-escalated' }, `Escalated to level ${inc.escalation_level}`) : null,
      inc.reopen_count > 0 ? h('span', { class: 'tag', testid: 'detail-reopened' }, `Reopened ${times(inc.reopen_count)}`) : null,
      inc.paused_since ? h('span', { class: 'tag tag-paused', testid: 'detail-paused' }, `SLA paused: ${inc.pause_reason || 'no reason'}`) : null),
    h('h1', { class: 'detail-title', testid: 'detail-title' }, inc.title),
    h('p', { class: 'detail-sub muted' },
      `${inc.service_name} · ${inc.category_name} · logged ${dateTime(inc.logged_at)} · ${openFor}`),
  );
}
