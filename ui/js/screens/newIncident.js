// screens/newIncident.js — logging an incident. The form sends a NewIncident to the core
// (log_incident); priority is previewed live by the core, never computed here. A refusal is
// shown under the field it names, with everything typed kept and that field focused. On
// success the new incident's detail opens.

import { h, kbd } from '../dom.js';
import * as api from '../api.js';
import { incidentFields } from '../incidentForm.js';
import { clearErrors, showError, showFieldError, submitOnCtrlEnter, busy } from '../forms.js';
import { toLocalInput } from '../format.js';
import * as store from '../store.js';

export function mount(root, _params, ctx) {
  ctx.setTitle('New incident');
  const fields = incidentFields({ started_local: toLocalInput(new Date()) }, { mode: 'new' });
  const errorSlot = h('div', { class: 'form-errors' });
  let dirty = false;
  let escArmed = false;

  const escHint = h('span', { class: 'esc-hint', hidden: true, role: 'status' }, 'Press Esc again to discard this incident.');

  const noSetup = store.services().length === 0 || store.categories().filter((c) => c.active).length === 0;

  const form = h(
    'form',
    {
      class: 'incident-form',
      testid: 'form-new-incident',
      novalidate: true,
      onsubmit: (e) => { e.preventDefault(); submit(); },
      oninput: () => { dirty = true; disarm(); },
      onchange: () => { dirty = true; },
    },
    h('header', { class: 'page-head page-head-stack' },
      h('a', { href: '#/incidents', class: 'back' }, '‹ Incidents'),
      h('h1', null, 'New incident'),
      h('p', { class: 'muted' }, 'Log what was reported. Impact and urgency decide the priority; the desk records who logged it and when.')),
    noSetup
      ? h('div', { class: 'notice' },
        'This desk has no services or active categories yet. ',
        h('a', { href: '#/settings/services' }, 'Add them in Settings'),
        ' so incidents can be classified.')
      : null,
    errorSlot,
    h('div', { class: 'form-columns' },
      h('div', { class: 'form-col' }, fields.what, fields.who),
      h('div', { class: 'form-col' }, fields.priority)),
    h('footer', { class: 'form-actions form-footer' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'submit-incident' }, 'Log incident'),
      h('button', { type: 'button', class: 'btn', testid: 'cancel-incident', onclick: cancel }, 'Cancel'),
      h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'), ' log · ', kbd('Esc'), ' cancel'),
      escHint),
  );
  submitOnCtrlEnter(form);

  function disarm() {
    escArmed = false;
    escHint.hidden = true;
  }

  function cancel() {
    ctx.navigate('#/incidents');
  }

  async function submit() {
    clearErrors(form);
    errorSlot.textContent = '';
    const v = fields.read();
    if (v.detected_text && !v.detected_at) {
      showFieldError(form, 'detected_at', 'Write the time as YYYY-MM-DD HH:MM in your local time, e.g. 2026-03-02 09:05');
      return;
    }
    if (v.users_affected !== null && !(Number.isInteger(v.users_affected) && v.users_affected >= 0)) {
      showFieldError(form, 'users_affected', 'Users affected is a whole number (or leave it empty)');
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
    onEscape() {
      if (!dirty || escArmed) {
        cancel();
        return true;
      }
      escArmed = true;
      escHint.hidden = false;
      return true;
    },
  };
}
