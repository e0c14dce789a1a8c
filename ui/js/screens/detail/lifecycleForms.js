// screens/detail/lifecycleForms.js — the inline forms of the incident's lifecycle actions
// (pause, assign, note, escalate, workaround, resolve, verify, close, reopen, edit). Each sends
// the version shown as expected_version; which of them is offered is the core's decision
// (actions.js), so none of these checks a status.

import { h, option, uid } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import {
  field, select, choiceSelect, recordItems, definitionLine, showFormError, idOrNull,
} from '../../forms.js';
import { incidentFields, valuesOf } from '../../incidentForm.js';
import { actionForm, showFieldErrors } from './actionForm.js';

/**
 * Under a team select on a desk with no team yet: says so and adds the first team right here
 * (name and tier), so assigning or escalating does not end in a refusal or a trip to Settings
 * that loses the incident. Once a team exists this is nothing.
 */
function firstTeam(s, teamSelect) {
  if (store.teams().length) return null;
  const name = h('input', { type: 'text', testid: 'first-team-name', autocomplete: 'off', placeholder: 'e.g. Service Desk' });
  const tiers = store.choices('tiers');
  // The same starting values as Settings › Teams offers for a new team; changeable there.
  const tier = choiceSelect('tiers', { testid: 'first-team-tier', value: (tiers.find((t) => t.value === 'specialist') || tiers[0] || {}).value });
  const message = h('div', { class: 'field-error', role: 'alert', hidden: true, testid: 'first-team-error' });
  const nameId = uid('first-team-name');
  name.id = nameId;
  tier.id = `${nameId}-tier`;
  const add = h('button', {
    type: 'button',
    class: 'btn btn-small',
    testid: 'first-team-add',
    onclick: async () => {
      message.hidden = true;
      try {
        const team = await api.saveTeam({ id: null, name: name.value.trim(), tier: tier.value, contact: '', expected_response_minutes: 30 });
        await store.loadReference();
        if (s.disposed) return;
        teamSelect.appendChild(option(team.id, team.name));
        teamSelect.value = String(team.id);
        teamSelect.dispatchEvent(new Event('change', { bubbles: true }));
        box.replaceWith(h('div', { class: 'definition', testid: 'first-team-added' }, `Team “${team.name}” added; more details in Settings › Teams.`));
      } catch (error) {
        message.textContent = error.message;
        message.hidden = false;
      }
    },
  }, 'Add team');
  name.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) { e.preventDefault(); add.click(); }
  });
  const box = h('div', { class: 'first-team', testid: 'first-team' },
    h('p', { class: 'small' }, 'This desk has no team yet. Add the first one here:'),
    h('div', { class: 'first-team-row' },
      h('div', { class: 'first-team-field' }, h('label', { for: nameId, class: 'field-label' }, 'Team name'), name),
      h('div', { class: 'first-team-field' }, h('label', { for: tier.id, class: 'field-label' }, 'Tier'), tier),
      add),
    message);
  return box;
}

function pause(s) {
  const inc = s.detail.incident;
  const reasons = (s.detail.sla && s.detail.sla.pause_reasons) || [];
  const reason = select({
    testid: 'pause-reason',
    items: reasons.map((r) => ({ value: r, label: r })),
    value: reasons.length === 1 ? reasons[0] : '',
    placeholder: 'Choose a reason…',
  });
  return actionForm(s, {
    name: 'pause',
    title: `Pause the SLA clocks of ${inc.number}`,
    intro: `While paused neither the response nor the resolution clock counts. The ${inc.priority} policy allows only these reasons; the pause and its reason are recorded on the timeline.`,
    body: h('div', { class: 'form-row' }, field({ key: 'reason', label: 'Reason', control: reason }), h('div')),
    submitLabel: 'Pause clocks',
    submitTestid: 'pause-submit',
    send: (cur) => api.pauseIncident(cur.id, cur.version, reason.value),
    done: (i) => `SLA clocks of ${i.number} paused.`,
  });
}

function assign(s) {
  const inc = s.detail.incident;
  const person = select({ testid: 'assign-person', items: recordItems(store.people()), value: inc.assignee_id, placeholder: 'Unassigned' });
  const team = select({ testid: 'assign-team', items: recordItems(store.teams()), value: inc.team_id, placeholder: 'No team' });
  person.addEventListener('change', () => {
    const p = store.byId(store.people(), person.value);
    if (p && p.team_id && !team.value) team.value = String(p.team_id);
  });
  return actionForm(s, {
    name: 'assign',
    title: `Assign ${inc.number}`,
    intro: 'Give the incident to a person, a team, or both. Picking a person fills in their team when none is set.',
    body: h('div', { class: 'form-row' },
      field({ key: 'assignee_id', label: 'Person', control: person }),
      field({ key: 'team_id', label: 'Team', control: team, extra: firstTeam(s, team) })),
    submitLabel: 'Assign',
    submitTestid: 'assign-submit',
    send: (cur) => api.assignIncident(cur.id, cur.version, idOrNull(person.value), idOrNull(team.value)),
    done: (i) => `${i.number} assigned.`,
  });
}

