// screens/newIncident.js — logging an incident. The form sends a NewIncident to the core
// (log_incident); priority is previewed live by the core, never computed here. A refusal shows
// every invalid field at once, under each field, with everything typed kept and the first one
// focused. On success the new incident's detail opens.
//
// Typed input is never thrown away silently: every way out (Cancel, Esc, "‹ Incidents", the
// Settings tab, N) goes through main.js's guard, which asks first (leaveWarning). A desk without
// services or categories sends the user to Settings with the form kept as a draft
// (store.state.incidentDraft); Settings offers the way back and the form comes back filled.

import { h, kbd } from '../dom.js';
import * as api from '../api.js';
import { incidentFields } from '../incidentForm.js';
import { clearErrors, showError, submitOnCtrlEnter, busy } from '../forms.js';
import { toLocalText } from '../format.js';
import * as store from '../store.js';

/** What is missing before an incident can be classified, in words; null when nothing is. */
function missingSetup() {
  const noServices = store.services().length === 0;
  const noCategories = store.categories().filter((c) => c.active).length === 0;
  if (noServices && noCategories) return { text: 'This desk has no services and no active categories yet.', tab: 'services', what: 'a service and a category' };
  if (noServices) return { text: 'This desk has no services yet: every incident names the service it affects.', tab: 'services', what: 'a service' };
  if (noCategories) return { text: 'This desk has no active categories yet: every incident is filed under one.', tab: 'categories', what: 'a category' };
  return null;
}

export function mount(root, _params, ctx) {
  ctx.setTitle('New incident');
  const draft = store.state.incidentDraft;
  store.state.incidentDraft = null;
  const initial = draft
    ? { ...draft, detected_local: draft.detected_text }
    : { started_local: toLocalText(new Date()) };
  const fields = incidentFields(initial, { mode: 'new' });
  const errorSlot = h('div', { class: 'form-errors' });
  let dirty = !!draft;

  const missing = missingSetup();

  const form = h(
    'form',
    {
      class: 'incident-form',
      testid: 'form-new-incident',
      novalidate: true,
      onsubmit: (e) => { e.preventDefault(); submit(); },
      oninput: () => { dirty = true; },
      onchange: () => { dirty = true; },
    },
    h('header', { class: 'page-head page-head-stack' },
      h('a', { href: '#/incidents', class: 'back', testid: 'new-incident-back' }, '‹ Incidents'),
      h('h1', null, 'New incident'),
      h('p', { class: 'muted' }, 'Log what was reported. Impact and urgency decide the priority; the desk records who logged it and when.')),
    draft
      ? h('div', { class: 'notice', role: 'status', testid: 'draft-restored' }, 'Your half-filled incident is back: check it and log it.')
      : null,
    missing
      ? h('div', { class: 'notice', testid: 'setup-missing' },
        `${missing.text} `,
        h('a', {
          href: `#/settings/${missing.tab}`,
          testid: 'setup-missing-link',
          // Keep what was typed: Settings offers the way back to it.
          onclick: () => { keepDraft(); },
        }, `Add ${missing.what} in Settings`),
        ' — what you typed here is kept.')
      : null,
    errorSlot,
    h('div', { class: 'form-columns' },
      h('div', { class: 'form-col' }, fields.what, fields.who),
      h('div', { class: 'form-col' }, fields.priority)),
    h('footer', { class: 'form-actions form-footer' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'submit-incident' }, 'Log incident'),
      h('button', { type: 'button', class: 'btn', testid: 'cancel-incident', onclick: cancel }, 'Cancel'),
      h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'), ' log · ', kbd('Esc'), ' cancel')),
  );
  submitOnCtrlEnter(form);

  function keepDraft() {
    if (dirty) store.state.incidentDraft = fields.read();
    dirty = false;
  }

  function cancel() {
    ctx.navigate('#/incidents');
  }

  async function submit() {
    clearErrors(form);
    errorSlot.textContent = '';
    const v = fields.read();
    // Text the core never sees as typed (it gets instants and numbers), all of it at once.
    const local = fields.localProblems();
    if (local.length) {
      showError(form, errorSlot, { problems: local, message: local[0].message, field: local[0].field });
      return;
    }
    const input = {
      title: v.title,
      description: v.description,
      category_id: v.category_id,
      service_id: v.service_id,
      reporter_name: v.reporter_name,
      reporter_contact: v.reporter_contact,
      channel: v.channel,
      started_at: v.started_at, // null means now
      detected_at: v.detected_at, // null means when logged
      users_affected: v.users_affected,
      impact: v.impact,
      urgency: v.urgency,
      priority_override: v.priority_override || null,
      priority_override_reason: v.priority_override ? v.priority_override_reason : null,
    };
    await busy(form, async () => {
      try {
        const detail = await api.logIncident(input);
        dirty = false;
        ctx.toast(`${detail.incident.number} logged as ${detail.incident.priority}.`);
        ctx.navigate(`#/incident/${detail.incident.id}`);
      } catch (error) {
        showError(form, errorSlot, error);
      }
    });
  }

  root.appendChild(form);
  fields.focusFirst();

  return {
    leaveWarning() {
      return dirty ? 'Discard this new incident? What you typed is not saved anywhere.' : null;
    },
    onEscape() {
      cancel();
      return true;
    },
  };
}
