// forms.js — the shared pieces of every form: a labelled field with its hint and its error slot,
// selects filled from the core's choice lists with the chosen level's definition beside them,
// the one date-time input, the one "could not be loaded" banner, and the mapping of a core
// refusal {code, message, field, problems} onto every field it names (`error-<field>`), or onto
// a form-level message for what names no field of the form.

import { h, uid, option, clear, append } from './dom.js';
import * as store from './store.js';
import { toLocalText, localTextToIso, dateTime, zoneLabel } from './format.js';

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
 * Shows `message` under the control named `key` (testid `error-<key>`) and, unless `focus` is
 * false, focuses it. Returns false when the form has no such field.
 */
export function showFieldError(root, key, message, { focus = true } = {}) {
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
  if (focus) control.focus();
  return true;
}

/** Shows a message that names no field, at the top of `slot`. */
export function showFormError(slot, message, testid = 'form-error') {
  clear(slot);
  append(slot, [h('div', { class: 'form-error', role: 'alert', testid }, message)]);
}

/**
 * Every problem of a refusal: the core's `problems` list (one per invalid field, contract 4),
 * else the single `{field, message}` it always carries.
 */
export function problemsOf(error) {
  if (!error) return [];
  if (Array.isArray(error.problems) && error.problems.length) {
    return error.problems.filter((p) => p && typeof p.message === 'string');
  }
  return [{ field: error.field || null, message: error.message || String(error) }];
}

/**
 * Maps an ApiError onto the form: every invalid field gets its message at once, the first one
 * (in the form's order) is focused; problems naming no field of this form go into `slot`.
 * Returns 'field' when every problem sat at a field, else 'form'.
 */
export function showError(root, slot, error, testid = 'form-error') {
  const loose = [];
  for (const p of problemsOf(error)) {
    if (!showFieldError(root, p.field, p.message, { focus: false })) loose.push(p.message);
  }
  if (loose.length === 1) showFormError(slot, loose[0], testid);
  else if (loose.length > 1) {
    clear(slot);
    append(slot, [h('div', { class: 'form-error', role: 'alert', testid },
      h('ul', { class: 'prose' }, loose.map((m) => h('li', null, m))))]);
  }
  const first = root.querySelector('[aria-invalid="true"]');
  if (first) {
    // Centred, so the field's label above it and its message below are both in view.
    if (first.scrollIntoView) first.scrollIntoView({ block: 'center' });
    first.focus({ preventScroll: true });
  } else if (loose.length && slot.scrollIntoView) {
    slot.scrollIntoView({ block: 'nearest' });
  }
  return loose.length ? 'form' : 'field';
}

/**
 * The one error banner of a panel whose data could not be loaded: the core's message and a
 * "Try again" that calls `retry`. Replaces the panel's content.
 */
