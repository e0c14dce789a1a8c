// screens/slaSettings.js — the SLA tabs of Settings: policies per priority (targets, calendar,
// warning thresholds, pause reasons), business calendars (working hours, time zone, holidays and
// their import), escalation rules, and reminders with quiet hours. Every save goes through the
// core, which validates and re-measures every open incident; its refusals appear next to the
// field they name. A reload triggered elsewhere never overwrites a form being edited.

import { h, replace, patch, clear, priorityPill, uid } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import {
  field, checkboxField, select, choiceSelect, recordItems, clearErrors, showError, showFieldError,
  showFormError, busy, idOrNull, submitOnCtrlEnter, trackDirty,
} from '../forms.js';
import { count, dayText, minutesText } from '../format.js';
import { explainMinutes, businessDayMinutes, weekMinutes, localTimeZone, timeZones } from '../sla.js';

const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
];

// ---- shared bits ------------------------------------------------------------------------------

/** A datalist of IANA time zones for a zone input (one per page is enough). */
function zoneList() {
  let list = document.getElementById('iana-zones');
  if (!list) {
    list = h('datalist', { id: 'iana-zones' }, timeZones().map((z) => h('option', { value: z })));
    document.body.appendChild(list);
  }
  return list.id;
}

function zoneInput(testid, value) {
  return h('input', {
    type: 'text', testid, value: value || '', list: zoneList(), autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. Europe/London',
  });
}

/**
 * A time of day as the core stores it, "08:00". A text field on purpose: the WebView's native time
 * control turns typed digits into surprises, and people type these.
 */
function timeInput(testid, value, attrs = {}) {
  return h('input', {
    type: 'text', testid, value: value || '', placeholder: 'HH:MM', maxlength: '5', inputmode: 'numeric',
    autocomplete: 'off', spellcheck: 'false', class: 'time-input', pattern: '[0-2][0-9]:[0-5][0-9]', ...attrs,
  });
}

