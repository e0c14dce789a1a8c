// screens/sla/reminders.js — Settings › Reminders: how long a working incident may go without an
// update per priority, the reminder to close a resolved incident, and the quiet hours that
// silence some desktop notifications (never P1/P2 breaches).

import { h, replace, clear, priorityPill, uid } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import { field, clearErrors, showError, busy, submitOnCtrlEnter, trackDirty } from '../../forms.js';
import { minutesText } from '../../format.js';
import { explainMinutes, localTimeZone } from '../../sla.js';
import { slaLoader, zoneInput, timeInput, tidyTime, minutesInput, minutesOf, minutesLine } from './common.js';

export function remindersTab(panel, ctx) {
  let form = null;
  // A reload caused elsewhere rebuilds the form only when it is untouched and out of date.
  const loader = slaLoader(panel, (settings) => {
    if (!form || (!form.dirty && form.source !== JSON.stringify(settings.reminders))) build(settings.reminders);
  });

  function build(reminders) {
    const slot = h('div', { class: 'form-errors' });
    const priorities = store.choices('priorities');
    const updates = ['P1', 'P2', 'P3', 'P4'].map((p, i) => {
      const input = minutesInput(`reminder-update-${p}`, reminders.update_minutes[i], {
        placeholder: 'off', 'data-field': `update_minutes_${p}`, id: uid(`update-${p}`),
      });
      const line = minutesLine(input, (v) => {
        if (v === '') return 'Off: no reminder';
        const m = Number(v);
        return Number.isInteger(m) && m > 0 ? `Remind when there was no update for ${minutesText(m)}` : 'A whole number of minutes, or empty for off';
      });
      const label = (priorities.find((x) => x.value === p) || {}).label || p;
      return {
        p,
        input,
        row: h('div', { class: 'reminder-row', 'data-field-wrap': `update_minutes_${p}` },
          h('label', { for: input.id, class: 'reminder-label' }, priorityPill(p, label)), input, line),
      };
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
        const closureMinutes = minutesOf(closure);
        const problems = updates
          .filter((u, i) => Number.isNaN(update[i]))
          .map((u) => ({ field: `update_minutes_${u.p}`, message: 'Enter a whole number of minutes, or leave it empty for off' }));
        if (Number.isNaN(closureMinutes)) problems.push({ field: 'closure_minutes', message: 'Enter a whole number of minutes, or leave it empty for off' });
        if (problems.length) {
          showError(form, slot, { ...problems[0], problems });
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
            if (loader.disposed) return;
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
    // The core names the four update reminders as one field (update_minutes): its message sits
    // at this group, not at the top of the form.
    h('fieldset', { class: 'field field-wide', 'data-field-wrap': 'reminders', 'data-field': 'update_minutes', tabindex: '-1' },
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

  replace(panel, h('p', { class: 'muted' }, 'Loading…'));
  loader.load();
  return {
    refresh: loader.load,
    unmount: loader.dispose,
    leaveWarning() {
      return form && form.dirty ? 'Discard your changes to the reminders?' : null;
    },
  };
}
