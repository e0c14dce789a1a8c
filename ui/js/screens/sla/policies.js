// screens/sla/policies.js — Settings › SLA policies: one row per priority with its response and
// resolution targets, the calendar they are counted in, the warning thresholds (read back as the
// times the response and the resolution warnings come) and the accepted pause reasons. Each row
// saves on its own; the core validates and re-measures every open incident of that priority.

import { h, replace, clear, priorityPill, uid } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import { select, clearErrors, showError, busy, idOrNull, submitOnCtrlEnter, trackDirty } from '../../forms.js';
import { minutesText } from '../../format.js';
import { explainMinutes } from '../../sla.js';
import { slaLoader, minutesInput, minutesOf, minutesLine } from './common.js';

/** "50, 75" → [50, 75]; "" → null (none); anything unreadable → NaN. */
function parseWarn(text) {
  const parts = text.split(/[\s,;]+/).map((x) => x.replace(/%$/, '')).filter(Boolean);
  if (parts.length === 0) return null;
  const nums = parts.map(Number);
  return nums.every((n) => Number.isInteger(n)) ? nums : NaN;
}

/** "after 7 min, 11 min" for a target and its thresholds; '' when the target is unreadable. */
function warnTimes(target, percents) {
  const t = Number(target);
  if (!Number.isInteger(t) || t <= 0) return '';
  return percents.map((x) => minutesText(Math.floor((t * x) / 100))).join(', ');
}

