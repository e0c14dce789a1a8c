// incidentForm.js — the fields of an incident, shared by the new-incident form and the Edit
// action of the detail: what happened, who reported it, and the priority section (impact and
// urgency with every level's definition beside them, a live preview the core computes via
// preview_priority, and an optional override that needs a reason). No priority rule lives here.

import { h, replace, priorityPill, uid } from './dom.js';
import * as api from './api.js';
import * as store from './store.js';
import { field, select, choiceSelect, recordItems, definitionLine, definitionLegend, dateTimeInput, dateTimeProblem } from './forms.js';
import { toLocalText } from './format.js';

/**
 * Builds the fields. `initial` holds current values (edit) or defaults (new):
 * {title, description, category_id, service_id, reporter_name, reporter_contact, channel,
 *  started_local, detected_local (new only; both typed local "YYYY-MM-DD HH:MM"), impact,
 *  urgency, priority_override, priority_override_reason}.
 * Returns {what, who, priority, read(), localProblems(), focusFirst(), controls}.
 */
export function incidentFields(initial, { mode = 'new' } = {}) {
  const c = {};

  c.title = h('input', { type: 'text', testid: 'field-title', value: initial.title || '', maxlength: '200', autocomplete: 'off', placeholder: 'e.g. Payroll portal returns error 502 for everyone' });
  c.description = h('textarea', { testid: 'field-description', rows: '5', placeholder: 'What users see, since when, what was already tried' });
  c.description.value = initial.description || '';

  const activeCategories = store.categories().filter((cat) => cat.active || String(cat.id) === String(initial.category_id));
  c.category_id = select({ testid: 'field-category', items: recordItems(activeCategories), value: initial.category_id, placeholder: 'Choose a category…' });
  c.service_id = select({ testid: 'field-service', items: recordItems(store.services()), value: initial.service_id, placeholder: 'Choose a service…' });
  const serviceLine = h('div', { class: 'definition' });
  const updateService = () => {
    const s = store.byId(store.services(), c.service_id.value);
    const parts = [];
    if (s) {
      parts.push(`${store.choiceLabel('criticalities', s.criticality)} criticality`);
      if (s.revenue_generating) parts.push('revenue-generating');
      if (s.users_served) parts.push(`${s.users_served.toLocaleString('en-US')} users`);
      if (s.owner_name) parts.push(`owner ${s.owner_name}`);
    }
    serviceLine.textContent = parts.join(' · ');
    serviceLine.hidden = parts.length === 0;
  };
  c.service_id.addEventListener('change', updateService);
  updateService();

  c.reporter_name = h('input', { type: 'text', testid: 'field-reporter-name', value: initial.reporter_name || '', autocomplete: 'off' });
  c.reporter_contact = h('input', { type: 'text', testid: 'field-reporter-contact', value: initial.reporter_contact || '', autocomplete: 'off', placeholder: 'E-mail or phone' });
  c.channel = choiceSelect('channels', { testid: 'field-channel', value: initial.channel || (store.choices('channels')[0] || {}).value });
  // Both times through the window's one date-time input (local "YYYY-MM-DD HH:MM", sent as
  // RFC 3339); `started_local` is the typed text so an edit can tell whether it was touched.
  c.started_at = dateTimeInput({ testid: 'field-started-at' });
  c.started_at.value = initial.started_local || '';
  c.started_at.dispatchEvent(new Event('input'));
  // When it was noticed; later corrections go through "Correct milestones" on the detail.
  c.detected_at = mode === 'new' ? dateTimeInput({ testid: 'field-detected-at' }) : null;
  if (c.detected_at && initial.detected_local) {
    c.detected_at.value = initial.detected_local;
    c.detected_at.dispatchEvent(new Event('input'));
  }
  c.users_affected = h('input', {
    type: 'number', testid: 'field-users-affected', min: '0', step: '1', inputmode: 'numeric',
    value: initial.users_affected === null || initial.users_affected === undefined ? '' : String(initial.users_affected),
    placeholder: 'Estimate, if known',
  });

  c.impact = choiceSelect('impacts', { testid: 'field-impact', value: initial.impact || '', placeholder: 'Choose impact…' });
  c.urgency = choiceSelect('urgencies', { testid: 'field-urgency', value: initial.urgency || '', placeholder: 'Choose urgency…' });

  c.priority_override = select({
    testid: 'field-priority-override',
    items: store.choices('priorities').map((p) => ({ value: p.value, label: p.label })),
    value: initial.priority_override || '',
    placeholder: 'None (use the matrix)',
  });
  c.priority_override_reason = h('textarea', { testid: 'field-priority-override-reason', rows: '2', placeholder: 'Why this incident needs a different priority than impact × urgency gives' });
  c.priority_override_reason.value = initial.priority_override_reason || '';

  // ---- live priority preview (the core computes it) -----------------------------------
  const preview = h('div', { class: 'priority-preview', testid: 'priority-preview', 'aria-live': 'polite' });
  let previewSeq = 0;
  let computed = null; // PriorityPreview
  function renderPreview() {
    const override = c.priority_override.value;
    if (!computed) {
      replace(preview, h('span', { class: 'muted' }, 'Choose impact and urgency to see the priority.'));
      if (override) preview.appendChild(h('div', { class: 'preview-override' }, 'Override: ', priorityPill(override, store.choiceLabel('priorities', override))));
      return;
    }
    const shown = override || computed.priority;
    replace(
      preview,
      h('div', { class: 'preview-main' },
        priorityPill(shown, store.choiceLabel('priorities', shown)),
        override && override !== computed.priority
          ? h('span', { class: 'preview-note' }, `overridden — the matrix gives ${computed.priority}`)
          : h('span', { class: 'preview-note' }, 'from impact × urgency')),
      h('div', { class: 'definition' }, override ? store.choiceDefinition('priorities', override) : computed.definition),
    );
  }
  async function updatePreview() {
    const impact = c.impact.value;
    const urgency = c.urgency.value;
    const mine = ++previewSeq;
    if (!impact || !urgency) {
      computed = null;
      renderPreview();
      return;
    }
    try {
      const result = await api.previewPriority(impact, urgency);
      if (mine !== previewSeq) return;
      computed = result;
    } catch (error) {
      if (mine !== previewSeq) return;
      computed = null;
      replace(preview, h('span', { class: 'field-error-inline' }, error.message));
      return;
    }
    renderPreview();
  }
  for (const el of [c.impact, c.urgency]) {
    el.addEventListener('change', updatePreview);
    el.addEventListener('input', updatePreview);
  }
  c.priority_override.addEventListener('change', () => {
    renderPreview();
    overrideBox.classList.toggle('is-active', !!c.priority_override.value);
  });
  updatePreview();

  // ---- layout ---------------------------------------------------------------------------
  const what = group('What happened',
    field({ key: 'title', label: 'Title', control: c.title, wide: true, hint: 'One line that says what is broken for whom.' }),
    field({ key: 'description', label: 'Description', control: c.description, wide: true }),
    field({ key: 'service_id', label: 'Affected service', control: c.service_id, extra: serviceLine }),
    field({ key: 'category_id', label: 'Category', control: c.category_id }),
    field({ key: 'users_affected', label: 'Users affected', control: c.users_affected, optional: true, hint: 'An estimate; more than the major-incident threshold (500 by default) suggests a major incident.' }),
  );

  const who = group('Who reported it',
    field({ key: 'reporter_name', label: 'Reporter', control: c.reporter_name }),
    field({ key: 'reporter_contact', label: 'Reporter contact', control: c.reporter_contact }),
    field({ key: 'channel', label: 'Channel', control: c.channel, extra: definitionLine('channels', c.channel) }),
    field({ key: 'started_at', label: 'Started at', control: c.started_at, extra: c.started_at.reading, hint: mode === 'new' ? 'When the problem began (24-hour clock); defaults to now. Clear it to use the moment you log.' : 'When the problem began (24-hour clock).' }),
    c.detected_at
      ? field({ key: 'detected_at', label: 'Detected at', control: c.detected_at, extra: c.detected_at.reading, optional: true, hint: 'When it was noticed (monitoring alert, first call); empty means when you log it.' })
      : null,
  );

  const overrideBox = h('div', { class: ['override', initial.priority_override && 'is-active'] },
    h('div', { class: 'override-head' },
      h('strong', null, 'Override the priority'),
      h('span', { class: 'muted' }, ' (rarely needed)')),
    h('p', { class: 'field-hint' }, 'Users must not self-assign priority; an override is recorded on the timeline with its reason. Use it only when the matrix clearly gets this incident wrong.'),
    h('div', { class: 'override-fields' },
      field({ key: 'priority_override', label: 'Override to', control: c.priority_override }),
      field({ key: 'priority_override_reason', label: 'Reason for the override', control: c.priority_override_reason, wide: true, hint: 'Required when you override.' })),
  );

  const priority = group('Priority',
    h('div', { class: 'axis' },
      field({ key: 'impact', label: 'Impact — how widely it hurts', control: c.impact }),
      definitionLegend('impacts', c.impact)),
    h('div', { class: 'axis' },
      field({ key: 'urgency', label: 'Urgency — how fast it gets worse', control: c.urgency }),
      definitionLegend('urgencies', c.urgency)),
    h('div', { class: 'preview-wrap' }, h('div', { class: 'field-label' }, 'Resulting priority'), preview),
    overrideBox,
  );

  function read() {
    const override = c.priority_override.value;
    return {
      title: c.title.value.trim(),
      description: c.description.value.trim(),
      category_id: c.category_id.value === '' ? null : Number(c.category_id.value),
      service_id: c.service_id.value === '' ? null : Number(c.service_id.value),
      reporter_name: c.reporter_name.value.trim(),
      reporter_contact: c.reporter_contact.value.trim(),
      channel: c.channel.value,
      started_local: c.started_at.value.trim(),
      started_at: c.started_at.iso(),
      detected_text: c.detected_at ? c.detected_at.value.trim() : '',
      detected_at: c.detected_at ? c.detected_at.iso() : null,
      users_affected: c.users_affected.value.trim() === '' ? null : Number(c.users_affected.value),
      impact: c.impact.value,
      urgency: c.urgency.value,
      priority_override: override,
      priority_override_reason: c.priority_override_reason.value.trim(),
    };
  }

  /**
   * What the core can never see because it is not sent as typed: date-times that do not read as
   * a time and a users-affected that is not a whole number, every one of them, as
   * [{field, message}] for forms.showError.
   */
  function localProblems() {
    const problems = [];
    for (const key of ['started_at', 'detected_at']) {
      const message = dateTimeProblem(c[key]);
      if (message) problems.push({ field: key, message });
    }
    const users = c.users_affected.value.trim();
    if (users !== '' && !(Number.isInteger(Number(users)) && Number(users) >= 0)) {
      problems.push({ field: 'users_affected', message: 'Users affected is a whole number (or leave it empty)' });
    }
    return problems;
  }

  return { what, who, priority, read, localProblems, controls: c, focusFirst: () => c.title.focus() };
}

/** A titled group of fields, announced as a group. */
function group(title, ...children) {
  const id = uid('grp');
  return h('div', { class: 'group', role: 'group', 'aria-labelledby': id },
    h('h2', { class: 'group-title', id }, title),
    ...children);
}

/** The form values of an existing incident, for the Edit action. */
export function valuesOf(incident) {
  const overridden = incident.priority_override_reason !== null && incident.priority_override_reason !== undefined
    ? true
    : incident.priority !== incident.computed_priority;
  return {
    title: incident.title,
    description: incident.description,
    category_id: String(incident.category_id),
    service_id: String(incident.service_id),
    reporter_name: incident.reporter_name,
    reporter_contact: incident.reporter_contact,
    channel: incident.channel,
    started_local: toLocalText(incident.started_at),
    users_affected: incident.users_affected,
    impact: incident.impact,
    urgency: incident.urgency,
    priority_override: overridden ? incident.priority : '',
    priority_override_reason: incident.priority_override_reason || '',
  };
}
