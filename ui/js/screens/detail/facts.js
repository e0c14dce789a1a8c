// screens/detail/facts.js — what the incident says about itself: the texts in the main column
// (description, workaround, resolution, verification, closure; long ones folded) and the facts
// beside them (priority and why, who has it, reporter, milestones, version).

import { h, patch, priorityPill } from '../../dom.js';
import * as store from '../../store.js';
import { count, dateTime, fullDateTime } from '../../format.js';
import { offered } from './actions.js';
import { collapsible } from './collapse.js';
import { times } from './words.js';

function section(title, testid, ...children) {
  return h('section', { class: 'block', testid }, h('h2', null, title), ...children);
}

function para(text, empty, testid = null) {
  return text && text.trim()
    ? collapsible(text, { className: 'prose', testid })
    : h('p', { class: 'muted', testid }, empty);
}

export function renderMain(s) {
  const inc = s.detail.incident;
  const blocks = [section('Description', 'detail-description-block', para(inc.description, 'No description was given.', 'detail-description'))];
  if (inc.workaround) blocks.push(section('Workaround', null, para(inc.workaround, '')));
  if (inc.resolved_at || inc.resolution_code) {
    blocks.push(section('Resolution', null,
      h('p', { class: 'block-meta' },
        inc.resolution_code ? h('strong', null, store.choiceLabel('resolution_codes', inc.resolution_code)) : null,
        inc.resolved_at ? ` · ${fullDateTime(inc.resolved_at)}` : null),
      para(inc.resolution_notes, 'No resolution notes.')));
  }
  if (inc.verified_at) {
    blocks.push(section('Verification', null,
      h('p', { class: 'block-meta' },
        h('strong', null, store.choiceLabel('verification_methods', inc.verification_method)),
        ` · ${fullDateTime(inc.verified_at)}`,
        inc.verified_by ? ` · by ${inc.verified_by}` : null),
      para(inc.verification_notes, 'No verification notes.')));
  } else if (offered(s, 'verify')) {
    blocks.push(h('div', { class: 'notice' }, 'Resolved but not yet verified: confirm the service works (monitoring, a functional test or the reporter) before closing.'));
  }
  if (inc.closed_at) {
    blocks.push(section('Closure', null,
      h('p', { class: 'block-meta' }, fullDateTime(inc.closed_at), inc.closed_by ? ` · by ${inc.closed_by}` : null),
      para(inc.closure_notes, 'No closure notes.')));
  }
  patch(s.slots.main, blocks);
}

function fact(name, ...value) {
  return [h('dt', null, name), h('dd', null, ...value)];
}

/** A milestone in the facts: its local date and time, or `empty` when it has none. */
function milestone(name, testid, at, note = null, empty = '—') {
  return fact(name,
    at ? h('time', { datetime: at, class: 'num', testid, title: fullDateTime(at) }, dateTime(at)) : h('span', { class: 'muted', testid }, empty),
    at && note ? h('div', { class: 'muted' }, note) : null);
}

export function renderFacts(s) {
  const inc = s.detail.incident;
  const overridden = inc.priority !== inc.computed_priority || !!inc.priority_override_reason;
  const none = (text) => h('span', { class: 'muted' }, text);
  const ms = (value) => store.label('milestone', value);
  patch(
    s.slots.aside,
    h('dl', { class: 'facts' },
      fact('Priority',
        priorityPill(inc.priority, store.choiceLabel('priorities', inc.priority)),
        overridden ? h('div', { class: 'fact-note' }, `Overridden; the matrix gives ${inc.computed_priority}.`) : null,
        overridden && inc.priority_override_reason ? h('div', { class: 'fact-note prose' }, inc.priority_override_reason) : null),
      fact('Impact', store.choiceLabel('impacts', inc.impact)),
      fact('Urgency', store.choiceLabel('urgencies', inc.urgency)),
      fact('Status', store.choiceLabel('statuses', inc.status)),
      fact('Service', inc.service_name),
      fact('Category', inc.category_name),
      fact('Assignee', inc.assignee_name || none('Unassigned')),
      fact('Team', inc.team_name || none('No team')),
      fact('Escalation', inc.escalation_level > 0 ? `Level ${inc.escalation_level}` : none('Not escalated')),
      fact('Reporter', inc.reporter_name || none('Unknown'), inc.reporter_contact ? h('div', { class: 'muted' }, inc.reporter_contact) : null),
      fact('Channel', store.choiceLabel('channels', inc.channel)),
      fact('Users affected', inc.users_affected === null || inc.users_affected === undefined
        ? none('Not estimated') : h('span', { class: 'num', testid: 'fact-users' }, count(inc.users_affected))),
      h('dt', { class: 'facts-group' }, 'Milestones'), h('dd', { class: 'facts-group' }),
      milestone(ms('started'), 'fact-started', inc.started_at),
      milestone(ms('detected'), 'fact-detected', inc.detected_at, `by ${store.choiceLabel('channels', inc.channel).toLowerCase()}`),
      milestone('Logged', 'fact-logged', inc.logged_at, inc.created_by ? `by ${inc.created_by}` : null),
      fact('Acknowledged', inc.acknowledged_at ? dateTime(inc.acknowledged_at) : none('Not yet')),
      milestone(ms('workaround_available'), 'fact-workaround', inc.workaround_at, null, inc.workaround ? 'Time not recorded' : 'None'),
      milestone(ms('resolved'), 'fact-resolved', inc.resolved_at, null, 'Not yet'),
      inc.verified_at ? fact('Verified', dateTime(inc.verified_at)) : null,
      inc.closed_at ? fact('Closed', dateTime(inc.closed_at)) : null,
      fact('Reopened', inc.reopen_count > 0 ? times(inc.reopen_count) : none('Never')),
      fact('Last update', dateTime(inc.updated_at), inc.updated_by ? h('div', { class: 'muted' }, `by ${inc.updated_by}`) : null),
      fact('Version', h('span', { class: 'mono', testid: 'detail-version' }, String(inc.version))),
    ),
  );
}
