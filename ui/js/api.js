// api.js — the only module that talks to the Rust core. It wraps each Tauri command of
// docs/commands.md in a named function and turns every rejection into an ApiError carrying the
// core's {code, message, field}, so screens never see raw invoke() plumbing or error shapes.
//
// Every command runs off the window's main thread, so the window stays responsive while a long
// one (an SLA policy save re-measures every open incident) runs; the page is marked busy
// (`<html data-desk-busy>`, a progress cursor) while a call has been running for a moment.

/** A refusal or failure from the core, as the UI shows it. */
export class ApiError extends Error {
  constructor(code, message, field, problems) {
    super(message);
    this.code = code || 'internal';
    this.field = field || null;
    // Every invalid field of a validation refusal ([{field, message}]), when the core lists them.
    this.problems = Array.isArray(problems) ? problems : null;
  }
}

function tauriInvoke() {
  const t = window.__TAURI__;
  if (t && t.core && typeof t.core.invoke === 'function') return t.core.invoke;
  // withGlobalTauri off: the internal bridge is always injected by Tauri.
  const internals = window.__TAURI_INTERNALS__;
  if (internals && typeof internals.invoke === 'function') return internals.invoke.bind(internals);
  return null;
}

/**
 * The core rejects with {code, message, field?}. Anything else (a bare string from Tauri's own
 * plumbing, an exception of the bridge) is not a refusal of the core: it is `internal`, never
 * dressed up as a storage failure.
 */
export function toApiError(raw) {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === 'object' && typeof raw.message === 'string') {
    return new ApiError(typeof raw.code === 'string' ? raw.code : 'internal', raw.message, raw.field, raw.problems);
  }
  if (typeof raw === 'string') return new ApiError('internal', raw);
  let text;
  try {
    text = raw && typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  } catch (e) {
    text = String(raw);
  }
  return new ApiError('internal', 'The desk did not answer: ' + text);
}

// How long a call runs before the page shows it is busy (no flicker for quick calls).
const BUSY_AFTER_MS = 250;
let running = 0;
let busyTimer = null;

function markBusy(on) {
  const root = document.documentElement;
  if (on) {
    root.setAttribute('data-desk-busy', '');
    root.style.cursor = 'progress';
  } else {
    root.removeAttribute('data-desk-busy');
    root.style.cursor = '';
  }
}

function started() {
  running += 1;
  if (running === 1 && busyTimer === null) {
    busyTimer = setTimeout(() => {
      busyTimer = null;
      if (running > 0) markBusy(true);
    }, BUSY_AFTER_MS);
  }
}

function finished() {
  running = Math.max(0, running - 1);
  if (running === 0) {
    if (busyTimer !== null) {
      clearTimeout(busyTimer);
      busyTimer = null;
    }
    markBusy(false);
  }
}

async function call(command, input) {
  const invoke = tauriInvoke();
  if (!invoke) {
    throw new ApiError('internal', 'This window is not connected to the Incident Desk core.');
  }
  started();
  try {
    return await invoke(command, input === undefined ? {} : { input });
  } catch (raw) {
    throw toApiError(raw);
  } finally {
    finished();
  }
}

/**
 * A read without input that many changes ask for at once (every `desk-changed` reloads the
 * notification centre): at most one call runs and one waits; every caller in the meantime gets
 * the waiting call's answer, which is at least as new as its request. On a large desk the
 * scheduler firing a few hundred due deadlines at start otherwise queued hundreds of identical
 * reads on the desk's one connection, and the list waited behind them
 * (docs/benchmarks-window.md).
 */
const inFlight = new Map();
function callLatest(command) {
  const slot = inFlight.get(command);
  if (!slot) {
    const running = call(command);
    const mine = { running, next: null };
    inFlight.set(command, mine);
    running.then(done, done);
    function done() {
      if (inFlight.get(command) === mine && !mine.next) inFlight.delete(command);
    }
    return running;
  }
  if (!slot.next) {
    slot.next = slot.running.then(() => {}, () => {}).then(() => {
      if (inFlight.get(command) === slot) inFlight.delete(command);
      return callLatest(command);
    });
  }
  return slot.next;
}

/**
 * Calls `handler(event)` for every app event named `name` the shell emits.
 * Returns a promise of an unlisten function.
 */