/** "8:00" → "08:00"; "0930" → "09:30"; anything else unchanged. */
function tidyTime(text) {
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

function minutesInput(testid, value, attrs = {}) {
  return h('input', {
    type: 'number', testid, min: '1', step: '1', inputmode: 'numeric',
    value: value === null || value === undefined ? '' : String(value), ...attrs,
  });
}

/** '' → null; a whole number ≥ 1 → it; anything else → NaN. */
function minutesOf(input) {
  const raw = input.value.trim();
  if (raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : NaN;
}

/** A line under a minutes input that reads the number back in hours and days, live. */
function minutesLine(input, explain) {
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

const muted = (text) => h('span', { class: 'muted' }, text);

function loadFailed(panel, error, retry) {
  replace(panel, h('div', { class: 'form-error', role: 'alert', testid: 'form-error' },
    `The SLA settings could not be loaded: ${error.message} `,
    h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Try again')));
}

// ---- SLA policies -----------------------------------------------------------------------------------

export function policiesTab(panel, ctx) {
  let settings = null;
  let disposed = false;
  const rows = new Map(); // priority → form
  const body = h('div', { class: 'policy-body' });

  function calendarById(id) {
    return settings.calendars.find((c) => String(c.id) === String(id)) || null;
  }

  function rowForm(policy) {
    const p = policy.priority;
    const slot = h('div', { class: 'form-errors policy-errors' });
    const response = minutesInput(`sla-response-${p}`, policy.response_minutes, { 'aria-label': `${p} response target in minutes` });
    const resolution = minutesInput(`sla-resolution-${p}`, policy.resolution_minutes, { 'aria-label': `${p} resolution target in minutes` });
    const calendar = select({
      testid: `sla-calendar-${p}`,
      items: settings.calendars.map((c) => ({ value: String(c.id), label: c.name })),
      value: policy.calendar_id,
    });
    calendar.setAttribute('aria-label', `${p} calendar`);
    const warn = h('input', {
      type: 'text', testid: `sla-warn-${p}`, value: (policy.warn_percents || []).join(', '),
      autocomplete: 'off', placeholder: 'e.g. 50, 75', 'aria-label': `${p} warning thresholds in percent`,
    });
    const reasons = h('textarea', {
      testid: `sla-pause-reasons-${p}`, rows: '2', 'aria-label': `${p} pause reasons, one per line`,
      placeholder: 'None: pausing is off',
    });
    reasons.value = (policy.pause_reasons || []).join('\n');

    const explain = (v) => explainMinutes(v, calendarById(calendar.value));
    const responseLine = minutesLine(response, explain);
    const resolutionLine = minutesLine(resolution, explain);
    const warnLine = h('div', { class: 'definition' });
    const updateWarn = () => {
      const res = Number(resolution.value);
      const pcts = parseWarn(warn.value);
      warnLine.textContent = Array.isArray(pcts) && pcts.length && Number.isInteger(res) && res > 0
        ? `Resolution warnings after ${pcts.map((x) => minutesText(Math.floor((res * x) / 100))).join(', ')}`
        : pcts === null ? 'No warnings' : '';
    };
    warn.addEventListener('input', updateWarn);
    resolution.addEventListener('input', updateWarn);
    calendar.addEventListener('change', () => { responseLine.update(); resolutionLine.update(); });
    updateWarn();

    const cellOf = (key, control, ...extra) => h('div', { class: 'policy-cell', 'data-field-wrap': key }, control, ...extra);
    response.setAttribute('data-field', 'response_minutes');
    resolution.setAttribute('data-field', 'resolution_minutes');
    calendar.setAttribute('data-field', 'calendar_id');
    warn.setAttribute('data-field', 'warn_percents');
    reasons.setAttribute('data-field', 'pause_reasons');

    const form = h('form', {
      class: 'policy-row',
      testid: `sla-policy-${p}`,
      'data-priority': p,
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const input = {
          priority: p,
          response_minutes: minutesOf(response),
          resolution_minutes: minutesOf(resolution),
          calendar_id: idOrNull(calendar.value),
          warn_percents: parseWarn(warn.value),
          pause_reasons: reasons.value.split('\n').map((r) => r.trim()).filter(Boolean),
        };
        if (!Number.isInteger(input.response_minutes)) {
          showFieldError(form, 'response_minutes', 'Enter the response target as a whole number of minutes (at least 1)');
          return;
        }
        if (!Number.isInteger(input.resolution_minutes)) {
          showFieldError(form, 'resolution_minutes', 'Enter the resolution target as a whole number of minutes (at least 1)');
          return;
        }
        if (!Array.isArray(input.warn_percents)) {
          if (input.warn_percents === null) input.warn_percents = [];
          else {
            showFieldError(form, 'warn_percents', 'Write whole percentages separated by commas, e.g. 50, 75');
            return;
          }
        }
        await busy(form, async () => {
          try {
            settings = await api.saveSlaPolicy(input);
            if (disposed) return;
            ctx.toast(`${p} policy saved. Open ${p} incidents are measured against it now.`);
            const saved = settings.policies.find((x) => x.priority === p);
            const fresh = rowForm(saved || input);
            form.replaceWith(fresh);
            rows.set(p, fresh);
            refreshOthers(p);
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('div', { class: 'policy-cell policy-prio' }, priorityPill(p, store.choiceLabel('priorities', p))),
    cellOf('response_minutes', response, responseLine),
    cellOf('resolution_minutes', resolution, resolutionLine),
    cellOf('calendar_id', calendar),
    cellOf('warn_percents', warn, warnLine),
    cellOf('pause_reasons', reasons),
    h('div', { class: 'policy-cell policy-save' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: `sla-save-${p}` }, 'Save')),
    slot);
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = JSON.stringify([policy, settings.calendars.map((c) => [c.id, c.name, c.always_on, c.week])]);
    return form;
  }

  /** Rebuilds every row that is not being edited (calendar names may have changed). */
  function refreshOthers(except) {
    for (const policy of settings.policies) {
      if (policy.priority === except) continue;
      const old = rows.get(policy.priority);
      if (old && old.dirty) continue;
      const source = JSON.stringify([policy, settings.calendars.map((c) => [c.id, c.name, c.always_on, c.week])]);
      if (old && old.source === source) continue;
      const fresh = rowForm(policy);
      if (old) old.replaceWith(fresh);
      rows.set(policy.priority, fresh);
    }
  }

  function build() {
    rows.clear();
    const header = h('div', { class: 'policy-row policy-header', 'aria-hidden': 'true' },
      h('div', { class: 'policy-cell' }, 'Priority'),
      h('div', { class: 'policy-cell' }, 'Response (min)'),
      h('div', { class: 'policy-cell' }, 'Resolution (min)'),
      h('div', { class: 'policy-cell' }, 'Calendar'),
      h('div', { class: 'policy-cell' }, 'Warn at (%)'),
      h('div', { class: 'policy-cell' }, 'Pause reasons (one per line)'),
      h('div', { class: 'policy-cell' }, ''));
    const forms = settings.policies.map((policy) => {
      const f = rowForm(policy);
      rows.set(policy.priority, f);
      return f;
    });
    replace(body, header, forms);
  }

  async function load() {
    try {
      const result = await api.slaSettings();
      if (disposed) return;
      const first = settings === null;
      settings = result;
      if (first) build();
      else refreshOthers(null);
    } catch (error) {
      if (!disposed) loadFailed(panel, error, load);
    }
  }

  replace(panel, h('div', { class: 'sla-settings', testid: 'sla-policies' },
    h('div', { class: 'settings-form sla-intro' },
      h('h2', null, 'SLA policies'),
      h('p', { class: 'field-hint' },
        'Each priority has a response target (until the first response) and a resolution target (until resolved), ',
        'counted in its calendar: a 24×7 calendar counts every minute, a business calendar only its working hours. ',
        'Warnings are raised when the given share of a target is used; the breach comes at 100 %.'),
      h('p', { class: 'field-hint' },
        h('strong', null, 'Pause reasons: '),
        'none are enabled by default, so the clocks of that priority cannot be paused. A paused clock must be justified: ',
        'list the reasons you accept (e.g. “Waiting for the user”), one per line. Saving re-measures every open incident.')),
    h('div', { class: 'policy-table', role: 'group', 'aria-label': 'SLA policies per priority' }, body)));
  replace(body, h('p', { class: 'muted' }, 'Loading…'));
  load();

  return {
    refresh: load,
    unmount() { disposed = true; },
  };
}

/** "50, 75" → [50, 75]; "" → null (none); anything unreadable → NaN. */
function parseWarn(text) {
  const parts = text.split(/[\s,;]+/).map((x) => x.replace(/%$/, '')).filter(Boolean);
  if (parts.length === 0) return null;
  const nums = parts.map(Number);
  return nums.every((n) => Number.isInteger(n)) ? nums : NaN;
}

// ---- calendars ------------------------------------------------------------------------------------

function blankCalendar() {
  return {
    id: 0,
    name: '',
    always_on: false,
    time_zone: localTimeZone() || 'UTC',
    week: [['08:00', '17:00'], ['08:00', '17:00'], ['08:00', '17:00'], ['08:00', '17:00'], ['08:00', '17:00'], null, null],
    holidays: [],
  };
}

function calendarSummary(cal) {
  if (cal.always_on) return '24×7: every minute counts';
  const mins = weekMinutes(cal);
  const days = mins.filter((m) => m > 0).length;
  const day = businessDayMinutes(cal);
  const total = mins.reduce((a, b) => a + b, 0);
  return `${days} working ${days === 1 ? 'day' : 'days'}${day ? ` of ${minutesText(day)}` : ''} · ${minutesText(total)} a week`;
}

export function calendarsTab(panel, ctx) {
  let settings = null;
  let selectedId = null; // null: a new calendar
  let disposed = false;
  let form = null;
  const listSlot = h('div', { class: 'settings-list' });
  const formSlot = h('div', { class: 'settings-form-wrap' });
  replace(panel, h('div', { class: 'settings-split' }, listSlot, formSlot));

  function renderList() {
    const cals = settings.calendars;
    patch(
      listSlot,
      h('div', { class: 'settings-list-head' },
        h('h2', null, 'Calendars ', h('span', { class: 'muted count' }, count(cals.length))),
        h('button', { type: 'button', class: 'btn', testid: 'settings-add', onclick: () => edit(null) }, 'Add calendar')),
      h('p', { class: 'field-hint' }, 'SLA targets are counted in a calendar: around the clock, or only in working hours outside holidays. Each policy names its calendar.'),
      h('div', { class: ['grid', 'grid-compact', 'calendars-grid'], role: 'table', 'aria-label': 'Calendars', testid: 'settings-list' },
        h('div', { role: 'rowgroup', class: 'grid-head' },
          h('div', { role: 'row', class: 'grid-row' },
            ['Name', 'Hours', 'Time zone', 'Holidays'].map((l) => h('div', { role: 'columnheader', class: 'cell' }, l)))),
        h('div', { role: 'rowgroup', class: 'grid-body' }, cals.map((c) => h('div', {
          role: 'row',
          class: ['grid-row', 'row', c.id === selectedId && 'is-selected'],
          testid: 'settings-row',
          'data-id': c.id,
          tabindex: '0',
          onclick: () => edit(c),
          onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); edit(c); } },
        },
        h('div', { role: 'cell', class: 'cell', title: c.name }, c.name),
        h('div', { role: 'cell', class: 'cell', title: calendarSummary(c) }, calendarSummary(c)),
        h('div', { role: 'cell', class: 'cell' }, c.always_on ? muted('—') : c.time_zone || muted('not set')),
        h('div', { role: 'cell', class: 'cell' }, c.always_on ? muted('ignored') : count(c.holidays.length)))))),
    );
  }

  function edit(cal, focus = true) {
    selectedId = cal ? cal.id : null;
    renderList();
    const draft = JSON.parse(JSON.stringify(cal || blankCalendar()));
    const creating = !cal;
    const slot = h('div', { class: 'form-errors' });

    const name = h('input', { type: 'text', testid: 'calendar-name', value: draft.name, autocomplete: 'off', placeholder: 'e.g. Office hours London' });
    const alwaysOn = checkboxField({ key: 'always_on', label: '24×7 — every minute counts (no working hours, no holidays)', checked: draft.always_on, testid: 'calendar-always-on' });
    const alwaysBox = alwaysOn.querySelector('input');
    const zone = zoneInput('calendar-zone', draft.time_zone);
    const here = localTimeZone();

    // Working hours, Monday first.
    const days = WEEKDAYS.map(([key, label], i) => {
      const hours = draft.week[i];
      const on = h('input', { type: 'checkbox', testid: `calendar-day-${key}`, checked: !!hours, 'data-field': i === 0 ? 'week' : null });
      const from = timeInput(`calendar-from-${key}`, hours ? hours[0] : '08:00', { 'aria-label': `${label} from` });
      const to = timeInput(`calendar-to-${key}`, hours ? hours[1] : '17:00', { 'aria-label': `${label} to` });
      for (const el of [from, to]) el.addEventListener('blur', () => { el.value = tidyTime(el.value); });
      const sync = () => { from.disabled = !on.checked || alwaysBox.checked; to.disabled = !on.checked || alwaysBox.checked; };
      on.addEventListener('change', sync);
      const id = uid('day');
      on.id = id;
      const row = h('div', { class: 'week-day' },
        h('label', { class: 'check', for: id }, on, h('span', null, label)),
        from, h('span', { class: 'muted' }, 'to'), to);
      return { on, from, to, sync, row };
    });
    const weekSummary = h('div', { class: 'definition' });
    const readWeek = () => days.map((d) => (d.on.checked ? [tidyTime(d.from.value), tidyTime(d.to.value)] : null));
    const updateSummary = () => {
      weekSummary.textContent = alwaysBox.checked
        ? 'Working hours are ignored: a 24×7 calendar counts every minute.'
        : calendarSummary({ always_on: false, week: readWeek() });
    };
    const week = h('fieldset', { class: 'field field-wide week', 'data-field-wrap': 'week', testid: 'calendar-week' },
      h('legend', { class: 'field-label' }, 'Working hours (local time in the zone above)'),
      days.map((d) => d.row),
      weekSummary);
    week.addEventListener('input', updateSummary);
    week.addEventListener('change', updateSummary);

    // Holidays: edited here, saved with the calendar.
    const holidayList = h('ul', { class: 'holiday-list', testid: 'holiday-list' });
    const renderHolidays = () => {
      draft.holidays.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      patch(holidayList, draft.holidays.length === 0
        ? h('li', { class: 'muted small' }, 'No holidays.')
        : draft.holidays.map((hd) => h('li', { class: 'holiday-row', testid: 'holiday-row', 'data-day': hd.day },
          h('span', { class: 'num holiday-day' }, dayText(hd.day)),
          h('span', { class: 'holiday-name' }, hd.name || muted('(no name)')),
          h('button', {
            type: 'button', class: 'btn btn-quiet btn-small', testid: 'holiday-remove',
            'aria-label': `Remove ${hd.day}`,
            onclick: () => {
              draft.holidays = draft.holidays.filter((x) => x.day !== hd.day);
              form.dirty = true;
              unsaved.hidden = false;
              renderHolidays();
            },
          }, 'Remove'))));
    };
    const holidayDate = h('input', {
      type: 'text', testid: 'holiday-date', 'aria-label': 'Holiday date (YYYY-MM-DD)', 'data-field': 'holiday_day',
      placeholder: 'YYYY-MM-DD', maxlength: '10', autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric',
    });
    const holidayName = h('input', { type: 'text', testid: 'holiday-name', placeholder: 'Name, e.g. Christmas Day', autocomplete: 'off', 'aria-label': 'Holiday name' });
    const unsaved = h('p', { class: 'field-hint unsaved', hidden: true }, 'Holiday changes are saved with the calendar: press Save calendar.');
    const addHoliday = () => {
      const wrap = holidayAdd;
      const old = wrap.querySelector('.field-error');
      if (old) old.remove();
      const day = holidayDate.value.trim();
      const parsed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
      const real = parsed && new Date(Date.UTC(+parsed[1], +parsed[2] - 1, +parsed[3])).toISOString().slice(0, 10) === day;
      if (!real) {
        showFieldError(wrap, 'holiday_day', 'Write the date as YYYY-MM-DD, e.g. 2026-12-25');
        return;
      }
      draft.holidays = draft.holidays.filter((x) => x.day !== day);
      draft.holidays.push({ day, name: holidayName.value.trim() });
      holidayDate.value = '';
      holidayName.value = '';
      holidayDate.removeAttribute('aria-invalid');
      form.dirty = true;
      unsaved.hidden = false;
      renderHolidays();
      holidayDate.focus();
    };
    holidayName.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } });
    holidayDate.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } });
    const holidayAdd = h('div', { class: 'holiday-add', 'data-field-wrap': 'holiday_day' },
      holidayDate, holidayName,
      h('button', { type: 'button', class: 'btn', testid: 'holiday-add', onclick: addHoliday }, 'Add holiday'));

    // Import: saved at once by the core.
    const importText = h('textarea', {
      testid: 'holidays-import-text', rows: '4', 'data-field': 'holidays', spellcheck: 'false',
      placeholder: '2026-12-25, Christmas Day\n2026-12-26, Boxing Day\n2027-01-01',
    });
    const importButton = h('button', { type: 'button', class: 'btn', testid: 'holidays-import', disabled: creating, onclick: runImport }, 'Import dates');
    async function runImport() {
      const wrap = importField;
      const old = wrap.querySelector('.field-error');
      if (old) old.remove();
      importText.removeAttribute('aria-invalid');
      importButton.disabled = true;
      try {
        settings = await api.importHolidays(draft.id, importText.value);
        if (disposed) return;
        const saved = settings.calendars.find((c) => c.id === draft.id);
        ctx.toast(`Dates imported into “${draft.name}”. Open incidents are re-measured.`);
        renderList();
        if (saved) {
          // Keep unsaved edits of the other fields; take the holidays as the core now has them.
          draft.holidays = JSON.parse(JSON.stringify(saved.holidays));
          importText.value = '';
          renderHolidays();
        }
      } catch (error) {
        if (!showFieldError(form, error.field === 'holidays' || !error.field ? 'holidays' : error.field, error.message)) {
          showFormError(slot, error.message);
        }
      } finally {
        importButton.disabled = creating;
      }
    }
    const importField = h('div', { class: 'field field-wide', 'data-field-wrap': 'holidays' },
      h('label', { class: 'field-label', for: (importText.id = uid('import')) }, 'Import dates'),
      importText,
      h('div', { class: 'field-hint' },
        'One date per line as YYYY-MM-DD, optionally followed by a comma and a name: ',
        h('code', null, '2026-12-25, Christmas Day'),
        '. Empty lines and lines starting with # are skipped; a date already listed gets the new name. ',
        creating ? 'Save the new calendar first.' : 'Importing saves at once; a bad line is reported with its number and nothing is added.'),
      h('div', { class: 'form-actions' }, importButton));

    const syncAlways = () => {
      const on = alwaysBox.checked;
      zone.disabled = on;
      for (const d of days) { d.on.disabled = on; d.sync(); }
      week.classList.toggle('is-off', on);
      updateSummary();
    };
    alwaysBox.addEventListener('change', syncAlways);

    form = h('form', {
      class: 'settings-form calendar-form',
      testid: 'settings-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const record = {
          id: draft.id || 0,
          name: name.value.trim(),
          always_on: alwaysBox.checked,
          time_zone: zone.value.trim(),
          week: readWeek(),
          holidays: draft.holidays.map((x) => ({ day: x.day, name: x.name })),
        };
        await busy(form, async () => {
          try {
            const before = new Set(settings.calendars.map((c) => c.id));
            settings = await api.saveCalendar(record, creating);
            if (disposed) return;
            const saved = creating
              ? settings.calendars.find((c) => !before.has(c.id)) || settings.calendars.find((c) => c.name === record.name)
              : settings.calendars.find((c) => c.id === record.id);
            ctx.toast(`Calendar “${record.name}” saved. Open incidents are re-measured.`);
            edit(saved || null, false);
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, creating ? 'New calendar' : `Edit calendar “${draft.name}”`),
    slot,
    field({ key: 'name', label: 'Name', control: name }),
    alwaysOn,
    field({
      key: 'time_zone', label: 'Time zone (IANA)', control: zone,
      hint: `The zone the working hours and holidays are in, e.g. Europe/London or America/New_York.${here ? ` This computer uses ${here}.` : ''}`,
    }),
    week,
    h('fieldset', { class: 'field field-wide holidays', 'data-field-wrap': 'holiday_list' },
      h('legend', { class: 'field-label' }, 'Holidays (no working hours on these days)'),
      holidayList,
      holidayAdd,
      unsaved),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'settings-save' }, creating ? 'Add calendar' : 'Save calendar'),
      !creating ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => edit(null) }, 'Cancel') : null),
    importField);
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = JSON.stringify(cal || null);
    renderHolidays();
    syncAlways();
    replace(formSlot, form);
    if (focus) name.focus();
  }

  async function load() {
    try {
      const result = await api.slaSettings();
      if (disposed) return;
      const first = settings === null;
      settings = result;
      renderList();
      if (first) {
        edit(settings.calendars[0] || null, false);
      } else if (form && !form.dirty) {
        // Rebuild an untouched form only when its calendar changed elsewhere.
        const cur = selectedId === null ? null : settings.calendars.find((c) => c.id === selectedId) || null;
        if (form.source !== JSON.stringify(cur)) edit(cur, false);
      }
    } catch (error) {
      if (!disposed) loadFailed(panel, error, load);
    }
  }

  replace(listSlot, h('p', { class: 'muted settings-loading' }, 'Loading…'));
  load();
  return {
    refresh: load,
    unmount() { disposed = true; },
    onEscape() {
      if (selectedId !== null && form && !form.dirty) {
        edit(null, false);
        return true;
      }
      return false;
    },
  };
}