export function loadFailedBanner(panel, what, error, retry) {
  clear(panel);
  append(panel, [h('div', { class: 'form-error', role: 'alert', testid: 'form-error' },
    `${what} could not be loaded: ${(error && error.message) || String(error)} `,
    retry ? h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Try again') : null)]);
}

/**
 * The one date-time input of the window: a text field taking the user's local time as
 * "YYYY-MM-DD HH:MM" (the WebView's datetime pickers show locale formats like 11/29/2026 and
 * turn typed digits into surprises), with a live line under it that reads the value back in the
 * window's one format and names the zone ("Reads as Sun 29 Nov 2026 14:05 · Europe/Berlin,
 * UTC+01:00"). `input.iso()` gives the RFC 3339 instant the core takes (null when empty or
 * unreadable), `input.isBlank()` and `input.setInstant(value)` do what they say.
 * Use with field({ control: input, extra: input.reading }).
 */
export function dateTimeInput({ testid, value = null, placeholder = 'YYYY-MM-DD HH:MM' } = {}) {
  const input = h('input', {
    type: 'text', testid, value: value ? toLocalText(value) : '', placeholder, maxlength: '19',
    autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric', class: 'datetime-input',
  });
  const reading = h('div', { class: 'definition datetime-reading', 'aria-live': 'polite', testid: testid ? `${testid}-reading` : null });
  const update = () => {
    const text = input.value.trim();
    const iso = localTextToIso(text);
    reading.classList.toggle('is-bad', text !== '' && !iso);
    reading.textContent = text === ''
      ? `Your local time: ${zoneLabel()}`
      : iso ? `Reads as ${dateTime(iso)} · ${zoneLabel(iso)}` : `Write it as ${DATE_TIME_EXAMPLE}`;
  };
  input.addEventListener('input', update);
  input.addEventListener('blur', () => {
    const text = input.value.trim();
    const iso = localTextToIso(text);
    // "2026-3-2 9:05" is tidied to "2026-03-02 09:05"; typed seconds are kept as typed.
    if (iso && !/:\d{2}:\d{2}$/.test(text)) input.value = toLocalText(iso);
    update();
  });
  input.iso = () => localTextToIso(input.value);
  input.isBlank = () => input.value.trim() === '';
  input.setInstant = (v) => { input.value = v ? toLocalText(v) : ''; update(); };
  input.reading = reading;
  update();
  return input;
}

/** How a date-time is written, for error messages. */
export const DATE_TIME_EXAMPLE = 'YYYY-MM-DD HH:MM in your local time, e.g. 2026-03-02 09:05';

/**
 * The message for a date-time field that holds text but no readable time, or null when it is
 * empty or fine.
 */
export function dateTimeProblem(input) {
  return input && !input.isBlank() && !input.iso() ? `Write the time as ${DATE_TIME_EXAMPLE}` : null;
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

/**
 * The one "discard what you typed?" question, asked whenever a way out of a form would throw
 * away unsaved input (a route change through main.js, Cancel, Esc, a button that resets a form).
 * A modal box over the page: "Keep editing" is focused and Esc means it; resolves to true only
 * when the user chose to discard.
 */
export function askToDiscard(message, { discardLabel = 'Discard', stayLabel = 'Keep editing' } = {}) {
  const open = document.querySelector('[data-testid="discard-dialog"]');
  if (open) open.remove();
  const before = document.activeElement;
  return new Promise((resolve) => {
    const titleId = uid('discard');
    const done = (discard) => {
      overlay.remove();
      if (!discard && before && before.isConnected) before.focus();
      resolve(discard);
    };
    const stay = h('button', { type: 'button', class: 'btn btn-primary', testid: 'discard-stay', onclick: () => done(false) }, stayLabel);
    const discard = h('button', { type: 'button', class: 'btn btn-danger', testid: 'discard-confirm', onclick: () => done(true) }, discardLabel);
    const box = h('div', { class: 'discard-box', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': titleId, testid: 'discard-dialog' },
      h('p', { id: titleId, class: 'discard-message', testid: 'discard-message' }, message),
      h('div', { class: 'form-actions' }, stay, discard));
    const overlay = h('div', { class: 'discard-overlay' }, box);
    overlay.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        done(false);
      } else if (e.key === 'Tab') {
        // Keep focus on the two answers while the question is open.
        e.preventDefault();
        (document.activeElement === stay ? discard : stay).focus();
      }
      // No window shortcut (N, /, Esc of the screen below) acts while the question is open.
      e.stopPropagation();
    });
    document.body.appendChild(overlay);
    stay.focus();
  });
}

/**
 * The unsaved-edits guard and Escape of a list-and-form tab, written once (settings entityTab,
 * SLA calendars): `edit(entry, focus)` builds the form for an entry (null: a new one) and
 * registers it with `shown(form, entry)`. Gives `open(entry)` (asks before dropping edits),
 * `onEscape()` (back to a new entry, asking when there are edits), `leaveWarning()` for
 * main.js's guard, and `reloaded(current)` (rebuilds an untouched form whose entry changed
 * elsewhere; a form holding edits is never rebuilt under the user).
 */
export function entryEditor(noun, edit) {
  let form = null;
  let selected = null;
  const warning = () => `Discard your changes to this ${noun}?`;
  const frame = {
    get form() { return form; },
    get selectedId() { return selected === null ? null : selected.id; },
    shown(f, entry) {
      form = f;
      selected = entry || null;
      form.source = JSON.stringify(entry || null);
    },
    open(entry, focus = true) {
      if (!form || !form.dirty) {
        edit(entry, focus);
        return;
      }
      askToDiscard(warning()).then((discard) => { if (discard) edit(entry, focus); });
    },
    reloaded(current) {
      if (form && !form.dirty && form.source !== JSON.stringify(current || null)) edit(current || null, false);
    },
    onEscape() {
      if (selected === null) return false;
      frame.open(null, false);
      return true;
    },
    leaveWarning() {
      return form && form.dirty ? warning() : null;
    },
  };
  return frame;
}
