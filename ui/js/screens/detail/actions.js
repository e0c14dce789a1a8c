// screens/detail/actions.js — which actions the detail offers and what they do: the action bar
// (the next step of the lifecycle drawn as the primary button), the keys, and opening the inline
// forms. The lifecycle actions offered are exactly `detail.allowed_actions`, computed by the
// core from the rules that refuse; nothing here re-encodes a lifecycle rule. A key that would
// change the record at once (A acknowledges, P resumes, O starts a review) asks first.

import { h, patch, replace, clear } from '../../dom.js';
import * as api from '../../api.js';
import { confirmForm } from './actionForm.js';
import { LIFECYCLE_FORMS } from './lifecycleForms.js';
import { MAJOR_FORMS } from './majorForms.js';
import { correct } from './correctForm.js';
import { label as word } from '../../store.js';

/** The actions the core's `allowed_actions` speaks about (contract: snake_case names). */
const LIFECYCLE = new Set(['edit', 'assign', 'acknowledge', 'note', 'escalate', 'workaround', 'resolve', 'verify', 'close', 'reopen', 'pause', 'resume']);

export const reviewStatusLabel = (status) => word('review_status', status || 'draft');

/** Whether a major incident can be declared: not yet declared and the incident is being worked. */
const canDeclare = (s) => !!s.detail && !s.detail.major && (offered(s, 'resolve') || offered(s, 'acknowledge'));
/** Whether the core says the criteria of a major incident hold (the banner then offers Declare). */
export const suggested = (s) => canDeclare(s) && (s.detail.major_criteria || []).length > 0;

/**
 * The actions in the bar, in order; their names are the core's (vocabulary group `action`)
 * unless `label` gives the window's own command. `show(s)` (for those the lifecycle does not decide) says
 * whether it is there; `bar(s)` whether its button sits in the bar (Declare moves into the
 * suggestion banner while the criteria hold); `direct` ones act on a click without a form.
 */
const ACTIONS = [
  { name: 'acknowledge', key: 'a', direct: true },
  { name: 'assign', key: 's' },
  { name: 'note', key: 'm' },
  { name: 'escalate', key: 'u' },
  { name: 'workaround', key: 'w' },
  { name: 'edit', key: 'e' },
  { name: 'resolve', key: 'r' },
  { name: 'verify', key: 'v' },
  { name: 'close', key: 'c' },
  { name: 'reopen', key: null },
  // The SLA clocks: one key, P, pauses a running incident or resumes a paused one.
  { name: 'pause', key: 'p' },
  { name: 'resume', key: 'p', direct: true },
  // Major incidents: D declares (from the banner while the criteria hold), T tells stakeholders.
  { name: 'declare-major', label: 'Declare major incident', key: 'd', quiet: true, show: canDeclare, bar: (s) => !suggested(s) },
  { name: 'update', testid: 'action-send-update', label: 'Send update', key: 't', show: (s) => !!s.detail.major && offered(s, 'note') },
  { name: 'correct', testid: 'action-correct-milestone', label: 'Correct milestones', key: 'l', show: () => true },
  // The post-incident review: O starts it, or opens it once it exists.
  { name: 'create-review', label: 'Start post-incident review', key: 'o', direct: true, show: (s) => !s.detail.review_status },
  { name: 'open-review', label: (s) => `Open review · ${reviewStatusLabel(s.detail.review_status)}`, key: 'o', direct: true, show: (s) => !!s.detail.review_status },
];

/** The order in which the next step of the lifecycle is looked for: the first offered is primary. */
const NEXT_STEP = ['acknowledge', 'resolve', 'verify', 'close'];

/** Whether the action `name` is offered now: the core's list for lifecycle actions. */
export function offered(s, name) {
  const d = s.detail;
  if (!d) return false;
  if (LIFECYCLE.has(name)) return Array.isArray(d.allowed_actions) && d.allowed_actions.includes(name);
  const action = ACTIONS.find((a) => a.name === name);
  return !!(action && action.show && action.show(s));
}

/** Why the Pause button is off, or null when the incident's policy names pause reasons. */
export function pauseBlocked(d) {
  const reasons = (d && d.sla && d.sla.pause_reasons) || [];
  if (reasons.length) return null;
  const p = d && d.sla ? d.sla.priority : d.incident.priority;
  return `Pausing is not enabled for ${p} (Settings → SLA): its policy names no pause reasons.`;
}

