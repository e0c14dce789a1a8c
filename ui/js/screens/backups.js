// screens/backups.js — the database file as a user meets it: Settings › Backups (the last good
// backup and the warning when it is old, "Back up now…" with its progress and verified result,
// the list of backups, the automatic-backup settings, "Restore from backup…" with a look at what
// the backup holds before anything changes), the start screen's restore offer when the desk
// cannot open its file, and the backup warning at start. Every number and verdict shown here
// was computed by the core; all text goes through textContent (dom.js h()).

import { h, replace, clear } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import { field, checkboxField, clearErrors, showError, busy, trackDirty } from '../forms.js';
import { count, dateTime, ago } from '../format.js';

/** Where the outcome of a restore waits for the reloaded window (shown once, then dropped). */
const RESTORED_KEY = 'incident-desk-restored';
/** The start warning, dismissed for this session. */
const DISMISSED_KEY = 'incident-desk-backup-warning-dismissed';

// Backup kinds in the core's words (vocabulary backup_kind).
const kindLabel = (kind) => store.label('backup_kind', kind);
const lastEvent = (id) => (id === null || id === undefined ? '— (no events)' : `#${id}`);
const incidentsText = (n) => `${count(n)} ${n === 1 ? 'incident' : 'incidents'}`;

// ---- restore: preview, confirm, restore, reload -----------------------------------------------

/**
 * What a backup holds and the question whether to restore it. `onDone(outcome)` runs after the
 * restore; `onCancel()` when the user says no.
 */
function restoreConfirm(preview, { onCancel }) {
  const v = preview.verification;
  const c = v.contents || null;
  const m = preview.manifest || null;
  const history = v.history;
  const historyText = !history
    ? 'not checked (the file could not be read)'
    : history.intact
      ? `intact (${count(history.events_checked)} events checked)`
      : `altered: ${history.problem || (history.problems || [])[0] || 'an event does not match its hash'}`;
  const slot = h('div', { class: 'form-errors' });
  const confirm = h('button', {
    type: 'button',
    class: 'btn btn-danger',
    testid: 'restore-confirm',
    disabled: !preview.restorable,
  }, 'Restore this backup');
  const cancel = h('button', { type: 'button', class: 'btn', testid: 'restore-cancel', onclick: onCancel }, 'Cancel');
  const box = h('section', { class: 'restore-box', testid: 'restore-confirm-box', role: 'dialog', 'aria-label': 'Restore from backup' },
    h('h3', null, preview.restorable ? 'Restore this backup?' : 'This backup cannot be restored'),
    h('dl', { class: 'facts facts-wide', testid: 'restore-preview' },
      h('dt', null, 'File'), h('dd', { class: 'mono break', testid: 'restore-file' }, preview.backup),
      h('dt', null, 'Taken'), h('dd', { testid: 'restore-taken' }, m ? `${dateTime(m.taken_at)} (${kindLabel(m.kind)})` : 'unknown (no manifest beside the file)'),
      h('dt', null, 'Incidents'), h('dd', { testid: 'restore-incidents' }, c ? incidentsText(c.incident_count) : '—'),
      h('dt', null, 'Last event'), h('dd', { testid: 'restore-last-event' }, c ? `${lastEvent(c.last_event_id)} of ${count(c.event_count)}` : '—'),
      h('dt', null, 'Integrity'), h('dd', { testid: 'restore-integrity', 'data-ok': String(!!v.integrity_ok) }, v.integrity_ok ? 'passes SQLite’s integrity check' : `fails: ${v.summary}`),
      h('dt', null, 'History'), h('dd', { testid: 'restore-history', 'data-ok': String(!!(history && history.intact)) }, historyText),
      h('dt', null, 'Manifest'), h('dd', { testid: 'restore-manifest' }, m
        ? (preview.matches_manifest ? 'matches the file (same incidents and last event hash)' : 'does NOT match the file')
        : 'none')),
    preview.restorable
      ? h('p', { class: 'notice', testid: 'restore-keeps' },
        'The current database file is not deleted: it is renamed “incident-desk.before-restore-<time>.sqlite3” and kept beside the restored one. ',
        'Incident Desk then reopens on the backup; anything recorded after the backup was taken is only in the file kept aside.')
      : h('p', { class: 'form-error', role: 'alert' }, `Nothing was changed: ${v.summary}.`),
    slot,
    h('div', { class: 'form-actions' }, confirm, cancel));
  return { box, confirm, slot };
}

