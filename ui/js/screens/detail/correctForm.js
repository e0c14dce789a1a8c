// screens/detail/correctForm.js — correcting a milestone (started, detected, workaround
// available, resolved) with the reason the right time is known; the review's figures come from
// these milestones, and the old time stays on the timeline.

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { field, select, showFieldError, dateTimeInput, dateTimeProblem, DATE_TIME_EXAMPLE } from '../../forms.js';
import { fullDateTime, toLocalText } from '../../format.js';
import { actionForm } from './actionForm.js';
import { label } from '../../store.js';

/** The milestones a user may correct: the incident field each sets and what it means. */
const MILESTONES = [
  { value: 'started', field: 'started_at', hint: 'When the disruption began for users.' },
  { value: 'detected', field: 'detected_at', hint: 'When it was noticed (a monitoring alert, the first call): between Started and Logged.' },
  { value: 'workaround_available', field: 'workaround_at', hint: 'When users could work again by the workaround.' },
  { value: 'resolved', field: 'resolved_at', hint: 'When the service was restored.' },
];

/** A milestone's name from the core's vocabulary. */
const milestoneLabel = (m) => label('milestone', m.value);

export function correct(s) {
  const inc = s.detail.incident;
  const items = MILESTONES.filter((m) => m.value !== 'resolved' || inc.resolved_at);
  const which = select({ testid: 'correct-milestone', items: items.map((m) => ({ value: m.value, label: milestoneLabel(m) })), value: 'detected' });
  // The window's one date-time input: local time, read back with the zone named under it.
  const at = dateTimeInput({ testid: 'correct-at' });
  const now = h('div', { class: 'definition', testid: 'correct-current', 'aria-live': 'polite' });
  const reason = h('textarea', { testid: 'correct-reason', rows: '2', placeholder: 'Where the right time comes from, e.g. the monitoring alert at 09:12' });
  let prefilled = '';
  const sync = () => {
    const m = MILESTONES.find((x) => x.value === which.value);
    const value = m ? inc[m.field] : null;
    now.textContent = `${m ? m.hint : ''} Recorded now: ${value ? fullDateTime(value) : 'not set'}.`;
    // The recorded time is the starting point until the user types their own.
    if (!at.value || at.value === prefilled) {
      prefilled = value ? toLocalText(value) : '';
      at.setInstant(value);
    }
  };
  which.addEventListener('change', sync);
  sync();
  return actionForm(s, {
    name: 'correct',
    title: `Correct a milestone of ${inc.number}`,
    intro: 'The review’s figures (time to detect, impact duration) come from these milestones. A correction keeps the old time on the timeline with your reason.',
    body: [
      h('div', { class: 'form-row' },
        field({ key: 'milestone', label: 'Milestone', control: which, extra: now }),
        field({ key: 'at', label: 'Correct time', control: at, extra: at.reading, hint: 'Your local time, 24-hour clock.' })),
      field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
    ],
    submitLabel: 'Correct milestone',
    submitTestid: 'correct-submit',
    send: async (cur) => {
      const iso = at.iso();
      if (!iso) {
        showFieldError(s.panel.form, 'at', dateTimeProblem(at) || `Write the time as ${DATE_TIME_EXAMPLE}`);
        return undefined;
      }
      return api.correctMilestone(cur.id, cur.version, which.value, iso, reason.value.trim());
    },
    done: (i) => `${milestoneLabel(MILESTONES.find((m) => m.value === which.value))} of ${i.number} corrected.`,
  });
}
