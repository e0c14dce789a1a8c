// screens/detail/slaPanel.js — the SLA panel of one incident: both clocks with their state as
// the core judged it (running, warning, paused, met, breached — the thresholds are settings, so
// the window decides none), live countdowns where counted time follows the wall clock, the due
// time in the user's zone and, for business-hours clocks, in the calendar's own zone; the pauses
// and the history of due times, to the second where a change is shorter than a minute.

import { h, replace, clear } from '../../dom.js';
import { dateTime, fullDateTime, duration, countdown, minutesText, inZone, zoneLabel } from '../../format.js';
import { pauseBlocked } from './actions.js';
import { label } from '../../store.js';

const clockName = (clock) => label('clock_kind', clock);
const stateName = (state) => label('clock_state', state);

/** A clock counts on right now: not stopped, not paused, and not yet met. */
function ticking(c, inc) {
  if (inc.paused_since || c.stopped_at) return false;
  return c.state === 'running' || c.state === 'warning' || c.state === 'breached';
}

/**
 * Whether counted time advances with the wall clock from the moment of loading until due (24×7,
 * or working hours covering the rest of the target): then elapsed time and percent tick live.
 */
export function linear(s, c) {
  if (!c.due_at) return false;
  const wall = (new Date(c.due_at).getTime() - s.loadedAt) / 1000;
  return Math.abs(wall - c.remaining_seconds) <= 90;
}

/** Whether a working-time clock counts now but not with the wall clock (the screen polls then). */
export function needsPolling(s) {
  const d = s.detail;
  return !!(d && d.sla && d.sla.clocks.some((c) => ticking(c, d.incident) && !linear(s, c)));
}

/**
 * Counted (SLA) time in the target's own units, hours and minutes, never days: in a business
 * calendar "27 h" of working time is not "1 d 3 h". Under a minute it says the seconds.
 */
function slaSpan(seconds) {
  const sec = Math.abs(Math.trunc(seconds));
  return sec < 60 ? `${sec} s` : minutesText(Math.floor(sec / 60));
}

/** A change of a time: seconds when it is under a minute ("40 s"), else a duration. */
function shiftText(ms) {
  const abs = Math.abs(ms);
  return abs < 60000 ? `${Math.round(abs / 1000)} s` : duration(abs);
}

export function renderSla(s) {
  s.liveUpdates = [];
  const sla = s.detail && s.detail.sla;
  if (!sla) {
    clear(s.slots.sla);
    return;
  }
  const inc = s.detail.incident;
  const live = (fn) => { s.liveUpdates.push(fn); fn(Date.now()); };
  const clocks = (sla.clocks || []).map((c) => clockBlock(s, c, inc, live));

  replace(
    s.slots.sla,
    h('section', { class: 'block sla-panel', testid: 'sla-panel', 'aria-label': 'Service level' },
      h('div', { class: 'sla-panel-head' },
        h('h2', null, 'Service level'),
        h('span', { class: 'muted small' }, `${sla.priority} targets · times in your zone (${zoneLabel()})`)),
      h('div', { class: 'sla-clocks' }, clocks),
      h('p', { class: 'sla-rule small muted', testid: 'sla-response-rule' }, sla.response_rule),
      h('div', { class: 'sla-subs' }, pauseBlock(s, sla, live), dueBlock(s))),
  );
}