/**
 * Runs the restore of `preview` from `host` (an element the confirmation box goes into):
 * shows the box, restores on confirm, keeps the outcome for the reloaded window and reloads.
 */
export function offerRestore(host, preview, { onCancel } = {}) {
  const { box, confirm, slot } = restoreConfirm(preview, {
    onCancel: () => { clear(host); if (onCancel) onCancel(); },
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    clear(slot);
    slot.appendChild(h('p', { class: 'muted', testid: 'restore-running' }, 'Restoring… the desk closes and opens again on the backup.'));
    try {
      const outcome = await api.restoreBackup(preview.backup);
      const kept = outcome.previous_file_kept_at;
      const message = `Restored from ${outcome.restored_from}: ${incidentsText(outcome.contents.incident_count)}. ` +
        (kept ? `The previous database is kept at ${kept}.` : 'There was no previous database file to keep.');
      try { sessionStorage.setItem(RESTORED_KEY, message); } catch (e) { /* shown below anyway */ }
      replace(slot, h('p', { class: 'verify-ok', testid: 'restore-done', role: 'status' }, message, ' Reloading…'));
      setTimeout(() => { location.hash = '#/incidents'; location.reload(); }, 1200);
    } catch (error) {
      confirm.disabled = !preview.restorable;
      replace(slot, h('div', { class: 'form-error', role: 'alert', testid: 'restore-error' }, error.message));
    }
  });
  replace(host, box);
  box.scrollIntoView({ block: 'nearest' });
  confirm.focus();
}

/** The message of a restore done just before this window reloaded, once. */
export function takeRestoredMessage() {
  try {
    const m = sessionStorage.getItem(RESTORED_KEY);
    if (m) sessionStorage.removeItem(RESTORED_KEY);
    return m;
  } catch (e) {
    return null;
  }
}

// ---- Settings › Backups ------------------------------------------------------------------------

