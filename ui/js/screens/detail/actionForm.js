// screens/detail/actionForm.js — the shell every action of the detail shares: the inline form
// (title, Cancel/Esc, Ctrl+Enter, the core's refusal beside the field it names) that sends the
// version shown as expected_version, the confirmation that a state-changing key asks for, and the
// one refusal banner above the forms (the shared form-error banner of forms.js).

import { h, clear, kbd } from '../../dom.js';
import { clearErrors, showFieldError, showFormError, submitOnCtrlEnter, busy } from '../../forms.js';

const ERROR_TITLES = {
  invalid_transition: 'Not allowed now',
  conflict: 'Changed by someone else',
  validation: 'Check the form',
  not_found: 'Not found',
};

/** The core's refusal above the action forms; a conflict offers to reload the incident. */
export function showActionError(s, error) {
  const title = ERROR_TITLES[error.code] || 'Something went wrong';
  showFormError(s.slots.error, `${title}: ${error.message}`, 'action-error');
  const banner = s.slots.error.firstChild;
  if (!banner) return;
  banner.classList.add('action-error');
  banner.setAttribute('data-code', error.code || '');
  if (error.code === 'conflict') {
    banner.appendChild(h('button', { type: 'button', class: 'btn btn-small', onclick: () => { clear(s.slots.error); s.load(); } }, 'Reload incident'));
  }
}

/**
 * Every invalid field the core names (`problems`, or the one `field`) beside its control at
 * once; the first one keeps the focus.
 */
export function showFieldErrors(form, error) {
  const problems = Array.isArray(error.problems) && error.problems.length
    ? error.problems
    : error.field ? [{ field: error.field, message: error.message }] : [];
  for (const p of [...problems].reverse()) showFieldError(form, p.field, p.message);
}

/**
 * An inline action form. `body` is its fields; `send(incident)` performs the call with the
 * version shown and returns the new IncidentDetail (undefined when the form refused by itself).
 */
export function actionForm(s, { name, title, intro, body, submitLabel, submitTestid, send, done, danger = false }) {
  const slot = h('div', { class: 'form-errors' });
  const form = h(
    'form',
    {
      class: ['action-form', `action-form-${name}`],
      testid: `form-${name}`,
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        s.clearActionError();
        await busy(form, async () => {
          try {
            const result = await send(s.detail.incident);
            if (result === undefined) return; // the form refused before calling the core
            if (s.disposed) return;
            s.panel = null;
            clear(s.slots.panel);
            s.show(result);
            if (done) s.ctx.toast(done(result.incident));
          } catch (error) {
            if (s.disposed) return;
            showFieldErrors(form, error);
            s.showActionError(error);
          }
        });
      },
    },
    h('div', { class: 'action-form-head' },
      h('h3', null, title),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => s.closePanel(), 'aria-label': 'Close form' }, 'Cancel ', kbd('Esc'))),
    intro ? h('p', { class: 'field-hint' }, intro) : null,
    slot,
    body,
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], testid: submitTestid }, submitLabel),
      h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'))),
  );
  form.errorSlot = slot;
  return submitOnCtrlEnter(form);
}

/**
 * What a key that would change the record at once asks first: one sentence of what happens, a
 * confirm button (focused, so Enter confirms) and Esc to leave it. `run()` does the action.
 */
export function confirmForm(s, { name, title, intro, submitLabel, run }) {
  const slot = h('div', { class: 'form-errors' });
  const confirm = h('button', { type: 'submit', class: 'btn btn-primary', testid: `confirm-${name}-submit` }, submitLabel);
  const form = h(
    'form',
    {
      class: ['action-form', 'action-form-confirm'],
      testid: `confirm-${name}`,
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        await busy(form, run);
      },
    },
    h('div', { class: 'action-form-head' },
      h('h3', null, title),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', testid: `confirm-${name}-cancel`, onclick: () => s.closePanel(), 'aria-label': 'Cancel' }, 'Cancel ', kbd('Esc'))),
    h('p', { class: 'field-hint' }, intro),
    slot,
    h('div', { class: 'form-actions' }, confirm, h('span', { class: 'muted small' }, kbd('Enter'), ' confirms')),
  );
  form.errorSlot = slot;
  form.focusFirst = confirm;
  return form;
}
