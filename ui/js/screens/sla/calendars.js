// screens/sla/calendars.js — Settings › Calendars: the business calendars SLA targets are counted
// in (24×7, or working hours in a time zone minus holidays), with holidays edited in place and
// imported from a list of dates. Built on the settings screens' tab helper (entityTab); saving
// goes through the core, which re-measures open incidents.

import { h, replace, patch, uid } from '../../dom.js';
import * as api from '../../api.js';
import { field, checkboxField, showFieldError } from '../../forms.js';
import { count, dayText, minutesText } from '../../format.js';
import { businessDayMinutes, weekMinutes, localTimeZone } from '../../sla.js';
import { entityTab } from '../entityTab.js';
import { slaLoader, zoneInput, timeInput, tidyTime, muted } from './common.js';

const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
];

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
  let tab = null;
  // The first load builds the tab (the table needs the calendars); later loads redraw it.
  const loader = slaLoader(panel, (result, first) => {
    settings = result;
    if (first) tab = entityTab(panel, ctx, spec);
    else tab.refresh();
  });

  const spec = {
    noun: 'calendar',
    Noun: 'Calendar',
    title: 'Calendars',
    intro: 'SLA targets are counted in a calendar: around the clock, or only in working hours outside holidays. Each policy names its calendar.',
    gridClass: 'calendars-grid',
    items: () => settings.calendars,
    columns: [
      { label: 'Name', cell: (c) => h('span', { title: c.name }, c.name) },
      { label: 'Hours', cell: (c) => h('span', { title: calendarSummary(c) }, calendarSummary(c)) },
      { label: 'Time zone', cell: (c) => (c.always_on ? muted('—') : c.time_zone || muted('not set')) },
      { label: 'Holidays', cell: (c) => (c.always_on ? muted('ignored') : count(c.holidays.length)) },
    ],
    edit: () => settings.calendars[0] || null,
    // A new calendar stays open once added: its holidays can be imported then.
    openAdded: true,
    heading: (cal) => (cal ? `Edit calendar “${cal.name}”` : 'New calendar'),
    saveLabel: (cal) => (cal ? 'Save calendar' : 'Add calendar'),
    savedMessage: (saved) => `Calendar “${saved.name}” saved. Open incidents are re-measured.`,
    form: calendarForm,
    async save(input) {
      const creating = input.id === null;
      const record = { ...input, id: input.id || 0 };
      const before = new Set(settings.calendars.map((c) => c.id));
      settings = await api.saveCalendar(record, creating);
      loader.settings = settings;
      const saved = creating
        ? settings.calendars.find((c) => !before.has(c.id)) || settings.calendars.find((c) => c.name === record.name)
        : settings.calendars.find((c) => c.id === record.id);
      return saved || { id: record.id, name: record.name };
    },
    afterSave: async () => {},
  };

  /** The fields of a calendar: name, zone, working hours and holidays; the import below. */
  function calendarForm(cal) {
    const draft = JSON.parse(JSON.stringify(cal || blankCalendar()));
    const creating = !cal;

    const name = h('input', { type: 'text', testid: 'calendar-name', value: draft.name, autocomplete: 'off', placeholder: 'e.g. Office hours London' });
    const alwaysOn = checkboxField({ key: 'always_on', label: '24×7 — every minute counts (no working hours, no holidays)', checked: draft.always_on, testid: 'calendar-always-on' });
    const alwaysBox = alwaysOn.querySelector('input');
    const zone = zoneInput('calendar-zone', draft.time_zone);
    const here = localTimeZone();

    // Working hours, Monday first.
    const days = WEEKDAYS.map(([key, label], i) => {
      const hours = draft.week[i];
      const on = h('input', { type: 'checkbox', testid: `calendar-day-${key}`, checked: !!hours, 'data-field': i === 0 ? 'week' : null });
      const from = timeInput(`calendar-from-${key}`, hours ? hours[0] : '08:00', { id: uid(`from-${key}`) });
      const to = timeInput(`calendar-to-${key}`, hours ? hours[1] : '17:00', { id: uid(`to-${key}`) });
      for (const el of [from, to]) el.addEventListener('blur', () => { el.value = tidyTime(el.value); });
      const sync = () => { from.disabled = !on.checked || alwaysBox.checked; to.disabled = !on.checked || alwaysBox.checked; };
      on.addEventListener('change', sync);
      const id = uid('day');
      on.id = id;
      // Visible "from"/"to" labels tied to their inputs; the day is part of each label's text
      // for screen readers ("Monday from").
      const row = h('div', { class: 'week-day' },
        h('label', { class: 'check', for: id }, on, h('span', null, label)),
        h('label', { class: 'time-label', for: from.id }, h('span', { class: 'visually-hidden' }, `${label} `), 'from'),
        from,
        h('label', { class: 'time-label', for: to.id }, h('span', { class: 'visually-hidden' }, `${label} `), 'to'),
        to);
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
    // A holiday added or removed is an unsaved edit of the form, like typing.
    const markEdited = () => holidayList.dispatchEvent(new Event('change', { bubbles: true }));
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
              markEdited();
              unsaved.hidden = false;
              renderHolidays();
            },
          }, 'Remove'))));
    };
    const holidayDate = h('input', {
      type: 'text', testid: 'holiday-date', 'data-field': 'holiday_day', id: uid('holiday-date'),
      placeholder: 'YYYY-MM-DD', maxlength: '10', autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric',
    });
    const holidayName = h('input', { type: 'text', testid: 'holiday-name', placeholder: 'e.g. Christmas Day', autocomplete: 'off', id: uid('holiday-name') });
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
      markEdited();
      unsaved.hidden = false;
      renderHolidays();
      holidayDate.focus();
    };
    holidayName.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } });
    holidayDate.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } });
    const holidayAdd = h('div', { class: 'holiday-add', 'data-field-wrap': 'holiday_day' },
      h('label', { class: 'time-label', for: holidayDate.id }, 'Date (YYYY-MM-DD)'),
      h('label', { class: 'time-label', for: holidayName.id }, 'Name'),
      h('span', null),
      holidayDate, holidayName,
      h('button', { type: 'button', class: 'btn', testid: 'holiday-add', onclick: addHoliday }, 'Add holiday'));

    // Import: saved at once by the core.
    const importText = h('textarea', {
      testid: 'holidays-import-text', rows: '4', 'data-field': 'holidays', spellcheck: 'false',
      placeholder: '2026-12-25, Christmas Day\n2026-12-26, Boxing Day\n2027-01-01',
    });
    // The import acts on its own (it saves at once): typing there is no edit of the calendar
    // form, so it neither holds back a reload nor asks before leaving once imported.
    for (const type of ['input', 'change']) importText.addEventListener(type, (e) => e.stopPropagation());
    const importButton = h('button', { type: 'button', class: 'btn', testid: 'holidays-import', disabled: creating, onclick: runImport }, 'Import dates');
    async function runImport() {
      const wrap = importField;
      const old = wrap.querySelector('.field-error');
      if (old) old.remove();
      importText.removeAttribute('aria-invalid');
      importButton.disabled = true;
      try {
        settings = await api.importHolidays(draft.id, importText.value);
        loader.settings = settings;
        if (loader.disposed) return;
        const saved = settings.calendars.find((c) => c.id === draft.id);
        ctx.toast(`Dates imported into “${draft.name}”. Open incidents are re-measured.`);
        tab.refresh();
        if (saved && importField.isConnected) {
          // Keep unsaved edits of the other fields; take the holidays as the core now has them.
          draft.holidays = JSON.parse(JSON.stringify(saved.holidays));
          importText.value = '';
          renderHolidays();
        }
      } catch (error) {
        // Whatever line or field the core names, the message belongs to the import.
        showFieldError(importField, 'holidays', error.message);
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

    syncAlways();
    renderHolidays();
    return {
      body: [
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
      ],
      after: importField,
      focus: () => name.focus(),
      read: () => ({
        name: name.value.trim(),
        always_on: alwaysBox.checked,
        time_zone: zone.value.trim(),
        week: readWeek(),
        holidays: draft.holidays.map((x) => ({ day: x.day, name: x.name })),
      }),
    };
  }

  replace(panel, h('p', { class: 'muted settings-loading' }, 'Loading…'));
  loader.load();
  return {
    refresh: loader.load,
    unmount: loader.dispose,
    onEscape: () => (tab ? tab.onEscape() : false),
    leaveWarning: () => (tab ? tab.leaveWarning() : null),
  };
}