function note(s) {
  const inc = s.detail.incident;
  const text = h('textarea', { testid: 'note-text', rows: '3', placeholder: 'What was checked, found, or told to the user' });
  return actionForm(s, {
    name: 'note',
    title: `Add a note to ${inc.number}`,
    body: field({ key: 'text', label: 'Note', control: text, wide: true }),
    submitLabel: 'Add note',
    submitTestid: 'note-submit',
    send: (cur) => api.addNote(cur.id, cur.version, text.value.trim()),
    done: (i) => `Note added to ${i.number}.`,
  });
}

function escalate(s) {
  const inc = s.detail.incident;
  const kind = choiceSelect('escalation_kinds', { testid: 'escalate-kind', value: 'functional' });
  const team = select({ testid: 'escalate-team', items: recordItems(store.teams()), value: '', placeholder: 'Choose a team…' });
  const person = select({ testid: 'escalate-person', items: recordItems(store.people()), value: '', placeholder: 'Choose a manager…' });
  const reason = h('textarea', { testid: 'escalate-reason', rows: '2', placeholder: 'Why it needs more expertise or authority now' });
  const teamField = field({ key: 'team_id', label: 'Team that takes it over', control: team, extra: firstTeam(s, team) });
  const personField = field({ key: 'person_id', label: 'Manager engaged', control: person });
  const sync = () => {
    teamField.hidden = kind.value !== 'functional';
    personField.hidden = kind.value !== 'hierarchical';
  };
  kind.addEventListener('change', sync);
  sync();
  return actionForm(s, {
    name: 'escalate',
    title: `Escalate ${inc.number}`,
    intro: inc.escalation_level > 0 ? `Currently at escalation level ${inc.escalation_level}.` : 'Not escalated so far.',
    body: [
      h('div', { class: 'form-row' },
        field({ key: 'kind', label: 'Kind', control: kind, extra: definitionLine('escalation_kinds', kind) }),
        teamField,
        personField),
      field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
    ],
    submitLabel: 'Escalate',
    submitTestid: 'escalate-submit',
    send: (cur) => api.escalateIncident(cur.id, cur.version, {
      kind: kind.value,
      teamId: kind.value === 'functional' ? idOrNull(team.value) : null,
      personId: kind.value === 'hierarchical' ? idOrNull(person.value) : null,
      reason: reason.value.trim(),
    }),
    done: (i) => `${i.number} escalated.`,
  });
}

function workaround(s) {
  const inc = s.detail.incident;
  const text = h('textarea', { testid: 'workaround-text', rows: '3', placeholder: 'How users can keep working until the fix' });
  text.value = inc.workaround || '';
  return actionForm(s, {
    name: 'workaround',
    title: inc.workaround ? `Update the workaround of ${inc.number}` : `Record a workaround for ${inc.number}`,
    intro: 'A workaround restores work for users while the cause is still being fixed.',
    body: field({ key: 'workaround', label: 'Workaround', control: text, wide: true }),
    submitLabel: 'Save workaround',
    submitTestid: 'workaround-submit',
    send: (cur) => api.recordWorkaround(cur.id, cur.version, text.value.trim()),
    done: (i) => `Workaround recorded on ${i.number}.`,
  });
}

function resolve(s) {
  const inc = s.detail.incident;
  const hadReview = !!s.detail.review_status;
  const code = choiceSelect('resolution_codes', { testid: 'resolve-code', value: (store.choices('resolution_codes')[0] || {}).value });
  const notes = h('textarea', { testid: 'resolve-notes', rows: '3', placeholder: 'What was done to restore the service' });
  return actionForm(s, {
    name: 'resolve',
    title: `Resolve ${inc.number}`,
    intro: s.detail.major && !s.detail.review_status
      ? 'Resolving records the fix; the incident is then verified and closed. A major incident always gets a post-incident review: a draft opens when it is resolved.'
      : 'Resolving records the fix; the incident is then verified and closed.',
    body: [
      field({ key: 'resolution_code', label: 'Resolution', control: code, extra: definitionLine('resolution_codes', code) }),
      field({ key: 'resolution_notes', label: 'Resolution notes', control: notes, wide: true }),
    ],
    submitLabel: 'Resolve',
    submitTestid: 'resolve-submit',
    send: (cur) => api.resolveIncident(cur.id, cur.version, code.value, notes.value.trim()),
    // A major incident gets its post-incident review opened by the core.
    done: (i) => (!hadReview && s.detail.review_status
      ? `${i.number} resolved. A draft post-incident review was opened: Open review (O).`
      : `${i.number} resolved.`),
  });
}

