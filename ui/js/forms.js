// forms.js — the shared pieces of every form: a labelled field with its hint and its error slot,
// selects filled from the core's choice lists with the chosen level's definition beside them,
// and the mapping of a core refusal {code, message, field} onto the field it names
// (`error-<field>`), or onto a form-level message when it names none.

import { h, uid, option, clear, append } from './dom.js';
import * as store from './store.js';

/**
 * A labelled field. `control` is an input/select/textarea; it gets an id for the label and
 * `data-field=<key>` so an error naming `key` lands here.
 */
export function field({ key, label, control, hint, wide = false, optional = false, extra = null }) {
  const id = control.id || uid(key || 'f');
  control.id = id;
  if (key) control.setAttribute('data-field', key);
  const hintEl = hint ? h('div', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h(
    'div',
    { class: ['field', wide && 'field-wide'], 'data-field-wrap': key || null },
    h('label', { for: id, class: 'field-label' }, label, optional ? h('span', { class: 'optional' }, ' (optional)') : null),
    control,
    extra,
    hintEl,
  );
}

/** A checkbox with its label on the right. */
export function checkboxField({ key, label, checked, testid, hint }) {
  const id = uid(key || 'cb');
  const input = h('input', { type: 'checkbox', id, testid, checked: !!checked, 'data-field': key || null });
  return h(
    'div',
    { class: 'field field-check', 'data-field-wrap': key || null },
    h('label', { for: id, class: 'check' }, input, h('span', null, label)),
    hint ? h('div', { class: 'field-hint' }, hint) : null,
  );
}

/** A <select> over [{value, label}] with an optional first placeholder option. */
export function select({ testid, items, value, placeholder, required = false }) {
  const el = h('select', { testid, required });
  if (placeholder !== undefined && placeholder !== null) el.appendChild(option('', placeholder));
  for (const item of items) el.appendChild(option(item.value, item.label));
  el.value = value === null || value === undefined ? '' : String(value);
  return el;
}

/** A <select> over one of the core's choice lists (impacts, channels, …). */
export function choiceSelect(list, opts = {}) {
  return select({ ...opts, items: store.choices(list) });
}

/** Selects over reference records: {id, name} → {value: id, label: name}. */
export function recordItems(records) {
  return records.map((r) => ({ value: String(r.id), label: r.name }));
}

/**
 * A live line under a choice select that shows the chosen level's definition, so the user
 * never guesses what "Significant" means.
 */
export function definitionLine(list, selectEl) {
  const line = h('div', { class: 'definition', 'aria-live': 'polite' });
  const update = () => {
    const def = store.choiceDefinition(list, selectEl.value);
    line.textContent = def;
    line.hidden = !def;
  };
  selectEl.addEventListener('change', update);
  selectEl.addEventListener('input', update);
  update();
  return line;
}

/**
 * Every level of a choice list with its definition, the selected one highlighted; clicking a
 * level selects it. Shown beside impact and urgency.
 */
export function definitionLegend(list, selectEl) {
  const items = store.choices(list).map((c) =>
    h(
      'li',
      { 'data-value': c.value },
      h('button', {
        type: 'button',
        class: 'legend-pick',
        tabindex: '-1',
        onclick: () => {
          selectEl.value = c.value;
          selectEl.dispatchEvent(new Event('change', { bubbles: true }));
          selectEl.focus();
        },
      }, h('strong', null, c.label), h('span', null, c.definition)),
    ),
  );
  const legend = h('ul', { class: 'legend' }, items);
  const update = () => {
    for (const li of legend.children) li.classList.toggle('is-selected', li.getAttribute('data-value') === selectEl.value);
  };
  selectEl.addEventListener('change', update);
  selectEl.addEventListener('input', update);
  update();
  return legend;
}

/** Removes every error message of a form. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('.field-error, .form-error')) el.remove();
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
}

/**
 * Shows `message` under the control named `key` (testid `error-<key>`) and focuses it.
 * Returns false when the form has no such field.
 */
export function showFieldError(root, key, message) {
  if (!key) return false;
  const control = root.querySelector(`[data-field="${CSS.escape(key)}"]`);
  if (!control) return false;
  const wrap = control.closest('[data-field-wrap]') || control.parentElement;
  const old = wrap.querySelector(':scope > .field-error');
  if (old) old.remove();
  const errId = uid('err');
  const err = h('div', { class: 'field-error', id: errId, role: 'alert', testid: `error-${key}` }, message);
  wrap.appendChild(err);
  control.setAttribute('aria-invalid', 'true');
  const described = control.getAttribute('aria-describedby');
  control.setAttribute('aria-describedby', described ? `${described} ${errId}` : errId);
  control.focus();
  return true;
}

/** Shows a message that names no field, at the top of `slot`. */
export function showFormError(slot, message, testid = 'form-error') {
  clear(slot);
  append(slot, [h('div', { class: 'form-error', role: 'alert', testid }, message)]);
}

/**
 * Maps an ApiError onto the form: next to its field when the form has it, else into `slot`.
 * Returns 'field' or 'form'.
 */
export function showError(root, slot, error, testid = 'form-error') {
  if (error && error.field && showFieldError(root, error.field, error.message)) return 'field';
  showFormError(slot, (error && error.message) || String(error), testid);
  return 'form';
}

/** Ctrl/Cmd+Enter submits the form even from a textarea. */
export function submitOnCtrlEnter(form) {
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  return form;
}

/** '' → null, '12' → 12. */
export function idOrNull(value) {
  if (value === '' || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Disables a form's submit buttons while `work` runs (no double submissions). */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button[type="submit"]')];
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** Marks a form dirty on any edit, so a background reload leaves it alone. */
export function trackDirty(form) {
  form.dirty = false;
  const mark = () => { form.dirty = true; };
  form.addEventListener('input', mark);
  form.addEventListener('change', mark);
  return form;
}