export function backupsTab(panel, ctx) {
  let disposed = false;
  let unlistenProgress = null;
  let settingsForm = null;

  const lastSlot = h('div', { class: 'backup-last-slot' });
  const nowSlot = h('div', { class: 'backup-now-slot', 'aria-live': 'polite' });
  const restoreSlot = h('div', { class: 'restore-slot' });
  const listSlot = h('div', { class: 'backup-list-slot' });
  const settingsSlot = h('div', { class: 'backup-settings-slot' });

  const progress = h('progress', { class: 'backup-bar', testid: 'backup-progress', max: '1', value: '0', hidden: true });
  const nowButton = h('button', { type: 'button', class: 'btn btn-primary', testid: 'backup-now', onclick: backUpNow }, 'Back up now…');
  const restoreButton = h('button', { type: 'button', class: 'btn', testid: 'restore-start', onclick: startRestore }, 'Restore from backup…');

  function renderLast(status) {
    const b = status.last_good;
    replace(lastSlot,
      status.warning ? h('p', { class: 'notice backup-warning', role: 'alert', testid: 'backup-warning' }, status.warning) : null,
      b
        ? h('dl', { class: 'facts facts-wide', testid: 'backup-last' },
          h('dt', null, 'Last good backup'), h('dd', { testid: 'backup-last-when' }, `${dateTime(b.taken_at)} (${ago(b.taken_at)}, ${kindLabel(b.kind).toLowerCase()})`),
          h('dt', null, 'Where'), h('dd', { class: 'mono break', testid: 'backup-last-path' }, b.path),
          h('dt', null, 'Holds'), h('dd', { testid: 'backup-last-incidents' }, `${incidentsText(b.incident_count)}, last event ${lastEvent(b.last_event_id)}`),
          h('dt', null, 'Verified'), h('dd', { testid: 'backup-last-verified' }, b.verified_ok ? `yes: ${b.verification}` : `no: ${b.verification}`))
        : h('p', { class: 'muted', testid: 'backup-last-none' }, 'No verified backup yet.'),
      h('p', { class: 'small muted' },
        status.settings.enabled
          ? `Automatic backups go to ${status.folder || '—'}${status.next_automatic_at ? `; the next one is due ${dateTime(status.next_automatic_at)}` : ''}.`
          : 'Automatic backups are off.',
        status.check_pending ? ' The integrity check of the database is still running; automatic backups wait for it.' : ''));
  }

  function renderList(backups) {
    replace(listSlot,
      h('div', { class: 'settings-list-head' },
        h('h2', null, 'Backups ', h('span', { class: 'muted count' }, count(backups.length)))),
      backups.length === 0
        ? h('div', { class: 'empty empty-small', testid: 'backup-list-empty' }, h('p', null, 'No backups recorded yet.'))
        : h('div', { class: 'grid grid-compact backup-grid', role: 'table', 'aria-label': 'Backups', testid: 'backup-list' },
          h('div', { role: 'rowgroup', class: 'grid-head' },
            h('div', { role: 'row', class: 'grid-row' },
              ['Taken', 'Kind', 'Incidents', 'Last event', 'Verified', 'File', ''].map((l) => h('div', { role: 'columnheader', class: 'cell' }, l)))),
          h('div', { role: 'rowgroup', class: 'grid-body' }, backups.map((b) => h('div', {
            role: 'row',
            class: ['grid-row', !b.present && 'is-closed'],
            testid: 'backup-row',
            'data-kind': b.kind,
            'data-verified': String(b.verified_ok),
            'data-present': String(b.present),
            'data-path': b.path,
            title: b.path,
          },
          h('div', { role: 'cell', class: 'cell', testid: 'backup-row-taken' }, dateTime(b.taken_at)),
          h('div', { role: 'cell', class: 'cell', testid: 'backup-row-kind' }, kindLabel(b.kind)),
          h('div', { role: 'cell', class: 'cell', testid: 'backup-row-incidents' }, count(b.incident_count)),
          h('div', { role: 'cell', class: 'cell', testid: 'backup-row-last-event' }, lastEvent(b.last_event_id)),
          h('div', { role: 'cell', class: ['cell', b.verified_ok ? 'is-ok' : 'is-bad'], testid: 'backup-row-verified', title: b.verification }, b.verified_ok ? 'Yes' : 'No'),
          h('div', { role: 'cell', class: 'cell', testid: 'backup-row-present' }, b.present ? 'Present' : (b.removed_at ? 'Removed' : 'Missing')),
          h('div', { role: 'cell', class: 'cell' }, b.present
            ? h('button', { type: 'button', class: 'btn btn-small', testid: 'backup-row-restore', onclick: () => previewAndOffer(b.path) }, 'Restore…')
            : null))))));
  }

  function renderSettings(status) {
    if (settingsForm && settingsForm.dirty) return;
    const s = status.settings;
    const slot = h('div', { class: 'form-errors' });
    const enabled = checkboxField({ key: 'enabled', label: 'Take automatic backups while Incident Desk runs', checked: s.enabled, testid: 'backup-enabled' });
    const num = (testid, value, min, max) => h('input', { type: 'number', testid, value: String(value), min, max, step: '1', inputmode: 'numeric' });
    const interval = num('backup-interval', s.interval_hours, '1', '168');
    const daily = num('backup-keep-daily', s.keep_daily, '1', '90');
    const weekly = num('backup-keep-weekly', s.keep_weekly, '0', '52');
    const intOf = (el) => (el.value.trim() === '' ? NaN : Number(el.value));
    const form = h('form', {
      class: 'settings-form backup-settings-form',
      testid: 'backup-settings-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        await busy(form, async () => {
          try {
            const saved = await api.saveBackupSettings({
              enabled: form.querySelector('[data-testid="backup-enabled"]').checked,
              interval_hours: intOf(interval),
              keep_daily: intOf(daily),
              keep_weekly: intOf(weekly),
            });
            if (disposed) return;
            ctx.toast('Backup settings saved.');
            form.dirty = false;
            renderLast(saved);
            renderSettings(saved);
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, 'Automatic backups'),
    h('p', { class: 'field-hint' }, 'Taken into the backups folder beside the database, and at start when the last one is older than the interval. The newest verified backup of each of the last days and weeks is kept; manual backups and those taken before an upgrade are never removed.'),
    slot,
    enabled,
    h('div', { class: 'form-row' },
      field({ key: 'interval_hours', label: 'Every (hours, 1–168)', control: interval }),
      field({ key: 'keep_daily', label: 'Keep daily (1–90)', control: daily }),
      field({ key: 'keep_weekly', label: 'Keep weekly (0–52)', control: weekly })),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'backup-settings-save' }, 'Save backup settings')));
    trackDirty(form);
    settingsForm = form;
    replace(settingsSlot, form);
  }

  async function load() {
    try {
      const [status, backups] = await Promise.all([api.backupStatus(), api.listBackups()]);
      if (disposed) return;
      renderLast(status);
      renderList(backups);
      renderSettings(status);
    } catch (error) {
      if (!disposed) {
        replace(lastSlot, h('div', { class: 'form-error', role: 'alert', testid: 'form-error' },
          `The backups could not be loaded: ${error.message} `,
          h('button', { type: 'button', class: 'btn btn-small', onclick: load }, 'Try again')));
      }
    }
  }

  async function backUpNow() {
    nowButton.disabled = true;
    progress.hidden = false;
    progress.max = 1;
    progress.value = 0;
    replace(nowSlot, h('p', { class: 'muted', testid: 'backup-running' }, 'Choose a folder (a USB stick, a network share)… then the copy is written and checked.'));
    try {
      const b = await api.backUpNow();
      if (disposed) return;
      if (!b) {
        replace(nowSlot, h('p', { class: 'muted', testid: 'backup-cancelled' }, 'No folder chosen; nothing was written.'));
        return;
      }
      progress.max = 1;
      progress.value = 1;
      replace(nowSlot, b.verified_ok
        ? h('div', { class: 'verify-ok', testid: 'backup-result', 'data-verified': 'true', role: 'status' },
          h('p', null, h('strong', null, 'Backed up and verified. '), `${incidentsText(b.incident_count)}, last event ${lastEvent(b.last_event_id)}; ${b.verification}.`),
          h('p', { class: 'mono break small', testid: 'backup-result-path' }, b.path))
        : h('div', { class: 'form-error', testid: 'backup-result', 'data-verified': 'false', role: 'alert' },
          h('p', null, h('strong', null, 'The backup was written but did NOT verify: '), b.verification),
          h('p', { class: 'mono break small', testid: 'backup-result-path' }, b.path)));
      await load();
    } catch (error) {
      if (!disposed) replace(nowSlot, h('div', { class: 'form-error', role: 'alert', testid: 'backup-error' }, error.message));
    } finally {
      nowButton.disabled = false;
      if (progress.value < progress.max) progress.hidden = true;
    }
  }

  async function previewAndOffer(path) {
    restoreButton.disabled = true;
    try {
      const preview = await api.previewRestore(path || null);
      if (disposed || !preview) return;
      offerRestore(restoreSlot, preview);
    } catch (error) {
      if (!disposed) replace(restoreSlot, h('div', { class: 'form-error', role: 'alert', testid: 'restore-error' }, error.message));
    } finally {
      restoreButton.disabled = false;
    }
  }

  function startRestore() {
    previewAndOffer(null);
  }

  api.onBackupProgress((p) => {
    if (disposed || !p || !(p.pages_total > 0)) return;
    progress.hidden = false;
    progress.max = p.pages_total;
    progress.value = Math.min(p.pages_done, p.pages_total);
    progress.setAttribute('data-done', String(p.pages_done));
    progress.setAttribute('aria-valuetext', `${count(p.pages_done)} of ${count(p.pages_total)} pages copied`);
  }).then((un) => {
    if (disposed) un();
    else unlistenProgress = un;
  }).catch(() => { /* the result still shows when the backup ends */ });

  replace(panel, h('div', { class: 'backups', testid: 'backups' },
    h('div', { class: 'settings-split' },
      h('section', { class: 'settings-form backup-now-form' },
        h('h2', null, 'This database'),
        lastSlot,
        h('div', { class: 'form-actions' }, nowButton, restoreButton),
        progress,
        nowSlot,
        restoreSlot),
      settingsSlot),
    h('section', { class: 'settings-list backup-list-wrap' }, listSlot),
    h('p', { class: 'field-hint' }, 'Copying incident-desk.sqlite3 while the app runs is not a backup: the latest changes may still be in the -wal file beside it. Use Back up now, or copy the file after quitting.')));
  replace(lastSlot, h('p', { class: 'muted' }, 'Loading…'));
  load();
  return {
    refresh: load,
    unmount() {
      disposed = true;
      if (unlistenProgress) unlistenProgress();
    },
    onEscape() {
      if (restoreSlot.firstChild) { clear(restoreSlot); return true; }
      return false;
    },
  };
}