// ---- escalation rules --------------------------------------------------------------------------------

const TRIGGERS = [
  { value: 'unacknowledged', label: 'Not acknowledged', definition: 'Nobody acknowledged it within the time after logging.' },
  { value: 'unresolved', label: 'Not resolved', definition: 'It is still open (new, assigned or in progress) the time after logging.' },
];
const RULE_ACTIONS = [
  { value: 'escalate_team', label: 'Escalate to a team' },
  { value: 'notify_person', label: 'Notify a person' },
  { value: 'raise_priority', label: 'Raise the priority' },
];

function nameOf(list, id) {
  const found = store.byId(list, id);
  return found ? found.name : `#${id}`;
}

function ruleConditions(r) {
  const parts = [];
  if (r.priority) parts.push(r.priority);
  if (r.category_id) parts.push(nameOf(store.categories(), r.category_id));
  if (r.service_id) parts.push(nameOf(store.services(), r.service_id));
  if (r.team_id) parts.push(`team ${nameOf(store.teams(), r.team_id)}`);
  if (r.tier) parts.push(store.choiceLabel('tiers', r.tier));
  return parts.length ? parts.join(' · ') : 'Every incident';
}

function ruleTrigger(r) {
  const t = TRIGGERS.find((x) => x.value === r.trigger);
  return `${t ? t.label : r.trigger} after ${minutesText(r.after_minutes)}`;
}