async function listen(name, handler) {
  const t = window.__TAURI__;
  if (t && t.event && typeof t.event.listen === 'function') {
    return t.event.listen(name, handler);
  }
  const internals = window.__TAURI_INTERNALS__;
  if (internals && typeof internals.transformCallback === 'function') {
    const handlerId = internals.transformCallback(handler);
    const eventId = await internals.invoke('plugin:event|listen', {
      event: name,
      target: { kind: 'Any' },
      handler: handlerId,
    });
    return () => internals.invoke('plugin:event|unlisten', { event: name, eventId });
  }
  return () => {};
}

/**
 * Calls `handler(payload)` after every write (payload: {incident_id} or {incident_id: null}).
 * Returns a promise of an unlisten function.
 */
export function onDeskChanged(handler) {
  return listen('desk-changed', (event) => handler((event && event.payload) || { incident_id: null }));
}

/**
 * Calls `handler(id)` when the user clicked a desktop notification about incident `id`.
 * Returns a promise of an unlisten function.
 */
export function onOpenIncident(handler) {
  return listen('open-incident', (event) => {
    const id = event && event.payload ? Number(event.payload.id) : NaN;
    if (Number.isFinite(id)) handler(id);
  });
}

// Desk and reference data
export const deskInfo = () => call('desk_info');
/** Closes the database and opens it again (after the reason it could not open was fixed). */
export const reopenDesk = () => call('reopen_desk');
export const setOrganisation = (name) => call('set_organisation', { name });
export const referenceData = () => call('reference_data');
export const loadDemoData = () => call('load_demo_data');
export const setOperator = (personId) => call('set_operator', { person_id: personId });

// Settings
export const saveService = (input) => call('save_service', input);
export const deleteService = (id) => call('delete_service', { id });
export const deleteTeam = (id) => call('delete_team', { id });
export const deletePerson = (id) => call('delete_person', { id });
export const deleteCategory = (id) => call('delete_category', { id });
export const saveTeam = (input) => call('save_team', input);
export const savePerson = (input) => call('save_person', input);
export const saveCategory = (input) => call('save_category', input);
export const savePriorityMatrix = (matrix) => call('save_priority_matrix', matrix);

// Incidents
export const previewPriority = (impact, urgency) => call('preview_priority', { impact, urgency });
export const logIncident = (newIncident) => call('log_incident', newIncident);
export const listIncidents = (query) => call('list_incidents', query);
export const getIncident = (id) => call('get_incident', { id });
export const updateIncident = (id, expectedVersion, changes) =>
  call('update_incident', { id, expected_version: expectedVersion, changes });
export const assignIncident = (id, expectedVersion, assigneeId, teamId) =>
  call('assign_incident', { id, expected_version: expectedVersion, assignee_id: assigneeId, team_id: teamId });
export const acknowledgeIncident = (id, expectedVersion) =>
  call('acknowledge_incident', { id, expected_version: expectedVersion });
export const addNote = (id, expectedVersion, text) =>
  call('add_note', { id, expected_version: expectedVersion, text });
export const escalateIncident = (id, expectedVersion, { kind, teamId, personId, reason }) =>
  call('escalate_incident', {
    id,
    expected_version: expectedVersion,
    kind,
    team_id: teamId,
    person_id: personId,
    reason,
  });
export const recordWorkaround = (id, expectedVersion, workaround) =>
  call('record_workaround', { id, expected_version: expectedVersion, workaround });
export const resolveIncident = (id, expectedVersion, resolutionCode, resolutionNotes) =>
  call('resolve_incident', {
    id,
    expected_version: expectedVersion,
    resolution_code: resolutionCode,
    resolution_notes: resolutionNotes,
  });
export const verifyResolution = (id, expectedVersion, method, notes) =>
  call('verify_resolution', { id, expected_version: expectedVersion, method, notes });
export const closeIncident = (id, expectedVersion, closureNotes) =>
  call('close_incident', { id, expected_version: expectedVersion, closure_notes: closureNotes });
export const reopenIncident = (id, expectedVersion, reason) =>
  call('reopen_incident', { id, expected_version: expectedVersion, reason });

// SLA engine
export const pauseIncident = (id, expectedVersion, reason) =>
  call('pause_incident', { id, expected_version: expectedVersion, reason });
export const resumeIncident = (id, expectedVersion) =>
  call('resume_incident', { id, expected_version: expectedVersion });
export const slaSettings = () => call('sla_settings');
export const saveSlaPolicy = (policy) => call('save_sla_policy', policy);
export const saveCalendar = (calendar, create) => call('save_calendar', { create: !!create, calendar });
export const importHolidays = (calendarId, text) => call('import_holidays', { calendar_id: calendarId, text });
export const saveEscalationRule = (rule) => call('save_escalation_rule', rule);
export const saveReminders = (reminders) => call('save_reminders', reminders);

