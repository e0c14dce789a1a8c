// format.js — turns the core's UTC RFC 3339 instants and counts into the text people read:
// local date-times with the weekday ("Thu 26 Nov 2026 14:03:12"), ages ("2 h 14 min") and
// grouped numbers ("1,234"). One place so every screen writes time the same way: every instant
// is shown in the user's own zone, with the zone named where a reader could doubt it
// (withZone / zoneLabel), and typed the one way "YYYY-MM-DD HH:MM" (localTextToIso; the input
// component is forms.js dateTimeInput). Times in another zone (a business-hours calendar) go
// through inZone ("Mon 12:00 Berlin").

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n) => String(n).padStart(2, '0');

function toDate(value) {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "Thu 26 Nov 2026 14:03:12" in local time. */
export function fullDateTime(value) {
  const d = toDate(value);
  if (!d) return '';
  return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "Thu 26 Nov 2026 14:03" in local time. */
export function dateTime(value) {
  const d = toDate(value);
  if (!d) return '';
  return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The user's IANA zone ("Europe/Berlin"), or '' when the WebView does not say. */
export function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    return '';
  }
}

/** The offset of local time at an instant, "UTC+01:00". */
export function offsetText(value = new Date()) {
  const d = toDate(value) || new Date();
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  return `UTC${offset >= 0 ? '+' : '−'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The zone as a reader sees it after a time: "Europe/Berlin, UTC+01:00" (or just the offset). */
export function zoneLabel(value = new Date()) {
  const zone = localZone();
  const offset = offsetText(value);
  if (zone === 'UTC' || zone === 'Etc/UTC') return 'UTC';
  return zone ? `${zone}, ${offset}` : offset;
}

/**
 * "Thu 26 Nov 2026 14:03 (Europe/Berlin)": the local date-time with the zone named, for places
 * where a reader compares times with someone elsewhere (headers, due times). `seconds` adds them.
 */
export function withZone(value, { seconds = false } = {}) {
  const d = toDate(value);
  if (!d) return '';
  const zone = localZone() || offsetText(d);
  return `${seconds ? fullDateTime(d) : dateTime(d)} (${zone})`;
}

/**
 * An instant in another IANA zone, short: "Mon 12:00 Berlin" (the zone's city). Falls back to the
 * local dateTime when the WebView does not know the zone.
 */
export function inZone(value, zone) {
  const d = toDate(value);
  if (!d) return '';
  if (!zone) return dateTime(d);
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(d).map((p) => [p.type, p.value]));
    const city = zone.split('/').pop().replace(/_/g, ' ');
    return `${parts.weekday} ${parts.hour}:${parts.minute} ${city}`;
  } catch (e) {
    return dateTime(d);
  }
}

/**
 * Rewrites instants inside a sentence of the core (verification results) into local time:
 * "… at 2026-11-29T13:02:11.123Z" → "… at Sun 29 Nov 2026 14:02:11", "2026-11-29 13:00 UTC" →
 * "Sun 29 Nov 2026 14:00".
 */
export function localiseInstants(text) {
  return String(text || '').replace(
    /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g,
    (iso) => fullDateTime(iso) || iso,
  ).replace(
    /\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\b/g,
    (whole, day, time) => dateTime(`${day}T${time}:00Z`) || whole,
  );
}

/** A compact duration: "< 1 min", "14 min", "2 h 14 min", "3 d 4 h", "12 d". */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  const minutes = Math.floor(Math.max(0, ms) / 60000);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  if (days < 10) {
    const rest = hours % 24;
    return rest ? `${days} d ${rest} h` : `${days} d`;
  }
  return `${days} d`;
}

/** How long ago an instant was, as a duration: "2 h 14 min". */
export function age(value, now = Date.now()) {
  const d = toDate(value);
  return d ? duration(now - d.getTime()) : '';
}

/** A coarse "how long ago" for narrow columns: "just now", "12 min ago", "5 h ago", "3 d ago". */
export function ago(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '';
  const minutes = Math.floor((now - d.getTime()) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 60 * 24) return `${Math.floor(minutes / 60)} h ago`;
  return `${Math.floor(minutes / (60 * 24))} d ago`;
}

/** The local "YYYY-MM-DDTHH:MM" a datetime-local input shows for an instant. */
export function toLocalInput(value) {
  const d = toDate(value);
  if (!d) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (local time) as a UTC RFC 3339 string; empty gives null. */
export function localInputToIso(value) {
  if (!value) return null;
  const d = new Date(value); // "YYYY-MM-DDTHH:MM" without zone is read as local time
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** 1234 → "1,234". */
export function count(n) {
  return Number(n || 0).toLocaleString('en-US');
}

/** "1 incident", "3 incidents". */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/**
 * A live countdown to a deadline `ms` away (negative once passed): "45 s", "9 min 05 s",
 * "12 min", "2 h 05 min", "24 h 40 min", "3 d 4 h"; past deadlines read "overdue 3 min". With `fine` false
 * the seconds are left out from one minute on ("9 min").
 */
export function countdown(ms, fine = true) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 0) return `overdue ${span(-ms, false)}`;
  return span(ms, fine);
}

function span(ms, fine) {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (fine && minutes < 10) return `${minutes} min ${pad(seconds % 60)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  // Under two days the minutes still matter: 24 h 40 min must not read as "1 d".
  if (hours < 48) return `${hours} h ${pad(minutes % 60)} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** A target in minutes as people say it: "15 min", "4 h", "27 h", "4 h 30 min". */
export function minutesText(minutes) {
  const m = Number(minutes);
  if (!Number.isFinite(m)) return '';
  if (Math.abs(m) < 60) return `${m} min`;
  const hours = Math.trunc(m / 60);
  const rest = Math.abs(m % 60);
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** Today's local date as "YYYY-MM-DD". */
export function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2026-12-25" → "Fri 25 Dec 2026" (a calendar day, no time zone shift). */
export function dayText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** An instant as the local "YYYY-MM-DD HH:MM" people type into a date-and-time text field. */
export function toLocalText(value) {
  const d = toDate(value);
  if (!d) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A typed local "YYYY-MM-DD HH:MM" (also "YYYY-MM-DDTHH:MM", seconds allowed) as a UTC RFC 3339
 * string; null when it is not a real date and time. A text field on purpose: the WebView's
 * datetime pickers turn typed digits into surprises.
 */
export function localTextToIso(text) {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec((text || '').trim());
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = [m[1], m[2], m[3], m[4], m[5], m[6] || '0'].map(Number);
  const date = new Date(y, mo - 1, d, hh, mm, ss);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d
    || date.getHours() !== hh || date.getMinutes() !== mm) return null;
  return date.toISOString();
}

/** A span of seconds from the core as a duration ("2 h 14 min"); null gives ''. */
export function secondsText(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const s = Number(seconds);
  if (!Number.isFinite(s)) return '';
  return s < 0 ? `−${duration(-s * 1000)}` : duration(s * 1000);
}

/** Whether a text is a real calendar day written "YYYY-MM-DD". */
export function isIsoDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === text;
}

/**
 * A span of time by the rule the printed review uses (core `review::duration_text`), so the
 * screen and the PDF say the same: seconds where they matter, under ten minutes ("38 s",
 * "4 min 05 s"), minutes from there ("45 min", "1 h 30 min", "4 h"), hours from a day on
 * ("2 d 3 h").
 */
export function spanText(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const n = Number(seconds);
  if (!Number.isFinite(n)) return '';
  const s = Math.abs(Math.trunc(n));
  const sign = n < 0 ? '−' : '';
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  let text;
  if (d > 0) text = hr ? `${d} d ${hr} h` : `${d} d`;
  else if (hr > 0) text = m ? `${hr} h ${m} min` : `${hr} h`;
  else if (m >= 10) text = `${m} min`;
  else if (m > 0) text = `${m} min ${String(sec).padStart(2, '0')} s`;
  else text = `${s} s`;
  return sign + text;
}