function ruleAction(r) {
  if (r.action === 'escalate_team') return `Escalate to ${r.target_team_id ? nameOf(store.teams(), r.target_team_id) : '?'}`;
  if (r.action === 'notify_person') return `Notify ${r.target_person_id ? nameOf(store.people(), r.target_person_id) : '?'}`;
  if (r.action === 'raise_priority') return `Raise to ${r.target_priority || '?'}`;
  return r.action;
}

export function escalationTab(panel, ctx) {
  let settings = null;
  let selectedId = null;
  let disposed = false;
  let form = null;
  const listSlot = h('div', { class: 'settings-list' });
  const formSlot = h('div', { class: 'settings-form-wrap' });
  replace(panel, h('div', { class: 'settings-split' }, listSlot, formSlot));

  function renderList() {
    const rules = settings.rules;
    patch(
      listSlot,
      h('div', { class: 'settings-list-head' },
        h('h2', null, 'Escalation rules ', h('span', { class: 'muted count' }, count(rules.length))),
        h('button', { type: 'button', class: 'btn', testid: 'settings-add', onclick: () => edit(null) }, 'Add rule')),
      h('p', { class: 'field-hint' }, 'A rule acts on its own when a matching incident is not acknowledged or not resolved in time: it escalates, notifies someone or raises the priority, and records why on the timeline. Switch a rule off with “Active”.'),
      rules.length === 0
        ? h('div', { class: 'empty empty-small', testid: 'settings-empty' }, h('p', null, 'No escalation rules yet. Add the first one with the form.'))
        : h('div', { class: ['grid', 'grid-compact', 'cols-5', 'rules-grid'], role: 'table', 'aria-label': 'Escalation rules', testid: 'settings-list' },
          h('div', { role: 'rowgroup', class: 'grid-head' },
            h('div', { role: 'row', class: 'grid-row' },
              ['Name', 'When', 'Trigger', 'Action', 'Active'].map((l) => h('div', { role: 'columnheader', class: 'cell' }, l)))),
          h('div', { role: 'rowgroup', class: 'grid-body' }, rules.map((r) => h('div', {
            role: 'row',
            class: ['grid-row', 'row', r.id === selectedId && 'is-selected', !r.active && 'is-closed'],
            testid: 'settings-row',
            'data-id': r.id,
            tabindex: '0',
            onclick: () => edit(r),
            onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); edit(r); } },
          },
          h('div', { role: 'cell', class: 'cell', title: r.name }, r.name),
          h('div', { role: 'cell', class: 'cell', title: ruleConditions(r) }, ruleConditions(r)),
          h('div', { role: 'cell', class: 'cell', title: ruleTrigger(r) }, ruleTrigger(r)),
          h('div', { role: 'cell', class: 'cell', title: ruleAction(r) }, ruleAction(r)),
          h('div', { role: 'cell', class: 'cell' }, r.active ? 'Yes' : muted('No')))))),
    );
  }

  function edit(rule, focus = true) {
    selectedId = rule ? rule.id : null;
    renderList();
    const r = rule || {
      id: null, name: '', active: true, priority: null, category_id: null, service_id: null, team_id: null,
      tier: null, trigger: 'unresolved', after_minutes: 30, action: 'escalate_team', target_team_id: null,
      target_person_id: null, target_priority: null, reason: '',
    };
    const slot = h('div', { class: 'form-errors' });
    const name = h('input', { type: 'text', testid: 'rule-name', value: r.name, autocomplete: 'off', placeholder: 'e.g. Unresolved network P1 → Network team' });
    const active = checkboxField({ key: 'active', label: 'Active', checked: r.active, testid: 'rule-active', hint: 'Inactive rules are kept but never fire.' });
    const priority = select({ testid: 'rule-priority', items: store.choices('priorities').map((p) => ({ value: p.value, label: p.label })), value: r.priority, placeholder: 'Any priority' });
    const category = select({ testid: 'rule-category', items: recordItems(store.categories()), value: r.category_id, placeholder: 'Any category' });
    const service = select({ testid: 'rule-service', items: recordItems(store.services()), value: r.service_id, placeholder: 'Any service' });
    const team = select({ testid: 'rule-team', items: recordItems(store.teams()), value: r.team_id, placeholder: 'Any team' });
    const tier = choiceSelect('tiers', { testid: 'rule-tier', value: r.tier, placeholder: 'Any tier' });
    const trigger = select({ testid: 'rule-trigger', items: TRIGGERS, value: r.trigger });
    const minutes = minutesInput('rule-minutes', r.after_minutes);
    const minutesHelp = minutesLine(minutes, (v) => {
      const m = Number(v);
      return Number.isInteger(m) && m > 0 ? `${explainMinutes(m, null)} after logging, by the wall clock` : '';
    });
    const triggerLine = h('div', { class: 'definition' });
    const updateTrigger = () => {
      const t = TRIGGERS.find((x) => x.value === trigger.value);
      triggerLine.textContent = t ? t.definition : '';
    };
    trigger.addEventListener('change', updateTrigger);
    updateTrigger();

    const action = select({ testid: 'rule-action', items: RULE_ACTIONS, value: r.action });
    const targetTeam = select({ testid: 'rule-target-team', items: recordItems(store.teams()), value: r.target_team_id, placeholder: 'Choose a team…' });
    const targetPerson = select({ testid: 'rule-target-person', items: recordItems(store.people()), value: r.target_person_id, placeholder: 'Choose a person…' });
    const targetPriority = select({ testid: 'rule-target-priority', items: store.choices('priorities').map((p) => ({ value: p.value, label: p.label })), value: r.target_priority, placeholder: 'Choose a priority…' });
    const teamInfo = h('div', { class: 'definition', testid: 'rule-target-team-info', 'aria-live': 'polite' });
    const updateTeamInfo = () => {
      const t = store.byId(store.teams(), targetTeam.value);
      teamInfo.textContent = t
        ? `${store.choiceLabel('tiers', t.tier)} · contact: ${t.contact || 'none recorded'} · expected response ${minutesText(t.expected_response_minutes)}`
        : '';
      teamInfo.hidden = !t;
    };
    targetTeam.addEventListener('change', updateTeamInfo);
    updateTeamInfo();
    const personInfo = h('div', { class: 'definition' });
    const updatePersonInfo = () => {
      const p = store.byId(store.people(), targetPerson.value);
      personInfo.textContent = p ? [p.team_name, p.email, p.phone].filter(Boolean).join(' · ') : '';
      personInfo.hidden = !personInfo.textContent;
    };
    targetPerson.addEventListener('change', updatePersonInfo);
    updatePersonInfo();
    const reason = h('textarea', { testid: 'rule-reason', rows: '2', placeholder: 'Why this rule exists; shown on the incident when it fires' });
    reason.value = r.reason || '';

    const teamField = field({ key: 'target_team_id', label: 'Team to escalate to', control: targetTeam, extra: teamInfo });
    const personField = field({ key: 'target_person_id', label: 'Person to notify', control: targetPerson, extra: personInfo });
    const priorityField = field({ key: 'target_priority', label: 'Raise the priority to', control: targetPriority });
    const reasonField = field({ key: 'reason', label: 'Reason', control: reason, wide: true, hint: 'Required when the rule raises the priority; recorded on the incident.' });
    const syncAction = () => {
      teamField.hidden = action.value !== 'escalate_team';
      personField.hidden = action.value !== 'notify_person';
      priorityField.hidden = action.value !== 'raise_priority';
    };
    action.addEventListener('change', syncAction);
    syncAction();

    form = h('form', {
      class: 'settings-form rule-form',
      testid: 'settings-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const after = minutesOf(minutes);
        if (!Number.isInteger(after)) {
          showFieldError(form, 'after_minutes', 'Enter the time as a whole number of minutes (at least 1)');
          return;
        }
        const input = {
          id: r.id,
          name: name.value.trim(),
          active: active.querySelector('input').checked,
          priority: priority.value || null,
          category_id: idOrNull(category.value),
          service_id: idOrNull(service.value),
          team_id: idOrNull(team.value),
          tier: tier.value || null,
          trigger: trigger.value,
          after_minutes: after,
          action: action.value,
          target_team_id: action.value === 'escalate_team' ? idOrNull(targetTeam.value) : null,
          target_person_id: action.value === 'notify_person' ? idOrNull(targetPerson.value) : null,
          target_priority: action.value === 'raise_priority' ? targetPriority.value || null : null,
          reason: reason.value.trim(),
        };
        await busy(form, async () => {
          try {
            const before = new Set(settings.rules.map((x) => x.id));
            settings = await api.saveEscalationRule(input);
            if (disposed) return;
            ctx.toast(`Rule “${input.name}” saved. Open incidents are checked against it now.`);
            if (r.id === null) {
              edit(null, true);
              const added = settings.rules.find((x) => !before.has(x.id));
              if (added) {
                const row = listSlot.querySelector(`[role="row"][data-id="${added.id}"]`);
                if (row) row.classList.add('is-new');
              }
            } else {
              edit(settings.rules.find((x) => x.id === r.id) || null, false);
            }
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, r.id === null ? 'New escalation rule' : 'Edit escalation rule'),
    slot,
    field({ key: 'name', label: 'Name', control: name }),
    active,
    h('fieldset', { class: 'field field-wide rule-part' },
      h('legend', { class: 'field-label' }, 'Applies to (leave “any” to match all)'),
      h('div', { class: 'form-row' },
        field({ key: 'priority', label: 'Priority', control: priority }),
        field({ key: 'category_id', label: 'Category', control: category }),
        field({ key: 'service_id', label: 'Service', control: service })),
      h('div', { class: 'form-row' },
        field({ key: 'team_id', label: 'Assigned team', control: team }),
        field({ key: 'tier', label: 'Team tier', control: tier }))),
    h('fieldset', { class: 'field field-wide rule-part' },
      h('legend', { class: 'field-label' }, 'When'),
      h('div', { class: 'form-row' },
        field({ key: 'trigger', label: 'Trigger', control: trigger, extra: triggerLine }),
        field({ key: 'after_minutes', label: 'After (minutes)', control: minutes, extra: minutesHelp }))),
    h('fieldset', { class: 'field field-wide rule-part' },
      h('legend', { class: 'field-label' }, 'Then'),
      h('div', { class: 'form-row' },
        field({ key: 'action', label: 'Action', control: action }),
        teamField, personField, priorityField),
      reasonField),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'settings-save' }, r.id === null ? 'Add rule' : 'Save rule'),
      r.id !== null ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => edit(null) }, 'Cancel') : null));
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = JSON.stringify(rule || null);
    replace(formSlot, form);
    if (focus) name.focus();
  }

  async function load() {
    try {
      const result = await api.slaSettings();
      if (disposed) return;
      const first = settings === null;
      settings = result;
      renderList();
      const cur = selectedId === null ? null : settings.rules.find((x) => x.id === selectedId) || null;
      // Rebuild an untouched form only when its rule changed elsewhere.
      if (first || (form && !form.dirty && form.source !== JSON.stringify(cur))) edit(cur, false);
    } catch (error) {
      if (!disposed) loadFailed(panel, error, load);
    }
  }

  replace(listSlot, h('p', { class: 'muted settings-loading' }, 'Loading…'));
  load();
  return {
    refresh: load,
    unmount() { disposed = true; },
    onEscape() {
      if (selectedId !== null && form && !form.dirty) {
        edit(null, false);
        return true;
      }
      return false;
    },
  };
}

