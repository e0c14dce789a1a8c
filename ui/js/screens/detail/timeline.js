// screens/detail/timeline.js — every recorded event of the incident, oldest first, with its full
// local date and time and who did it: a person's name, or "Incident Desk" for what the desk
// itself recorded (due times, warnings, breaches). Long texts (a note with a pasted log) fold.

import { h, patch } from '../../dom.js';
import { fullDateTime } from '../../format.js';
import { collapsible } from './collapse.js';
import { label } from '../../store.js';
import { smallDueMoves } from './slaPanel.js';

/** What an event's detail text is, where it is not obvious. */
const DETAIL_LABELS = {
  stakeholder_update: 'Exactly as sent',
  major_declared: 'Reason',
  milestone_corrected: 'Reason',
};

/** Who recorded an event: the core's actor_name (a person, or the desk itself). */
const actorOf = (ev) => ev.actor_name || ev.actor || '';

export function renderTimeline(s) {
  const ordered = [...(s.detail.timeline || [])].sort((a, b) => {
    const t = new Date(a.at).getTime() - new Date(b.at).getTime();
    return t !== 0 ? t : a.id - b.id;
  });
  const moves = smallDueMoves(ordered);
  patch(
    s.slots.timeline,
    h('h2', null, 'Timeline ', h('span', { class: 'muted count' }, String(ordered.length))),
    ordered.length === 0
      ? h('p', { class: 'muted' }, 'No events recorded.')
      : h('ol', { class: 'timeline', testid: 'timeline' }, ordered.map((ev) => entry(ev, moves))),
  );
}

function entry(ev, moves) {
  return h(
    'li',
    { class: ['timeline-entry', `tl-${ev.kind}`], testid: 'timeline-entry', 'data-kind': ev.kind, title: label('event_kind', ev.kind) },
    h('div', { class: 'tl-head' },
      h('time', { datetime: ev.at, class: 'tl-time num' }, fullDateTime(ev.at)),
      h('span', { class: 'tl-actor', testid: 'timeline-actor' }, actorOf(ev))),
    h('div', { class: 'tl-summary' }, ev.summary,
      // A due time's note ("P1 Critical target") is short: it stays on the summary's line.
      ev.detail && ev.kind === 'sla_due' ? h('span', { class: 'tl-note' }, ` · ${ev.detail}`) : null,
      // A move under a minute looks like none in the summary's minutes: say it to the second.
      moves.has(ev.id) ? h('span', { class: 'tl-note', testid: 'timeline-due-move' }, ` · moved ${moves.get(ev.id)}`) : null),
    ev.detail && ev.kind !== 'sla_due'
      ? h('div', { class: 'tl-detail' },
        DETAIL_LABELS[ev.kind] ? h('span', { class: 'tl-detail-label' }, DETAIL_LABELS[ev.kind]) : null,
        collapsible(ev.detail, { className: 'prose', testid: 'timeline-detail' }))
      : null,
  );
}
