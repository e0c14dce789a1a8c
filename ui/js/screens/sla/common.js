// screens/sla/common.js — what the four SLA tabs of Settings (policies, calendars, escalation
// rules, reminders) share, written once: loading the SLA settings from the core with the one
// error banner when that fails, and the small inputs they all use (minutes, time of day, time
// zone). The unsaved-edits guard and Escape are forms.entryEditor, shared with every settings tab.

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { loadFailedBanner } from '../../forms.js';
import { timeZones } from '../../sla.js';

/**
 * Loads the SLA settings into `panel`'s tab: `onLoad(settings, first)` runs after each load
 * (first: the tab has no settings yet). Returns {load, get settings(), set settings(v),
 * disposed, dispose()}; a load finishing after the tab closed is dropped.
 */
export function slaLoader(panel, onLoad) {
  const state = {
    settings: null,
    disposed: false,
    async load() {
      try {
        const result = await api.slaSettings();
        if (state.disposed) return;
        const first = state.settings === null;
        state.settings = result;
        onLoad(result, first);
      } catch (error) {
        if (!state.disposed) loadFailedBanner(panel, 'The SLA settings', error, state.load);
      }
    },
    dispose() { state.disposed = true; },
  };
  return state;
}

/** A datalist of IANA time zones for a zone input (one per page is enough). */
function zoneList() {
  let list = document.getElementById('iana-zones');
  if (!list) {
    list = h('datalist', { id: 'iana-zones' }, timeZones().map((z) => h('option', { value: z })));
    document.body.appendChild(list);
  }
  return list.id;
}

export function zoneInput(testid, value) {
  return h('input', {
    type: 'text', testid, value: value || '', list: zoneList(), autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. Europe/London',
  });
}

/**
 * A time of day as the core stores it, "08:00". A text field on purpose: the WebView's native time
 * control turns typed digits into surprises, and people type these.
 */
export function timeInput(testid, value, attrs = {}) {
  return h('input', {
    type: 'text', testid, value: value || '', placeholder: 'HH:MM', maxlength: '5', inputmode: 'numeric',
    autocomplete: 'off', spellcheck: 'false', class: 'time-input', pattern: '[0-2][0-9]:[0-5][0-9]', ...attrs,
  });
}

/** "8:00" → "08:00"; "0930" → "09:30"; anything else unchanged. */
export function tidyTime(text) {
  const t = text.trim();
  let m = /^(\d{1,2})[:.h](\d{2})$/.exec(t);
  if (!m) m = /^(\d{2})(\d{2})$/.exec(t);
  if (!m) m = /^(\d{1,2})$/.exec(t);
  if (!m) return t;
  const hh = Number(m[1]);
  const mm = m[2] === undefined ? 0 : Number(m[2]);
  if (hh > 23 || mm > 59) return t;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

export function minutesInput(testid, value, attrs = {}) {
  return h('input', {
    type: 'number', testid, min: '1', step: '1', inputmode: 'numeric',
    value: value === null || value === undefined ? '' : String(value), ...attrs,
  });
}

/** '' → null; a whole number ≥ 1 → it; anything else → NaN. */
export function minutesOf(input) {
  const raw = input.value.trim();
  if (raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : NaN;
}

/** A line under a minutes input that reads the number back in hours and days, live. */
export function minutesLine(input, explain) {
  const line = h('div', { class: 'definition minutes-line', 'aria-live': 'polite' });
  const update = () => {
    const text = explain(input.value.trim());
    line.textContent = text;
    line.hidden = !text;
  };
  input.addEventListener('input', update);
  update();
  line.update = update;
  return line;
}

export const muted = (text) => h('span', { class: 'muted' }, text);