function verify(s) {
  const inc = s.detail.incident;
  const method = choiceSelect('verification_methods', { testid: 'verify-method', value: (store.choices('verification_methods')[0] || {}).value });
  const notes = h('textarea', { testid: 'verify-notes', rows: '2', placeholder: 'What showed the service works again' });
  return actionForm(s, {
    name: 'verify',
    title: `Verify the resolution of ${inc.number}`,
    intro: 'Confirm that normal service is restored before closing.',
    body: [
      field({ key: 'method', label: 'How it was verified', control: method, extra: definitionLine('verification_methods', method) }),
      field({ key: 'notes', label: 'Verification notes', control: notes, wide: true }),
    ],
    submitLabel: 'Verify',
    submitTestid: 'verify-submit',
    send: (cur) => api.verifyResolution(cur.id, cur.version, method.value, notes.value.trim()),
    done: (i) => `${i.number} verified.`,
  });
}

function close(s) {
  const inc = s.detail.incident;
  const notes = h('textarea', { testid: 'close-notes', rows: '2', placeholder: 'Final documentation: cause, follow-ups, lessons' });
  return actionForm(s, {
    name: 'close',
    title: `Close ${inc.number}`,
    intro: inc.verified_at
      ? 'Closing ends the work on this incident and records your closure notes. If the problem returns, Reopen brings it back with its history.'
      : 'This resolution is not verified yet. The desk only closes verified incidents.',
    body: field({ key: 'closure_notes', label: 'Closure notes', control: notes, wide: true }),
    submitLabel: 'Close incident',
    submitTestid: 'close-submit',
    send: (cur) => api.closeIncident(cur.id, cur.version, notes.value.trim()),
    done: (i) => `${i.number} closed.`,
  });
}

function reopen(s) {
  const inc = s.detail.incident;
  const reason = h('textarea', { testid: 'reopen-reason', rows: '2', placeholder: 'What shows the problem is back or was not fixed' });
  return actionForm(s, {
    name: 'reopen',
    title: `Reopen ${inc.number}`,
    body: field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
    submitLabel: 'Reopen',
    submitTestid: 'reopen-submit',
    send: (cur) => api.reopenIncident(cur.id, cur.version, reason.value.trim()),
    done: (i) => `${i.number} reopened.`,
  });
}

function edit(s) {
  const inc = s.detail.incident;
  const initial = valuesOf(inc);
  const fields = incidentFields(initial, { mode: 'edit' });
  const form = actionForm(s, {
    name: 'edit',
    title: `Edit ${inc.number}`,
    intro: 'Only the fields you change are sent; each change appears on the timeline.',
    body: h('div', { class: 'form-columns' },
      h('div', { class: 'form-col' }, fields.what, fields.who),
      h('div', { class: 'form-col' }, fields.priority)),
    submitLabel: 'Save changes',
    submitTestid: 'edit-submit',
    send: async (cur) => {
      // Times and numbers that do not read as one never reach the core: all of them at once.
      const local = fields.localProblems ? fields.localProblems() : [];
      if (local.length) {
        showFieldErrors(form, { problems: local });
        return undefined;
      }
      const changes = diff(initial, fields.read());
      if (Object.keys(changes).length === 0) {
        showFormError(form.errorSlot, 'Nothing changed.');
        return undefined;
      }
      return api.updateIncident(cur.id, cur.version, changes);
    },
    done: (i) => `Changes to ${i.number} saved.`,
  });
  return form;
}

/** The lifecycle forms by action name. */
export const LIFECYCLE_FORMS = { pause, assign, note, escalate, workaround, resolve, verify, close, reopen, edit };

function diff(initial, v) {
  const changes = {};
  for (const key of ['title', 'description', 'reporter_name', 'reporter_contact', 'channel', 'impact', 'urgency']) {
    if (v[key] !== (initial[key] || '').trim()) changes[key] = v[key];
  }
  for (const key of ['category_id', 'service_id']) {
    if (v[key] !== null && String(v[key]) !== String(initial[key])) changes[key] = v[key];
  }
  if (v.started_local && v.started_local !== initial.started_local) changes.started_at = v.started_at;
  if (v.users_affected !== null && v.users_affected !== initial.users_affected) changes.users_affected = v.users_affected;
  const reasonChanged = v.priority_override_reason !== (initial.priority_override_reason || '').trim();
  if (v.priority_override !== initial.priority_override) {
    changes.priority_override = v.priority_override; // '' returns to the matrix
    if (v.priority_override) changes.priority_override_reason = v.priority_override_reason;
  } else if (v.priority_override && reasonChanged) {
    changes.priority_override = v.priority_override;
    changes.priority_override_reason = v.priority_override_reason;
  }
  return changes;
}
