// sla.js — what the screens share about SLA clocks: the one page-wide one-second ticker that
// drives every live countdown, the list badge's state and text, the words for clocks and their
// states, and the reading of minutes against a calendar ("1620 min = 27 h = 3 business days of
// 9 h"). The core computes every clock; this only words and counts down what it returned.

import { minutesText, fullDateTime } from './format.js';
import { label } from './store.js';

// ---- the one ticker ---------------------------------------------------------------------------

const tickers = new Set();
let interval = null;

/**
 * Calls `fn(now)` once a second while subscribed; returns an unsubscribe. One setInterval serves
 * the whole page, and it stops when nobody listens.
 */
export function onTick(fn) {
  tickers.add(fn);
  if (!interval) {
    interval = setInterval(() => {
      const now = Date.now();
      for (const t of [...tickers]) {
        try { t(now); } catch (e) { /* one broken listener must not stop the others */ }
      }
    }, 1000);
  }
  return () => {
    tickers.delete(fn);
    if (tickers.size === 0 && interval) {
      clearInterval(interval);
      interval = null;
    }
  };
}

// ---- words ----------------------------------------------------------------------------------------

// The core's vocabulary holds every label (no tables here).
export const clockLabel = (clock) => label('clock_kind', clock);
export const stateLabel = (state) => label('clock_state', state);

// ---- the list badge -------------------------------------------------------------------------------

/** The list's state of the core's clock states (contract: running, warning, paused, met, breached). */
const BADGE_STATE = { running: 'ok', warning: 'warning', paused: 'paused', met: 'none', breached: 'breached' };
/** What the user has to do before the clock's deadline. */
const CLOCK_VERBS = { response: 'Respond', resolution: 'Resolve' };

/**
 * A time span as the list badge says it, never rounded up and never hiding more than the
 * minutes of a long span: "42 s", "17 min", "11 h 17 min", "24 h 40 min" (not "1 d"), "3 d 4 h".
 */