// Notification centre
export const listAlerts = () => callLatest('list_alerts');
/** Marks the alerts with these ids read; `null` marks every alert read. */
export const markAlertsRead = (ids) => call('mark_alerts_read', { ids });

/**
 * Hands a URL (mailto:) to the desktop, through the opener plugin when the shell has it.
 * Resolves true when it was handed over, false when this window cannot open it.
 */
export async function openExternal(url) {
  const t = window.__TAURI__;
  const opener = t && t.opener;
  if (!opener || typeof opener.openUrl !== 'function') return false;
  try {
    await opener.openUrl(url);
    return true;
  } catch (raw) {
    throw toApiError(raw);
  }
}

// Integrity of the recorded history
export const verifyHistory = () => call('verify_history');

// Major incidents and stakeholder communication
export const declareMajor = (id, expectedVersion, { reason, managerId, bridge, emergencyChange }) =>
  call('declare_major', {
    id,
    expected_version: expectedVersion,
    reason,
    manager_id: managerId,
    bridge,
    emergency_change: emergencyChange,
  });
export const majorView = (id) => call('major_view', { id });
export const communicationSettings = () => call('communication_settings');
export const saveAudience = (audience, create) => call('save_audience', { create: !!create, audience });
export const saveTemplate = (template, create) => call('save_template', { create: !!create, template });
export const saveMajorCriteria = (criteria) => call('save_major_criteria', criteria);
export const draftUpdate = (id, templateId, audienceId) =>
  call('draft_update', { id, template_id: templateId, audience_id: audienceId });
/** Records a stakeholder update exactly as sent; `template` is the template's name or null. */
export const sendUpdate = (id, { audienceId, template, subject, body }) =>
  call('send_update', { id, audience_id: audienceId, template, subject, body });
export const correctMilestone = (id, expectedVersion, milestone, at, reason) =>
  call('correct_milestone', { id, expected_version: expectedVersion, milestone, at, reason });

// Post-incident reviews (`id` / `incident_id` is always the incident's id)
export const createReview = (incidentId) => call('create_review', { id: incidentId });
export const getReview = (incidentId) => call('get_review', { id: incidentId });
/** `changes` holds only the text fields that changed; `reason` is required once final. */
export const editReview = (incidentId, expectedVersion, changes, reason) =>
  call('edit_review', { incident_id: incidentId, expected_version: expectedVersion, ...changes, reason: reason || null });
export const saveReviewAction = (incidentId, { id, text, ownerId, dueDate, status, reason }) =>
  call('save_review_action', {
    incident_id: incidentId,
    id: id === undefined ? null : id,
    text,
    owner_id: ownerId,
    due_date: dueDate,
    status,
    reason: reason || null,
  });
export const finaliseReview = (incidentId, expectedVersion) =>
  call('finalise_review', { id: incidentId, expected_version: expectedVersion });
/** Asks where to save and writes the review as PDF; resolves {path}, or null when cancelled. */
export const exportReviewPdf = (incidentId, paper) => call('export_review_pdf', { id: incidentId, paper });

// The database file: backups and restore
/** {folder, settings, last_good, warning, next_automatic_at, check_pending} */
export const backupStatus = () => call('backup_status');
/** Every recorded backup, newest first, with `present`. */
export const listBackups = () => call('list_backups');
/** Asks for a folder and backs up into it; resolves the verified BackupInfo, or null when cancelled. */
export const backUpNow = () => call('back_up_now');
export const saveBackupSettings = (settings) => call('save_backup_settings', settings);
/** What a backup holds: the file at `path`, or (path null) one the user picks; null when cancelled. */
export const previewRestore = (path) => call('preview_restore', { path: path || null });
/** Restores the backup at `path`; the desk reopens on it. Resolves the RestoreOutcome. */
export const restoreBackup = (path) => call('restore_backup', { path });
/** The backups beside the database, also when the desk could not open: {database, folder, backups}. */
export const recoveryBackups = () => call('recovery_backups');

/**
 * Calls `handler({pages_done, pages_total})` as "Back up now" copies the database.
 * Returns a promise of an unlisten function.
 */
export function onBackupProgress(handler) {
  return listen('backup-progress', (event) => handler((event && event.payload) || null));
}