export function renderActions(s) {
  const primary = NEXT_STEP.find((name) => offered(s, name)) || null;
  const blocked = pauseBlocked(s.detail);
  const open = (name) => !!(s.panel && s.panel.name === name);
  const buttons = ACTIONS.filter((a) => offered(s, a.name) && (!a.bar || a.bar(s))).map((a) => {
    const off = a.name === 'pause' && blocked;
    const label = !a.label ? word('action', a.name) : typeof a.label === 'function' ? a.label(s) : a.label;
    const button = h('button', {
      type: 'button',
      class: ['btn', a.name === primary && 'btn-primary', a.quiet && 'btn-quiet', open(a.name) && 'is-open'],
      testid: a.testid || `action-${a.name}`,
      title: off ? blocked : a.key ? `${label} (${a.key.toUpperCase()})` : label,
      disabled: !!off,
      'aria-expanded': a.direct ? null : String(open(a.name)),
      onclick: () => runAction(s, a.name),
    }, label, a.key ? h('kbd', { class: 'btn-key', 'aria-hidden': 'true' }, a.key.toUpperCase()) : null);
    // A disabled button shows no tooltip in every engine: its wrapper carries the explanation.
    return off ? h('span', { class: 'btn-wrap', title: blocked, tabindex: '0', 'aria-label': blocked }, button) : button;
  });
  patch(s.slots.actions, buttons);
  if (s.bannerButton) {
    s.bannerButton.classList.toggle('is-open', open('declare-major'));
    s.bannerButton.setAttribute('aria-expanded', String(open('declare-major')));
  }
}

const FORMS = { ...LIFECYCLE_FORMS, ...MAJOR_FORMS, correct };

/** What a key asks before an action that changes the record at once. */
const CONFIRM = {
  acknowledge: (inc) => ({
    title: `Acknowledge ${inc.number}?`,
    intro: 'You become its assignee, the status moves to In progress and the response clock stops. This is recorded on the timeline and cannot be undone.',
    submitLabel: 'Acknowledge',
  }),
  resume: (inc) => ({
    title: `Resume the SLA clocks of ${inc.number}?`,
    intro: 'The response and resolution clocks count again from now; the pause ends on the timeline.',
    submitLabel: 'Resume clocks',
  }),
  'create-review': (inc) => ({
    title: `Start the post-incident review of ${inc.number}?`,
    intro: 'A draft review is created and opened; starting it is recorded on the timeline.',
    submitLabel: 'Start review',
  }),
};

/** The actions that act without a form: each resolves once done (errors shown in the banner). */
async function direct(s, name) {
  const inc = s.detail.incident;
  try {
    if (name === 'acknowledge') {
      const result = await api.acknowledgeIncident(inc.id, inc.version);
      if (s.disposed) return;
      s.panel = null;
      clear(s.slots.panel);
      s.show(result);
      s.ctx.toast(`${inc.number} acknowledged.`);
    } else if (name === 'resume') {
      const result = await api.resumeIncident(inc.id, inc.version);
      if (s.disposed) return;
      s.panel = null;
      clear(s.slots.panel);
      s.show(result);
      s.ctx.toast(`SLA clocks of ${inc.number} resumed.`);
    } else if (name === 'create-review') {
      await api.createReview(s.id);
      if (s.disposed) return;
      s.ctx.toast(`Post-incident review of ${inc.number} started.`);
      s.ctx.navigate(`#/incident/${s.id}/review`);
    } else if (name === 'open-review') {
      s.ctx.navigate(`#/incident/${s.id}/review`);
    }
  } catch (error) {
    if (!s.disposed) s.showActionError(error);
  }
}

/**
 * Runs an action: a click on a direct action acts (the button names it), a key on one that
 * changes the record opens its confirmation; the others open (or close) their form.
 */
export async function runAction(s, name, { viaKey = false } = {}) {
  if (!s.detail) return;
  s.clearActionError();
  if (name === 'pause' && pauseBlocked(s.detail)) {
    s.showActionError({ code: 'validation', message: pauseBlocked(s.detail) });
    return;
  }
  const action = ACTIONS.find((a) => a.name === name);
  if (action && action.direct) {
    if (viaKey && CONFIRM[name]) {
      if (!(s.panel && s.panel.name === `confirm-${name}`)) openConfirm(s, name);
      return;
    }
    closePanel(s);
    await direct(s, name);
    return;
  }
  if (s.panel && s.panel.name === name) {
    closePanel(s);
    return;
  }
  openPanel(s, name, FORMS[name](s));
}

function openConfirm(s, name) {
  const text = CONFIRM[name](s.detail.incident);
  openPanel(s, `confirm-${name}`, confirmForm(s, { name, ...text, run: () => direct(s, name) }));
}

export function closePanel(s) {
  s.panel = null;
  clear(s.slots.panel);
  if (s.detail) renderActions(s);
}

function openPanel(s, name, form) {
  s.panel = { name, form };
  replace(s.slots.panel, form);
  renderActions(s);
  const first = form.focusFirst || form.querySelector('input:not([type="hidden"]), select, textarea');
  if (first) first.focus();
}

/** A key pressed on the detail: the offered action with that key, if any. */
export function onKey(s, e) {
  if (!s.detail) return false;
  const key = e.key.toLowerCase();
  const action = ACTIONS.find((a) => a.key === key && offered(s, a.name));
  if (!action) return false;
  // A key never closes the form it opened: only Esc and Cancel do.
  if (!(s.panel && s.panel.name === action.name)) runAction(s, action.name, { viaKey: true });
  return true;
}