// ---- reminders and quiet hours ------------------------------------------------------------------------

export function remindersTab(panel, ctx) {
  let disposed = false;
  let form = null;

  function build(reminders) {
    const slot = h('div', { class: 'form-errors' });
    const priorities = store.choices('priorities');
    const updates = ['P1', 'P2', 'P3', 'P4'].map((p, i) => {
      const input = minutesInput(`reminder-update-${p}`, reminders.update_minutes[i], {
        placeholder: 'off', 'aria-label': `${p} update reminder in minutes`, 'data-field': `update_minutes_${p}`,
      });
      const line = minutesLine(input, (v) => {
        if (v === '') return 'Off: no reminder';
        const m = Number(v);
        return Number.isInteger(m) && m > 0 ? `Remind when there was no update for ${minutesText(m)}` : 'A whole number of minutes, or empty for off';
      });
      const label = (priorities.find((x) => x.value === p) || {}).label || p;
      return { p, input, row: h('div', { class: 'reminder-row', 'data-field-wrap': `update_minutes_${p}` }, priorityPill(p, label), input, line) };
    });
    const closure = minutesInput('reminder-closure', reminders.closure_minutes, { placeholder: 'off', 'data-field': 'closure_minutes' });
    const closureLine = minutesLine(closure, (v) => {
      if (v === '') return 'Off: no reminder';
      const m = Number(v);
      return Number.isInteger(m) && m > 0 ? `${explainMinutes(m, null)} after resolving, if still not closed` : 'A whole number of minutes, or empty for off';
    });

    const q = reminders.quiet_hours;
    const quietOn = h('input', { type: 'checkbox', testid: 'quiet-enabled', checked: !!q, id: uid('quiet') });
    const from = timeInput('quiet-from', q ? q.from : '20:00', { 'data-field': 'quiet_from' });
    const to = timeInput('quiet-to', q ? q.to : '07:00', { 'data-field': 'quiet_to' });
    for (const el of [from, to]) el.addEventListener('blur', () => { el.value = tidyTime(el.value); });
    const zone = zoneInput('quiet-zone', q ? q.time_zone : localTimeZone() || 'UTC');
    zone.setAttribute('data-field', 'time_zone');
    const quietFields = h('div', { class: 'form-row quiet-fields' },
      field({ key: 'quiet_from', label: 'From', control: from }),
      field({ key: 'quiet_to', label: 'To', control: to, hint: 'May pass midnight, e.g. 20:00 to 07:00.' }),
      field({ key: 'time_zone', label: 'Time zone (IANA)', control: zone }));
    const syncQuiet = () => {
      for (const el of [from, to, zone]) el.disabled = !quietOn.checked;
      quietFields.classList.toggle('is-off', !quietOn.checked);
    };
    quietOn.addEventListener('change', syncQuiet);
    syncQuiet();

    form = h('form', {
      class: 'settings-form reminders-form',
      testid: 'reminders-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const update = updates.map((u) => minutesOf(u.input));
        const bad = updates.find((u, i) => Number.isNaN(update[i]));
        if (bad) {
          showFieldError(form, `update_minutes_${bad.p}`, 'Enter a whole number of minutes, or leave it empty for off');
          return;
        }
        const closureMinutes = minutesOf(closure);
        if (Number.isNaN(closureMinutes)) {
          showFieldError(form, 'closure_minutes', 'Enter a whole number of minutes, or leave it empty for off');
          return;
        }
        const input = {
          update_minutes: update,
          closure_minutes: closureMinutes,
          quiet_hours: quietOn.checked ? { from: tidyTime(from.value), to: tidyTime(to.value), time_zone: zone.value.trim() } : null,
        };
        await busy(form, async () => {
          try {
            const settings = await api.saveReminders(input);
            if (disposed) return;
            ctx.toast('Reminders and quiet hours saved.');
            build(settings.reminders);
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, 'Reminders and quiet hours'),
    slot,
    h('fieldset', { class: 'field field-wide', 'data-field-wrap': 'reminders' },
      h('legend', { class: 'field-label' }, 'Update reminders (minutes without an update; empty = off)'),
      h('p', { class: 'field-hint' }, 'A working incident that nobody updated for this long raises a reminder to post an update. Paused incidents are not reminded.'),
      updates.map((u) => u.row)),
    h('div', { class: 'field', 'data-field-wrap': 'closure_minutes' },
      h('label', { class: 'field-label', for: (closure.id = uid('closure')) }, 'Closure reminder (minutes after resolving; empty = off)'),
      closure, closureLine),
    h('fieldset', { class: 'field field-wide quiet' },
      h('legend', { class: 'field-label' }, 'Quiet hours'),
      h('label', { class: 'check', for: quietOn.id }, quietOn, h('span', null, 'Silence some desktop notifications during quiet hours')),
      quietFields,
      h('p', { class: 'notice small', testid: 'quiet-note' },
        h('strong', null, 'P1 and P2 breaches always notify. '),
        'Quiet hours silence only the desktop notifications of P3 and P4 SLA warnings; breaches, escalations and reminders always notify. ',
        'Every alert is still listed under the bell, marked “silenced (quiet hours)”.')),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'reminders-save' }, 'Save reminders')));
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = JSON.stringify(reminders);
    replace(panel, form);
  }

  async function load() {
    try {
      const settings = await api.slaSettings();
      if (disposed) return;
      // A reload caused elsewhere rebuilds the form only when it is untouched and out of date.
      if (!form || (!form.dirty && form.source !== JSON.stringify(settings.reminders))) build(settings.reminders);
    } catch (error) {
      if (!disposed) loadFailed(panel, error, load);
    }
  }

  replace(panel, h('p', { class: 'muted' }, 'Loading…'));
  load();
  return {
    refresh: load,
    unmount() { disposed = true; },
  };
}