export function policiesTab(panel, ctx) {
  const rows = new Map(); // priority → form
  const body = h('div', { class: 'policy-body' });
  const loader = slaLoader(panel, (settings, first) => {
    if (first) build();
    else refreshOthers(null);
  });

  const calendarsOf = () => loader.settings.calendars;
  const calendarById = (id) => calendarsOf().find((c) => String(c.id) === String(id)) || null;
  const sourceOf = (policy) => JSON.stringify([policy, calendarsOf().map((c) => [c.id, c.name, c.always_on, c.week])]);

  function rowForm(policy) {
    const p = policy.priority;
    const slot = h('div', { class: 'form-errors policy-errors' });
    const response = minutesInput(`sla-response-${p}`, policy.response_minutes, { 'data-field': 'response_minutes' });
    const resolution = minutesInput(`sla-resolution-${p}`, policy.resolution_minutes, { 'data-field': 'resolution_minutes' });
    const calendar = select({
      testid: `sla-calendar-${p}`,
      items: calendarsOf().map((c) => ({ value: String(c.id), label: c.name })),
      value: policy.calendar_id,
    });
    calendar.setAttribute('data-field', 'calendar_id');
    const warn = h('input', {
      type: 'text', testid: `sla-warn-${p}`, value: (policy.warn_percents || []).join(', '),
      autocomplete: 'off', placeholder: 'e.g. 50, 75', 'data-field': 'warn_percents',
    });
    const reasons = h('textarea', {
      testid: `sla-pause-reasons-${p}`, rows: '2', placeholder: 'None: pausing is off', 'data-field': 'pause_reasons',
    });
    reasons.value = (policy.pause_reasons || []).join('\n');

    const explain = (v) => explainMinutes(v, calendarById(calendar.value));
    const responseLine = minutesLine(response, explain);
    const resolutionLine = minutesLine(resolution, explain);
    // Both clocks warn at the same shares of their own target: say when each warning comes.
    const warnLine = h('div', { class: 'definition', testid: `sla-warn-times-${p}` });
    const updateWarn = () => {
      const pcts = parseWarn(warn.value);
      if (pcts === null) {
        warnLine.textContent = 'No warnings';
        return;
      }
      if (!Array.isArray(pcts) || pcts.length === 0) {
        warnLine.textContent = '';
        return;
      }
      const lines = [
        ['response', warnTimes(response.value, pcts)],
        ['resolution', warnTimes(resolution.value, pcts)],
      ].filter(([, times]) => times);
      replace(warnLine, lines.length ? h('div', null, 'Warnings after:') : null,
        lines.map(([clock, times]) => h('div', null, `${clock} ${times}`)));
    };
    for (const el of [warn, response, resolution]) el.addEventListener('input', updateWarn);
    calendar.addEventListener('change', () => { responseLine.update(); resolutionLine.update(); });
    updateWarn();

    // Every input has its own visible label, tied with for/id.
    const cell = (key, label, control, ...extra) => {
      if (!control.id) control.id = uid(`sla-${key}`);
      return h('div', { class: 'policy-cell', 'data-field-wrap': key },
        h('label', { class: 'cell-label', for: control.id }, label), control, ...extra);
    };

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
        if (input.warn_percents === null) input.warn_percents = [];
        // What cannot even be sent is named here, every field at once.
        const problems = [];
        if (!Number.isInteger(input.response_minutes)) problems.push({ field: 'response_minutes', message: 'Enter the response target as a whole number of minutes (at least 1)' });
        if (!Number.isInteger(input.resolution_minutes)) problems.push({ field: 'resolution_minutes', message: 'Enter the resolution target as a whole number of minutes (at least 1)' });
        if (!Array.isArray(input.warn_percents)) problems.push({ field: 'warn_percents', message: 'Write whole percentages separated by commas, e.g. 50, 75' });
        if (problems.length) {
          showError(form, slot, { ...problems[0], problems });
          return;
        }
        await busy(form, async () => {
          try {
            loader.settings = await api.saveSlaPolicy(input);
            if (loader.disposed) return;
            ctx.toast(`${p} policy saved. Open ${p} incidents are measured against it now.`);
            const saved = loader.settings.policies.find((x) => x.priority === p);
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
    cell('response_minutes', 'Response (min)', response, responseLine),
    cell('resolution_minutes', 'Resolution (min)', resolution, resolutionLine),
    cell('calendar_id', 'Calendar', calendar),
    cell('warn_percents', 'Warn at (%)', warn, warnLine),
    cell('pause_reasons', 'Pause reasons (one per line)', reasons),
    h('div', { class: 'policy-cell policy-save' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: `sla-save-${p}`, 'aria-label': `Save the ${p} policy` }, 'Save')),
    slot);
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = sourceOf(policy);
    return form;
  }

  /** Rebuilds every row that is not being edited (calendar names may have changed). */
  function refreshOthers(except) {
    for (const policy of loader.settings.policies) {
      if (policy.priority === except) continue;
      const old = rows.get(policy.priority);
      if (old && old.dirty) continue;
      if (old && old.source === sourceOf(policy)) continue;
      const fresh = rowForm(policy);
      if (old) old.replaceWith(fresh);
      rows.set(policy.priority, fresh);
    }
  }

  function build() {
    rows.clear();
    const forms = loader.settings.policies.map((policy) => {
      const f = rowForm(policy);
      rows.set(policy.priority, f);
      return f;
    });
    replace(body, forms);
  }

  replace(panel, h('div', { class: 'sla-settings', testid: 'sla-policies' },
    h('div', { class: 'settings-form sla-intro' },
      h('h2', null, 'SLA policies'),
      h('p', { class: 'field-hint' },
        'Each priority has a response target (until the first response) and a resolution target (until resolved), ',
        'counted in its calendar: a 24×7 calendar counts every minute, a business calendar only its working hours. ',
        'Warnings are raised on both clocks when the given share of their target is used; the breach comes at 100 %.'),
      h('p', { class: 'field-hint' },
        h('strong', null, 'Pause reasons: '),
        'none are enabled by default, so the clocks of that priority cannot be paused. A paused clock must be justified: ',
        'list the reasons you accept (e.g. “Waiting for the user”), one per line. Saving re-measures every open incident.')),
    h('div', { class: 'policy-table', role: 'group', 'aria-label': 'SLA policies per priority' }, body)));
  replace(body, h('p', { class: 'muted' }, 'Loading…'));
  loader.load();

  return {
    refresh: loader.load,
    unmount: loader.dispose,
    leaveWarning() {
      const edited = [...rows.entries()].filter(([, f]) => f.dirty).map(([p]) => p);
      return edited.length ? `Discard your unsaved changes to the ${edited.join(', ')} ${edited.length === 1 ? 'policy' : 'policies'}?` : null;
    },
  };
}