export function badgeSpan(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * The SLA badge of a list row at `now`: {state, text, title}. `state` is one of ok, warning,
 * breached, paused, none (the colour); the text says the state and the time that matters in
 * words that need no tooltip: "Breached 3 h 52 min ago", "Resolve in 24 h 40 min",
 * "⚠ Respond in 4 min", "Resolve in 4 h working" (a business-hours clock). The row's `sla_state` from the core decides the state when present.
 */
export function rowBadge(row, now = Date.now()) {
  const due = row.next_due_at ? new Date(row.next_due_at).getTime() : null;
  const clock = row.next_due_clock ? clockLabel(row.next_due_clock) : 'SLA';
  const verb = CLOCK_VERBS[row.next_due_clock] || 'Due';
  const left = due === null ? null : due - now;
  const dueTitle = due === null ? '' : `${clock} due ${fullDateTime(row.next_due_at)}`;
  let state = row.sla_state ? BADGE_STATE[row.sla_state] : null;
  if (!state) {
    if (row.breached || (left !== null && left < 0 && !row.paused)) state = 'breached';
    else if (row.paused) state = 'paused';
    else if (left !== null) state = row.warning_percent ? 'warning' : 'ok';
    else state = 'none';
  }
  if (state === 'breached') {
    const at = row.breached_at ? new Date(row.breached_at).getTime() : left !== null && left < 0 ? due : null;
    const when = at === null ? '' : now - at < 60000 ? ' just now' : ` ${badgeSpan(now - at)} ago`;
    const since = row.breached_at ? `Breached at ${fullDateTime(row.breached_at)}` : 'An SLA target of this incident was breached';
    const next = dueTitle && left !== null && left >= 0 ? `${dueTitle} (in ${badgeSpan(left)})` : dueTitle;
    return {
      state,
      text: `Breached${when}${row.paused ? ' · paused' : ''}`,
      title: [since, next].filter(Boolean).join('. '),
    };
  }
  if (state === 'paused') {
    return { state, text: 'Paused', title: ['The SLA clocks are paused', dueTitle].filter(Boolean).join('. ') };
  }
  if (state === 'warning' || state === 'ok') {
    if (left === null) return { state, text: stateLabel(row.sla_state) || 'Running', title: 'No SLA deadline pending' };
    // A business-hours clock counts working time: the core says how much is left (as of the
    // list's read), which is what the analyst has; the wall time goes to the tooltip.
    const working = Number.isFinite(row.working_seconds_left) ? row.working_seconds_left * 1000 : null;
    const text = working === null ? `${verb} in ${badgeSpan(left)}` : `${verb} in ${badgeSpan(working)} working`;
    const title = working === null ? dueTitle : `${dueTitle} (in ${badgeSpan(left)}; business hours count)`;
    if (state === 'warning') {
      const used = row.warning_percent ? `${row.warning_percent} % of the ${clock.toLowerCase()} target used. ` : '';
      return { state, text: `⚠ ${text}`, title: `${used}${title}` };
    }
    return { state, text, title };
  }
  if (row.sla_state === 'met' || row.status === 'resolved' || row.status === 'closed') {
    return { state: 'none', text: 'Met', title: 'Resolved within its SLA targets' };
  }
  return { state: 'none', text: '—', title: 'No SLA deadline pending' };
}

// ---- calendars and minutes ---------------------------------------------------------------------------

function minutesOf(hhmm) {
  const m = /^(\d{1,2}):(\d{2})/.exec(hhmm || '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The working minutes of each weekday of a calendar record (Monday first; 0 = closed). */
export function weekMinutes(cal) {
  return (cal && cal.week ? cal.week : []).map((day) => {
    if (!day) return 0;
    const a = minutesOf(day[0]);
    const b = minutesOf(day[1]);
    return a === null || b === null || b <= a ? 0 : b - a;
  });
}

/**
 * The length of a business day of a calendar in minutes (the most common working-day length),
 * or null for a 24×7 calendar or one without working hours.
 */
export function businessDayMinutes(cal) {
  if (!cal || cal.always_on) return null;
  const counts = new Map();
  for (const m of weekMinutes(cal)) if (m > 0) counts.set(m, (counts.get(m) || 0) + 1);
  let best = null;
  let bestCount = 0;
  for (const [m, c] of counts) if (c > bestCount || (c === bestCount && m > best)) { best = m; bestCount = c; }
  return best;
}

function trimNumber(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '');
}

/**
 * Minutes read against a calendar: "240 min = 4 h", "2880 min = 48 h = 2 days" (24×7),
 * "1620 min = 27 h = 3 business days of 9 h" (a business calendar of 9-hour days).
 */
export function explainMinutes(minutes, cal) {
  const m = Number(minutes);
  if (!Number.isFinite(m) || m <= 0 || !Number.isInteger(m)) return '';
  const parts = [`${m} min`];
  if (m >= 60) parts.push(minutesText(m));
  if (!cal) return parts.join(' = ');
  if (cal.always_on) {
    if (m >= 1440) parts.push(`${trimNumber(m / 1440)} ${m === 1440 ? 'day' : 'days'}`);
    return parts.join(' = ');
  }
  const day = businessDayMinutes(cal);
  if (day && m >= day) {
    const days = m / day;
    parts.push(`${trimNumber(days)} business ${days === 1 ? 'day' : 'days'} of ${minutesText(day)}`);
  }
  return parts.join(' = ');
}

/** The computer's own IANA time zone, or ''. */
export function localTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    return '';
  }
}

let zoneList = null;
/** Every IANA time zone this WebView knows, for a <datalist> (may be empty). */
export function timeZones() {
  if (zoneList) return zoneList;
  try {
    zoneList = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch (e) {
    zoneList = [];
  }
  if (!zoneList.includes('UTC')) zoneList = ['UTC', ...zoneList];
  return zoneList;
}