// ---- at start ----------------------------------------------------------------------------------

/**
 * A dismissible banner at the top of `host` when the last good backup is older than two days
 * (or there is none), and the outcome of a restore just done. Checked again a few seconds after
 * start, because the automatic backup at start may have just cleared it.
 */
export async function startBanners(host, navigate, warn = true) {
  const restored = takeRestoredMessage();
  if (restored) {
    host.appendChild(banner('restore-banner', 'verify-ok', restored));
  }
  if (!warn) return;
  let dismissed = false;
  try { dismissed = sessionStorage.getItem(DISMISSED_KEY) === '1'; } catch (e) { /* no storage */ }
  if (dismissed) return;
  const check = async () => {
    try {
      const status = await api.backupStatus();
      return status.warning || null;
    } catch (e) {
      return null;
    }
  };
  let warning = await check();
  if (warning) {
    await new Promise((r) => setTimeout(r, 4000));
    warning = await check();
  }
  if (!warning) return;
  host.appendChild(banner('backup-banner', 'notice', warning,
    h('button', { type: 'button', class: 'btn btn-small', testid: 'backup-banner-open', onclick: () => navigate('#/settings/backups') }, 'Open Backups'),
    () => { try { sessionStorage.setItem(DISMISSED_KEY, '1'); } catch (e) { /* ignore */ } }));
}