function pauseBlock(s, sla, live) {
  const pauses = sla.pauses || [];
  const openPause = pauses.some((p) => !p.to);
  const pausedTotal = h('strong', { testid: 'sla-paused-total' });
  live((now) => {
    const extra = openPause ? Math.max(0, now - s.loadedAt) : 0;
    const ms = sla.paused_seconds * 1000 + extra;
    pausedTotal.textContent = ms < 60000 ? shiftText(ms) : duration(ms);
  });
  const blocked = pauseBlocked(s.detail);
  const entry = (p) => {
    const ms = p.to ? new Date(p.to).getTime() - new Date(p.from).getTime() : null;
    // A pause under a minute would read "14:03 → 14:03": then the times carry their seconds.
    const at = ms !== null && ms < 60000 ? fullDateTime : dateTime;
    return h('li', { class: ['sla-pause', !p.to && 'is-open'], testid: 'sla-pause' },
      h('span', { class: 'sla-pause-reason' }, p.reason || 'No reason'),
      h('span', { class: 'muted' }, ` · by ${p.by} · `),
      h('time', { datetime: p.from, class: 'num', title: fullDateTime(p.from) }, at(p.from)),
      ' → ',
      p.to
        ? [h('time', { datetime: p.to, class: 'num', title: fullDateTime(p.to) }, at(p.to)),
          h('span', { class: 'muted', testid: 'sla-pause-length' }, ` (${shiftText(ms)})`)]
        : h('strong', null, 'still paused'));
  };
  return h('div', { class: 'sla-sub', testid: 'sla-pauses' },
    h('h3', null, 'Pauses'),
    pauses.length === 0
      ? h('p', { class: 'muted small' }, 'The clocks have never been paused.')
      : [
        h('ul', { class: 'sla-pause-list' }, pauses.map(entry)),
        h('p', { class: 'small' }, 'Paused in total: ', pausedTotal),
      ],
    blocked
      ? h('p', { class: 'muted small', testid: 'sla-pause-disabled' }, blocked)
      : h('p', { class: 'muted small' }, `Allowed pause reasons for ${sla.priority}: ${sla.pause_reasons.join('; ')}.`));
}

/**
 * One due time, from the event's values: "Resolution due time moved from Sun 29 Nov 2026
 * 23:01:42 to … 23:01:45 (3 s later)". `previous` is the clock's due time before it (the event's
 * old value, or the previous entry's when a pause cleared it); the core's summary stands in
 * where the values are absent.
 */
function dueEntryText(ev, previous) {
  const to = ev.new_value ? new Date(ev.new_value).getTime() : NaN;
  if (Number.isNaN(to)) return ev.summary;
  const clock = ev.field ? clockName(ev.field) : 'SLA';
  const before = ev.old_value || previous;
  const from = before ? new Date(before).getTime() : NaN;
  if (Number.isNaN(from)) return `${clock} due ${dateTime(ev.new_value)}`;
  const shift = to - from;
  // A move under a minute would read "23:01 to 23:01": then both times carry their seconds.
  const at = Math.abs(shift) < 60000 ? fullDateTime : dateTime;
  const way = shift === 0 ? 'unchanged' : `${shiftText(shift)} ${shift > 0 ? 'later' : 'earlier'}`;
  return `${clock} due time moved from ${at(before)} to ${at(ev.new_value)} (${way})`;
}

/**
 * For each due-time event of `timeline` whose move is under a minute, the move in words with the
 * new time to the second ("3 s later: Sun 29 Nov 2026 23:02:17"), by event id: the timeline adds
 * it to the core's summary, which gives minutes only.
 */
export function smallDueMoves(timeline) {
  const moves = new Map();
  const last = {};
  const dues = (timeline || []).filter((ev) => ev.kind === 'sla_due')
    .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id - b.id);
  for (const ev of dues) {
    const before = ev.old_value || last[ev.field];
    if (before && ev.new_value) {
      const shift = new Date(ev.new_value).getTime() - new Date(before).getTime();
      if (shift !== 0 && Math.abs(shift) < 60000) {
        moves.set(ev.id, `${shiftText(shift)} ${shift > 0 ? 'later' : 'earlier'}: ${fullDateTime(ev.new_value)}`);
      }
    }
    if (ev.new_value) last[ev.field] = ev.new_value;
  }
  return moves;
}

function dueBlock(s) {
  const dues = [...(s.detail.timeline || [])]
    .filter((ev) => ev.kind === 'sla_due')
    .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id - b.id);
  const last = {}; // the latest due time of each clock so far
  const entries = dues.map((ev) => {
    const text = dueEntryText(ev, last[ev.field] || null);
    if (ev.new_value) last[ev.field] = ev.new_value;
    return h('li', { class: 'sla-due-entry', testid: 'sla-due-entry' },
      h('time', { datetime: ev.at, class: 'num muted' }, fullDateTime(ev.at)),
      ' ',
      h('span', null, text));
  });
  return h('div', { class: 'sla-sub', testid: 'sla-due-history' },
    h('h3', null, 'Due times'),
    dues.length === 0
      ? h('p', { class: 'muted small' }, 'No due times recorded yet.')
      : h('ol', { class: 'sla-due-list' }, entries));
}