function banner(testid, cls, text, action = null, onDismiss = null) {
  const el = h('div', { class: ['banner', cls], role: 'status', testid },
    h('span', { class: 'banner-text', testid: `${testid}-text` }, text),
    action,
    h('button', {
      type: 'button',
      class: 'btn btn-small btn-quiet',
      testid: `${testid}-dismiss`,
      'aria-label': 'Dismiss',
      onclick: () => { el.remove(); if (onDismiss) onDismiss(); },
    }, 'Dismiss'));
  return el;
}

// ---- when the desk cannot open -----------------------------------------------------------------

/** The error codes after which a backup may be put in place of the file. */
export const RESTORABLE_CODES = ['damaged_database', 'not_a_database', 'foreign_database'];

/**
 * The restore offer of the start screen: the backups found in `<data dir>/backups`, each with
 * "Restore…", and "Choose a backup file…" for one kept elsewhere.
 */
export function recoveryOffer() {
  const listSlot = h('div', { class: 'recovery-list-slot' }, h('p', { class: 'muted' }, 'Looking for backups…'));
  const confirmSlot = h('div', { class: 'restore-slot' });
  const errorSlot = h('div', { class: 'form-errors' });

  async function preview(path) {
    clear(errorSlot);
    try {
      const p = await api.previewRestore(path);
      if (p) offerRestore(confirmSlot, p);
    } catch (error) {
      replace(errorSlot, h('div', { class: 'form-error', role: 'alert', testid: 'restore-error' }, error.message));
    }
  }

  const choose = h('button', { type: 'button', class: 'btn', testid: 'recovery-choose', onclick: () => preview(null) }, 'Choose a backup file…');

  api.recoveryBackups().then((r) => {
    const good = r.backups.filter((b) => b.present);
    replace(listSlot, good.length === 0
      ? h('p', { testid: 'recovery-none' }, `No backups were found in ${r.folder}. If you keep one elsewhere (Back up now), choose it.`)
      : [
        h('p', null, `Backups found in ${r.folder}:`),
        h('ul', { class: 'recovery-list', testid: 'recovery-list' }, good.map((b) => h('li', {
          class: 'recovery-item', testid: 'recovery-item', 'data-path': b.path, 'data-verified': String(b.verified_ok),
        },
        h('span', null, h('strong', null, dateTime(b.taken_at)), ` · ${kindLabel(b.kind)} · ${incidentsText(b.incident_count)} · last event ${lastEvent(b.last_event_id)} · ${b.verified_ok ? 'verified' : 'NOT verified'}`),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'recovery-restore', onclick: () => preview(b.path) }, 'Restore…')))),
      ]);
  }).catch((error) => {
    replace(listSlot, h('div', { class: 'form-error', role: 'alert', testid: 'recovery-error' }, error.message));
  });

  return h('section', { class: 'recovery', testid: 'recovery' },
    h('h2', null, 'Restore from backup…'),
    h('p', null, 'The file is left exactly as it is. Restoring a backup renames it aside (never deletes it) and opens the backup in its place.'),
    listSlot,
    h('div', { class: 'form-actions' }, choose),
    errorSlot,
    confirmSlot);
}