function clockBlock(s, c, inc, live) {
  const isTicking = ticking(c, inc);
  const isLinear = isTicking && linear(s, c);
  const targetSeconds = Math.max(1, c.target_minutes * 60);
  const elapsedOf = (now) => c.elapsed_seconds + (isLinear ? Math.max(0, (now - s.loadedAt) / 1000) : 0);
  const calendarDue = c.business_hours && c.state !== 'met' && c.due_at && c.calendar_zone ? inZone(c.due_at, c.calendar_zone) : null;

  const elapsedEl = h('dd', { class: 'num', testid: 'sla-elapsed' });
  const remainingEl = h('dd', { class: 'num sla-remaining', testid: 'sla-remaining' });
  const bar = h('progress', { class: 'sla-bar', max: '100', value: '0', 'aria-label': `${clockName(c.clock)} target used` });
  const percentEl = h('span', { class: 'sla-percent num', testid: 'sla-percent' });
  const block = h('div', { class: ['sla-clock', `sla-state-${c.state}`, c.state === 'warning' && 'is-warning'], testid: `sla-clock-${c.clock}`, 'data-state': c.state },
    h('div', { class: 'sla-clock-head' },
      h('h3', null, clockName(c.clock)),
      h('span', { class: ['sla-state', `sla-state-label-${c.state}`], testid: 'sla-state' }, stateName(c.state))),
    h('dl', { class: 'sla-facts' },
      h('dt', null, 'Target'), h('dd', { testid: 'sla-target' }, `${minutesText(c.target_minutes)}, ${c.calendar}`),
      h('dt', null, c.state === 'met' ? 'Stopped' : 'Due'),
      h('dd', { class: 'num', testid: 'sla-due' }, dueText(c, inc),
        calendarDue ? h('div', { class: 'sla-due-zone muted', testid: 'sla-due-calendar', title: `In the time zone of the calendar ${c.calendar} (${c.calendar_zone})` }, `${calendarDue} (calendar time)`) : null),
      h('dt', null, 'Elapsed'), elapsedEl,
      h('dt', null, 'Remaining'), remainingEl),
    h('div', { class: 'sla-progress' }, bar, percentEl));

  live((now) => {
    const elapsed = elapsedOf(now);
    elapsedEl.textContent = slaSpan(elapsed) + (isTicking && !isLinear ? ' (working time)' : '');
    const percent = Math.floor((elapsed * 100) / targetSeconds);
    bar.value = Math.min(100, Math.max(0, percent));
    percentEl.textContent = `${percent} %`;
    remainingEl.textContent = remainingText(c, inc, now, isTicking, isLinear);
    block.classList.toggle('is-overdue', !!(isTicking && c.due_at && new Date(c.due_at).getTime() <= now));
  });
  return block;
}

function dueText(c, inc) {
  if (c.state === 'met') return c.stopped_at ? fullDateTime(c.stopped_at) : stateName('met');
  if (c.due_at) return fullDateTime(c.due_at);
  if (inc.paused_since) return 'Not while paused; moves when resumed';
  return '—';
}

function remainingText(c, inc, now, isTicking, isLinear) {
  if (c.state === 'met') {
    return c.remaining_seconds > 0 ? `${slaSpan(c.remaining_seconds)} to spare` : stateName('met');
  }
  if (!isTicking) {
    const left = c.remaining_seconds;
    const text = left < 0 ? `overdue ${slaSpan(left)}` : slaSpan(left);
    if (inc.paused_since) return `${text} (paused)`;
    return c.state === 'breached' ? `${text} (stopped)` : text;
  }
  if (!c.due_at) return slaSpan(c.remaining_seconds);
  const wall = countdown(new Date(c.due_at).getTime() - now);
  if (isLinear || c.remaining_seconds < 0) return wall;
  // Outside working hours the wall clock runs but the SLA clock does not: say both.
  return `${wall} (${slaSpan(c.remaining_seconds)} working time)`;
}
