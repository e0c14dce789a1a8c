// screens/detail.js — one incident: its header and facts, the lifecycle actions its status
// allows (each a small inline form that sends the version shown as expected_version), the
// core's refusals shown where they belong (`action-error` or beside the field), the SLA panel
// (both clocks with live countdowns, pauses, the history of due times; pause and resume), and
// the timeline of every recorded event with full local date and time. Reloads on
// `desk-changed` for this incident; an open action form survives the reload.

import { h, replace, patch, clear, priorityPill, statusBadge, kbd } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import {
  field, select, choiceSelect, recordItems, definitionLine, clearErrors, showFieldError,
  showFormError, submitOnCtrlEnter, busy, idOrNull,
} from '../forms.js';
import { incidentFields, valuesOf } from '../incidentForm.js';
import { dateTime, fullDateTime, duration, countdown, minutesText } from '../format.js';
import { onTick, clockLabel, stateLabel } from '../sla.js';

const FINISHED = ['resolved', 'closed'];
const WORKING = ['new', 'assigned', 'in_progress'];

/** Which actions a status offers. The core still decides; these only avoid dead buttons. */
const ACTIONS = [
  { name: 'acknowledge', label: 'Acknowledge', key: 'a', show: (i) => i.status === 'new' || i.status === 'assigned' },
  { name: 'assign', label: 'Assign', key: 's', show: (i) => i.status !== 'closed' },
  { name: 'note', label: 'Add note', key: 'm', show: () => true },
  { name: 'escalate', label: 'Escalate', key: 'u', show: (i) => !FINISHED.includes(i.status) },
  { name: 'workaround', label: 'Workaround', key: 'w', show: (i) => !FINISHED.includes(i.status) },
  { name: 'edit', label: 'Edit', key: 'e', show: (i) => i.status !== 'closed' },
  { name: 'resolve', label: 'Resolve', key: 'r', show: (i) => !FINISHED.includes(i.status) },
  { name: 'verify', label: 'Verify', key: 'v', show: (i) => i.status === 'resolved' && !i.verified_at },
  // Close stays offered while unverified so the core's refusal says what is missing.
  { name: 'close', label: 'Close', key: 'c', show: (i) => i.status === 'resolved' },
  { name: 'reopen', label: 'Reopen', key: null, show: (i) => FINISHED.includes(i.status) },
  // The SLA clocks: one key, P, pauses a running incident or resumes a paused one.
  { name: 'pause', label: 'Pause SLA', key: 'p', show: (i) => WORKING.includes(i.status) && !i.paused_since },
  { name: 'resume', label: 'Resume SLA', key: 'p', show: (i) => !!i.paused_since },
];

/** Why the Pause button is off, or null when the incident's policy names pause reasons. */
function pauseBlocked(d) {
  const reasons = (d && d.sla && d.sla.pause_reasons) || [];
  if (reasons.length) return null;
  const p = d && d.sla ? d.sla.priority : d.incident.priority;
  return `Pausing is not enabled for ${p} (Settings → SLA): its policy names no pause reasons.`;
}

/** The next step of the lifecycle, drawn as the primary button. */
function primaryAction(i) {
  if (i.status === 'new' || i.status === 'assigned') return 'acknowledge';
  if (i.status === 'in_progress') return 'resolve';
  if (i.status === 'resolved') return i.verified_at ? 'close' : 'verify';
  return null;
}

export function mount(root, params, ctx) {
  const id = params.id;
  let detail = null; // IncidentDetail
  let panel = null; // { name, form }
  let disposed = false;
  let loadSeq = 0;
  let loadedAt = Date.now(); // when `detail` arrived: live SLA values count from here
  let liveUpdates = []; // functions(now) that refresh the SLA panel's live text

  const head = h('header', { class: 'detail-head' });
  const actionBar = h('div', { class: 'action-bar', role: 'toolbar', 'aria-label': 'Actions' });
  const errorSlot = h('div', { class: 'action-error-slot' });
  const panelSlot = h('div', { class: 'action-panel-slot' });
  const mainCol = h('div', { class: 'detail-main' });
  const slaSlot = h('div', { class: 'sla-slot' });
  const timelineSlot = h('section', { class: 'timeline-section', 'aria-label': 'Timeline' });
  const aside = h('aside', { class: 'detail-facts', 'aria-label': 'Facts' });

  const view = h(
    'section',
    { class: 'detail', testid: 'incident-detail', 'aria-busy': 'true' },
    h('a', { href: '#/incidents', class: 'back' }, '‹ Incidents'),
    head,
    actionBar,
    errorSlot,
    panelSlot,
    h('div', { class: 'detail-body' }, h('div', { class: 'detail-col' }, slaSlot, mainCol, timelineSlot), aside),
  );
  root.appendChild(view);

  // ---- loading ----------------------------------------------------------------------------
  async function load() {
    const mine = ++loadSeq;
    try {
      const result = await api.getIncident(id);
      if (disposed || mine !== loadSeq) return;
      show(result);
    } catch (error) {
      if (disposed || mine !== loadSeq) return;
      if (!detail) {
        view.removeAttribute('aria-busy');
        replace(head, h('h1', null, error.code === 'not_found' ? 'Incident not found' : 'This incident could not be opened'));
        replace(mainCol, h('p', { class: 'form-error', role: 'alert' }, error.message));
      } else {
        showActionError(error);
      }
    }
  }

  function show(result) {
    ++loadSeq; // an older load still in flight must not overwrite this
    detail = result;
    loadedAt = Date.now();
    view.removeAttribute('aria-busy');
    render();
  }

  // ---- rendering ----------------------------------------------------------------------------
  function render() {
    if (!detail) return;
    const inc = detail.incident;
    ctx.setTitle(`${inc.number} ${inc.title}`);
    renderHead(inc);
    renderActions(inc);
    renderSla(detail.sla, inc);
    renderMain(inc);
    renderFacts(inc);
    renderTimeline(detail.timeline);
  }

  function renderHead(inc) {
    const logged = new Date(inc.logged_at).getTime();
    const end = inc.closed_at ? new Date(inc.closed_at).getTime() : inc.resolved_at && inc.status === 'resolved' ? new Date(inc.resolved_at).getTime() : Date.now();
    let openFor;
    if (inc.status === 'closed') openFor = `closed after ${duration(end - logged)}`;
    else if (inc.status === 'resolved') openFor = `resolved after ${duration(end - logged)}`;
    else openFor = `open for ${duration(end - logged)}`;
    patch(
      head,
      h('div', { class: 'detail-ids' },
        h('span', { class: 'detail-number mono', testid: 'detail-number' }, inc.number),
        priorityPill(inc.priority, store.choiceLabel('priorities', inc.priority), 'detail-priority'),
        statusBadge(inc.status, store.choiceLabel('statuses', inc.status), 'detail-status'),
        inc.escalation_level > 0 ? h('span', { class: 'tag tag-escalated' }, `Escalated ×${inc.escalation_level}`) : null,
        inc.reopen_count > 0 ? h('span', { class: 'tag' }, `Reopened ×${inc.reopen_count}`) : null,
        inc.paused_since ? h('span', { class: 'tag tag-paused', testid: 'detail-paused' }, `SLA paused: ${inc.pause_reason || 'no reason'}`) : null),
      h('h1', { class: 'detail-title', testid: 'detail-title' }, inc.title),
      h('p', { class: 'detail-sub muted' },
        `${inc.service_name} · ${inc.category_name} · logged ${dateTime(inc.logged_at)} · ${openFor}`),
    );
  }

  function renderActions(inc) {
    const primary = primaryAction(inc);
    const blocked = pauseBlocked(detail);
    const buttons = ACTIONS.filter((a) => a.show(inc)).map((a) => {
      const off = a.name === 'pause' && blocked;
      const button = h('button', {
        type: 'button',
        class: ['btn', a.name === primary && 'btn-primary', panel && panel.name === a.name && 'is-open'],
        testid: `action-${a.name}`,
        title: off ? blocked : a.key ? `${a.label} (${a.key.toUpperCase()})` : a.label,
        disabled: !!off,
        'aria-expanded': a.name === 'acknowledge' || a.name === 'resume' ? null : String(!!(panel && panel.name === a.name)),
        onclick: () => runAction(a.name),
      }, a.label, a.key ? h('kbd', { class: 'btn-key', 'aria-hidden': 'true' }, a.key.toUpperCase()) : null);
      // A disabled button shows no tooltip in every engine: its wrapper carries the explanation.
      return off ? h('span', { class: 'btn-wrap', title: blocked, tabindex: '0', 'aria-label': blocked }, button) : button;
    });
    patch(actionBar, buttons);
  }

  // ---- SLA panel -------------------------------------------------------------------------------
  /** A clock counts on right now: running, or breached and still open (not stopped, not paused). */
  function ticking(c, inc) {
    if (inc.paused_since || c.stopped_at) return false;
    return c.state === 'running' || c.state === 'breached';
  }

  /**
   * Whether counted time advances with the wall clock from the moment of loading until due (24×7,
   * or working hours covering the rest of the target): then elapsed time and percent tick live.
   */
  function linear(c) {
    if (!c.due_at) return false;
    const wall = (new Date(c.due_at).getTime() - loadedAt) / 1000;
    return Math.abs(wall - c.remaining_seconds) <= 90;
  }

  function renderSla(sla, inc) {
    liveUpdates = [];
    if (!sla) {
      clear(slaSlot);
      return;
    }
    const live = (fn) => { liveUpdates.push(fn); fn(Date.now()); };
    const clocks = (sla.clocks || []).map((c) => clockBlock(c, inc, live));

    const pauses = sla.pauses || [];
    const openPause = pauses.some((p) => !p.to);
    const pausedTotal = h('strong', { testid: 'sla-paused-total' });
    live((now) => {
      const extra = openPause ? Math.max(0, now - loadedAt) : 0;
      pausedTotal.textContent = duration(sla.paused_seconds * 1000 + extra);
    });
    const blocked = pauseBlocked(detail);
    const pauseBlock = h('div', { class: 'sla-sub', testid: 'sla-pauses' },
      h('h3', null, 'Pauses'),
      pauses.length === 0
        ? h('p', { class: 'muted small' }, 'The clocks have never been paused.')
        : [
          h('ul', { class: 'sla-pause-list' }, pauses.map((p) => h('li', { class: ['sla-pause', !p.to && 'is-open'], testid: 'sla-pause' },
            h('span', { class: 'sla-pause-reason' }, p.reason || 'No reason'),
            h('span', { class: 'muted' }, ` · by ${p.by} · `),
            h('time', { datetime: p.from, class: 'num' }, fullDateTime(p.from)),
            ' → ',
            p.to ? h('time', { datetime: p.to, class: 'num' }, fullDateTime(p.to)) : h('strong', null, 'still paused')))),
          h('p', { class: 'small' }, 'Paused in total: ', pausedTotal),
        ],
      blocked
        ? h('p', { class: 'muted small', testid: 'sla-pause-disabled' }, blocked)
        : h('p', { class: 'muted small' }, `Allowed pause reasons for ${sla.priority}: ${sla.pause_reasons.join('; ')}.`));

    const dues = [...((detail && detail.timeline) || [])]
      .filter((ev) => ev.kind === 'sla_due')
      .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.id - b.id);
    const dueBlock = h('div', { class: 'sla-sub', testid: 'sla-due-history' },
      h('h3', null, 'Due times'),
      dues.length === 0
        ? h('p', { class: 'muted small' }, 'No due times recorded yet.')
        : h('ol', { class: 'sla-due-list' }, dues.map((ev) => h('li', { class: 'sla-due-entry', testid: 'sla-due-entry' },
          h('time', { datetime: ev.at, class: 'num muted' }, fullDateTime(ev.at)),
          ' ',
          h('span', null, ev.summary)))));

    replace(
      slaSlot,
      h('section', { class: 'block sla-panel', testid: 'sla-panel', 'aria-label': 'Service level' },
        h('div', { class: 'sla-panel-head' },
          h('h2', null, 'Service level'),
          h('span', { class: 'muted small' }, `${sla.priority} targets`)),
        h('div', { class: 'sla-clocks' }, clocks),
        h('p', { class: 'sla-rule small muted', testid: 'sla-response-rule' }, sla.response_rule),
        h('div', { class: 'sla-subs' }, pauseBlock, dueBlock)),
    );
  }

  function clockBlock(c, inc, live) {
    const isTicking = ticking(c, inc);
    const isLinear = isTicking && linear(c);
    const targetSeconds = Math.max(1, c.target_minutes * 60);
    const elapsedOf = (now) => c.elapsed_seconds + (isLinear ? Math.max(0, (now - loadedAt) / 1000) : 0);

    const elapsedEl = h('dd', { class: 'num', testid: 'sla-elapsed' });
    const remainingEl = h('dd', { class: 'num sla-remaining', testid: 'sla-remaining' });
    const bar = h('progress', { class: 'sla-bar', max: '100', value: '0', 'aria-label': `${clockLabel(c.clock)} target used` });
    const percentEl = h('span', { class: 'sla-percent num', testid: 'sla-percent' });
    const block = h('div', { class: ['sla-clock', `sla-state-${c.state}`], testid: `sla-clock-${c.clock}`, 'data-state': c.state },
      h('div', { class: 'sla-clock-head' },
        h('h3', null, clockLabel(c.clock)),
        h('span', { class: ['sla-state', `sla-state-label-${c.state}`], testid: 'sla-state' }, stateLabel(c.state))),
      h('dl', { class: 'sla-facts' },
        h('dt', null, 'Target'), h('dd', { testid: 'sla-target' }, `${minutesText(c.target_minutes)}, ${c.calendar}`),
        h('dt', null, c.state === 'met' ? 'Stopped' : 'Due'),
        h('dd', { class: 'num', testid: 'sla-due' }, dueText(c, inc)),
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
      block.classList.toggle('is-warning', c.state === 'running' && percent >= 50 && percent < 100);
    });
    return block;
  }

  /**
   * Counted (SLA) time in the target's own units, hours and minutes, never days: in a business
   * calendar "27 h" of working time is not "1 d 3 h".
   */
  function slaSpan(seconds) {
    const s = Math.abs(seconds);
    return s < 60 ? '< 1 min' : minutesText(Math.floor(s / 60));
  }

  function dueText(c, inc) {
    if (c.state === 'met') return c.stopped_at ? fullDateTime(c.stopped_at) : 'Met';
    if (c.due_at) return fullDateTime(c.due_at);
    if (inc.paused_since) return 'Not while paused; moves when resumed';
    return '—';
  }

  function remainingText(c, inc, now, isTicking, isLinear) {
    if (c.state === 'met') {
      return c.remaining_seconds > 0 ? `${slaSpan(c.remaining_seconds)} to spare` : 'Met';
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

  function section(title, ...children) {
    return h('section', { class: 'block' }, h('h2', null, title), ...children);
  }

  function para(text, empty) {
    return text && text.trim()
      ? h('p', { class: 'prose' }, text)
      : h('p', { class: 'muted' }, empty);
  }

  function renderMain(inc) {
    const blocks = [section('Description', para(inc.description, 'No description was given.'))];
    if (inc.workaround) blocks.push(section('Workaround', para(inc.workaround, '')));
    if (inc.resolved_at || inc.resolution_code) {
      blocks.push(section('Resolution',
        h('p', { class: 'block-meta' },
          inc.resolution_code ? h('strong', null, store.choiceLabel('resolution_codes', inc.resolution_code)) : null,
          inc.resolved_at ? ` · ${fullDateTime(inc.resolved_at)}` : null),
        para(inc.resolution_notes, 'No resolution notes.')));
    }
    if (inc.verified_at) {
      blocks.push(section('Verification',
        h('p', { class: 'block-meta' },
          h('strong', null, store.choiceLabel('verification_methods', inc.verification_method)),
          ` · ${fullDateTime(inc.verified_at)}`,
          inc.verified_by ? ` · by ${inc.verified_by}` : null),
        para(inc.verification_notes, 'No verification notes.')));
    } else if (inc.status === 'resolved') {
      blocks.push(h('div', { class: 'notice' }, 'Resolved but not yet verified: confirm the service works (monitoring, a functional test or the reporter) before closing.'));
    }
    if (inc.closed_at) {
      blocks.push(section('Closure',
        h('p', { class: 'block-meta' }, fullDateTime(inc.closed_at), inc.closed_by ? ` · by ${inc.closed_by}` : null),
        para(inc.closure_notes, 'No closure notes.')));
    }
    patch(mainCol, blocks);
  }

  function fact(label, ...value) {
    return [h('dt', null, label), h('dd', null, ...value)];
  }

  function renderFacts(inc) {
    const overridden = inc.priority !== inc.computed_priority || !!inc.priority_override_reason;
    const none = (text) => h('span', { class: 'muted' }, text);
    patch(
      aside,
      h('dl', { class: 'facts' },
        fact('Priority',
          priorityPill(inc.priority, store.choiceLabel('priorities', inc.priority)),
          overridden ? h('div', { class: 'fact-note' }, `Overridden; the matrix gives ${inc.computed_priority}.`) : null,
          overridden && inc.priority_override_reason ? h('div', { class: 'fact-note prose' }, inc.priority_override_reason) : null),
        fact('Impact', store.choiceLabel('impacts', inc.impact)),
        fact('Urgency', store.choiceLabel('urgencies', inc.urgency)),
        fact('Status', store.choiceLabel('statuses', inc.status)),
        fact('Service', inc.service_name),
        fact('Category', inc.category_name),
        fact('Assignee', inc.assignee_name || none('Nobody')),
        fact('Team', inc.team_name || none('No team')),
        fact('Escalation', inc.escalation_level > 0 ? `Level ${inc.escalation_level}` : none('Not escalated')),
        fact('Reporter', inc.reporter_name || none('Unknown'), inc.reporter_contact ? h('div', { class: 'muted' }, inc.reporter_contact) : null),
        fact('Channel', store.choiceLabel('channels', inc.channel)),
        fact('Started', dateTime(inc.started_at)),
        fact('Logged', dateTime(inc.logged_at), inc.created_by ? h('div', { class: 'muted' }, `by ${inc.created_by}`) : null),
        fact('Acknowledged', inc.acknowledged_at ? dateTime(inc.acknowledged_at) : none('Not yet')),
        inc.resolved_at ? fact('Resolved', dateTime(inc.resolved_at)) : null,
        inc.verified_at ? fact('Verified', dateTime(inc.verified_at)) : null,
        inc.closed_at ? fact('Closed', dateTime(inc.closed_at)) : null,
        fact('Reopened', inc.reopen_count > 0 ? `${inc.reopen_count} ${inc.reopen_count === 1 ? 'time' : 'times'}` : none('Never')),
        fact('Last update', dateTime(inc.updated_at), inc.updated_by ? h('div', { class: 'muted' }, `by ${inc.updated_by}`) : null),
        fact('Version', h('span', { class: 'mono', testid: 'detail-version' }, String(inc.version))),
      ),
    );
  }

  function renderTimeline(events) {
    const ordered = [...events].sort((a, b) => {
      const t = new Date(a.at).getTime() - new Date(b.at).getTime();
      return t !== 0 ? t : a.id - b.id;
    });
    patch(
      timelineSlot,
      h('h2', null, 'Timeline ', h('span', { class: 'muted count' }, String(ordered.length))),
      ordered.length === 0
        ? h('p', { class: 'muted' }, 'No events recorded.')
        : h('ol', { class: 'timeline', testid: 'timeline' },
          ordered.map((ev) => h(
            'li',
            { class: ['timeline-entry', `tl-${ev.kind}`], testid: 'timeline-entry', 'data-kind': ev.kind },
            h('div', { class: 'tl-head' },
              h('time', { datetime: ev.at, class: 'tl-time num' }, fullDateTime(ev.at)),
              h('span', { class: 'tl-actor' }, ev.actor)),
            h('div', { class: 'tl-summary' }, ev.summary,
              // A due time's note ("P1 Critical target") is short: it stays on the summary's line.
              ev.detail && ev.kind === 'sla_due' ? h('span', { class: 'tl-note' }, ` · ${ev.detail}`) : null),
            ev.detail && ev.kind !== 'sla_due' ? h('div', { class: 'tl-detail prose' }, ev.detail) : null,
          ))),
    );
  }

  // ---- errors -------------------------------------------------------------------------------
  function clearActionError() {
    clear(errorSlot);
  }

  function showActionError(error) {
    const title = {
      invalid_transition: 'Not allowed now',
      conflict: 'Changed by someone else',
      validation: 'Check the form',
      not_found: 'Not found',
    }[error.code] || 'Something went wrong';
    replace(
      errorSlot,
      h('div', { class: 'action-error', role: 'alert', testid: 'action-error', 'data-code': error.code || '' },
        h('strong', null, `${title}: `),
        h('span', null, error.message),
        error.code === 'conflict'
          ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => { clearActionError(); load(); } }, 'Reload incident')
          : null),
    );
  }

  // ---- actions -------------------------------------------------------------------------------
  async function runAction(name) {
    if (!detail) return;
    clearActionError();
    if (name === 'pause' && pauseBlocked(detail)) {
      showActionError({ code: 'validation', message: pauseBlocked(detail) });
      return;
    }
    if (name === 'resume') {
      closePanel();
      const inc = detail.incident;
      try {
        const result = await api.resumeIncident(inc.id, inc.version);
        if (disposed) return;
        show(result);
        ctx.toast(`SLA clocks of ${inc.number} resumed.`);
      } catch (error) {
        if (!disposed) showActionError(error);
      }
      return;
    }
    if (name === 'acknowledge') {
      closePanel();
      const inc = detail.incident;
      try {
        const result = await api.acknowledgeIncident(inc.id, inc.version);
        if (disposed) return;
        show(result);
        ctx.toast(`${inc.number} acknowledged.`);
      } catch (error) {
        if (!disposed) showActionError(error);
      }
      return;
    }
    if (panel && panel.name === name) {
      closePanel();
      return;
    }
    openPanel(name);
  }

  function closePanel() {
    panel = null;
    clear(panelSlot);
    if (detail) renderActions(detail.incident);
  }

  function openPanel(name) {
    const form = FORMS[name]();
    panel = { name, form };
    replace(panelSlot, form);
    renderActions(detail.incident);
    const first = form.querySelector('input:not([type="hidden"]), select, textarea');
    if (first) first.focus();
  }

  /**
   * An inline action form. `body` is its fields; `send(inc)` performs the call with the version
   * shown and returns the new IncidentDetail.
   */
  function actionForm({ name, title, intro, body, submitLabel, submitTestid, send, done }) {
    const slot = h('div', { class: 'form-errors' });
    const form = h(
      'form',
      {
        class: ['action-form', `action-form-${name}`],
        testid: `form-${name}`,
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          clearErrors(form);
          clear(slot);
          clearActionError();
          await busy(form, async () => {
            try {
              const result = await send(detail.incident);
              if (result === undefined) return; // the form refused before calling the core
              if (disposed) return;
              panel = null;
              clear(panelSlot);
              show(result);
              if (done) ctx.toast(done(result.incident));
            } catch (error) {
              if (disposed) return;
              if (error.field) showFieldError(form, error.field, error.message);
              showActionError(error);
            }
          });
        },
      },
      h('div', { class: 'action-form-head' },
        h('h3', null, title),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: closePanel, 'aria-label': 'Close form' }, 'Cancel ', kbd('Esc'))),
      intro ? h('p', { class: 'field-hint' }, intro) : null,
      slot,
      body,
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', testid: submitTestid }, submitLabel),
        h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'))),
    );
    form.errorSlot = slot;
    return submitOnCtrlEnter(form);
  }

  const FORMS = {
    pause() {
      const inc = detail.incident;
      const reasons = (detail.sla && detail.sla.pause_reasons) || [];
      const reason = select({
        testid: 'pause-reason',
        items: reasons.map((r) => ({ value: r, label: r })),
        value: reasons.length === 1 ? reasons[0] : '',
        placeholder: 'Choose a reason…',
      });
      return actionForm({
        name: 'pause',
        title: `Pause the SLA clocks of ${inc.number}`,
        intro: `While paused neither the response nor the resolution clock counts. The ${inc.priority} policy allows only these reasons; the pause and its reason are recorded on the timeline.`,
        body: h('div', { class: 'form-row' }, field({ key: 'reason', label: 'Reason', control: reason }), h('div')),
        submitLabel: 'Pause clocks',
        submitTestid: 'pause-submit',
        send: (cur) => api.pauseIncident(cur.id, cur.version, reason.value),
        done: (i) => `SLA clocks of ${i.number} paused.`,
      });
    },

    assign() {
      const inc = detail.incident;
      const person = select({ testid: 'assign-person', items: recordItems(store.people()), value: inc.assignee_id, placeholder: 'Nobody' });
      const team = select({ testid: 'assign-team', items: recordItems(store.teams()), value: inc.team_id, placeholder: 'No team' });
      person.addEventListener('change', () => {
        const p = store.byId(store.people(), person.value);
        if (p && p.team_id && !team.value) team.value = String(p.team_id);
      });
      return actionForm({
        name: 'assign',
        title: `Assign ${inc.number}`,
        intro: 'Give the incident to a person, a team, or both. Picking a person fills in their team when none is set.',
        body: h('div', { class: 'form-row' },
          field({ key: 'assignee_id', label: 'Person', control: person }),
          field({ key: 'team_id', label: 'Team', control: team })),
        submitLabel: 'Assign',
        submitTestid: 'assign-submit',
        send: (cur) => api.assignIncident(cur.id, cur.version, idOrNull(person.value), idOrNull(team.value)),
        done: (i) => `${i.number} assigned.`,
      });
    },

    note() {
      const inc = detail.incident;
      const text = h('textarea', { testid: 'note-text', rows: '3', placeholder: 'What was checked, found, or told to the user' });
      return actionForm({
        name: 'note',
        title: `Add a note to ${inc.number}`,
        body: field({ key: 'text', label: 'Note', control: text, wide: true }),
        submitLabel: 'Add note',
        submitTestid: 'note-submit',
        send: (cur) => api.addNote(cur.id, cur.version, text.value.trim()),
        done: (i) => `Note added to ${i.number}.`,
      });
    },

    escalate() {
      const inc = detail.incident;
      const kind = choiceSelect('escalation_kinds', { testid: 'escalate-kind', value: 'functional' });
      const team = select({ testid: 'escalate-team', items: recordItems(store.teams()), value: '', placeholder: 'Choose a team…' });
      const person = select({ testid: 'escalate-person', items: recordItems(store.people()), value: '', placeholder: 'Choose a manager…' });
      const reason = h('textarea', { testid: 'escalate-reason', rows: '2', placeholder: 'Why it needs more expertise or authority now' });
      const teamField = field({ key: 'team_id', label: 'Team that takes it over', control: team });
      const personField = field({ key: 'person_id', label: 'Manager engaged', control: person });
      const sync = () => {
        teamField.hidden = kind.value !== 'functional';
        personField.hidden = kind.value !== 'hierarchical';
      };
      kind.addEventListener('change', sync);
      sync();
      return actionForm({
        name: 'escalate',
        title: `Escalate ${inc.number}`,
        intro: inc.escalation_level > 0 ? `Currently at escalation level ${inc.escalation_level}.` : 'Not escalated so far.',
        body: [
          h('div', { class: 'form-row' },
            field({ key: 'kind', label: 'Kind', control: kind, extra: definitionLine('escalation_kinds', kind) }),
            teamField,
            personField),
          field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
        ],
        submitLabel: 'Escalate',
        submitTestid: 'escalate-submit',
        send: (cur) => api.escalateIncident(cur.id, cur.version, {
          kind: kind.value,
          teamId: kind.value === 'functional' ? idOrNull(team.value) : null,
          personId: kind.value === 'hierarchical' ? idOrNull(person.value) : null,
          reason: reason.value.trim(),
        }),
        done: (i) => `${i.number} escalated.`,
      });
    },

    workaround() {
      const inc = detail.incident;
      const text = h('textarea', { testid: 'workaround-text', rows: '3', placeholder: 'How users can keep working until the fix' });
      text.value = inc.workaround || '';
      return actionForm({
        name: 'workaround',
        title: inc.workaround ? `Update the workaround of ${inc.number}` : `Record a workaround for ${inc.number}`,
        intro: 'A workaround restores work for users while the cause is still being fixed.',
        body: field({ key: 'workaround', label: 'Workaround', control: text, wide: true }),
        submitLabel: 'Save workaround',
        submitTestid: 'workaround-submit',
        send: (cur) => api.recordWorkaround(cur.id, cur.version, text.value.trim()),
        done: (i) => `Workaround recorded on ${i.number}.`,
      });
    },

    resolve() {
      const inc = detail.incident;
      const code = choiceSelect('resolution_codes', { testid: 'resolve-code', value: (store.choices('resolution_codes')[0] || {}).value });
      const notes = h('textarea', { testid: 'resolve-notes', rows: '3', placeholder: 'What was done to restore the service' });
      return actionForm({
        name: 'resolve',
        title: `Resolve ${inc.number}`,
        intro: 'Resolving records the fix; the incident is then verified and closed.',
        body: [
          field({ key: 'resolution_code', label: 'Resolution', control: code, extra: definitionLine('resolution_codes', code) }),
          field({ key: 'resolution_notes', label: 'Resolution notes', control: notes, wide: true }),
        ],
        submitLabel: 'Resolve',
        submitTestid: 'resolve-submit',
        send: (cur) => api.resolveIncident(cur.id, cur.version, code.value, notes.value.trim()),
        done: (i) => `${i.number} resolved.`,
      });
    },

    verify() {
      const inc = detail.incident;
      const method = choiceSelect('verification_methods', { testid: 'verify-method', value: (store.choices('verification_methods')[0] || {}).value });
      const notes = h('textarea', { testid: 'verify-notes', rows: '2', placeholder: 'What showed the service works again' });
      return actionForm({
        name: 'verify',
        title: `Verify the resolution of ${inc.number}`,
        intro: 'Confirm that normal service is restored before closing.',
        body: [
          field({ key: 'method', label: 'How it was verified', control: method, extra: definitionLine('verification_methods', method) }),
          field({ key: 'notes', label: 'Verification notes', control: notes, wide: true }),
        ],
        submitLabel: 'Verify',
        submitTestid: 'verify-submit',
        send: (cur) => api.verifyResolution(cur.id, cur.version, method.value, notes.value.trim()),
        done: (i) => `${i.number} verified.`,
      });
    },

    close() {
      const inc = detail.incident;
      const notes = h('textarea', { testid: 'close-notes', rows: '2', placeholder: 'Final documentation: cause, follow-ups, lessons' });
      return actionForm({
        name: 'close',
        title: `Close ${inc.number}`,
        intro: inc.verified_at
          ? 'Closing is final; the incident can still be reopened if the problem returns.'
          : 'This resolution is not verified yet. The desk only closes verified incidents.',
        body: field({ key: 'closure_notes', label: 'Closure notes', control: notes, wide: true }),
        submitLabel: 'Close incident',
        submitTestid: 'close-submit',
        send: (cur) => api.closeIncident(cur.id, cur.version, notes.value.trim()),
        done: (i) => `${i.number} closed.`,
      });
    },

    reopen() {
      const inc = detail.incident;
      const reason = h('textarea', { testid: 'reopen-reason', rows: '2', placeholder: 'What shows the problem is back or was not fixed' });
      return actionForm({
        name: 'reopen',
        title: `Reopen ${inc.number}`,
        body: field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
        submitLabel: 'Reopen',
        submitTestid: 'reopen-submit',
        send: (cur) => api.reopenIncident(cur.id, cur.version, reason.value.trim()),
        done: (i) => `${i.number} reopened.`,
      });
    },

    edit() {
      const inc = detail.incident;
      const initial = valuesOf(inc);
      const fields = incidentFields(initial, { mode: 'edit' });
      const form = actionForm({
        name: 'edit',
        title: `Edit ${inc.number}`,
        intro: 'Only the fields you change are sent; each change appears on the timeline.',
        body: h('div', { class: 'form-columns' },
          h('div', { class: 'form-col' }, fields.what, fields.who),
          h('div', { class: 'form-col' }, fields.priority)),
        submitLabel: 'Save changes',
        submitTestid: 'edit-submit',
        send: async (cur) => {
          const changes = diff(initial, fields.read());
          if (Object.keys(changes).length === 0) {
            showFormError(form.errorSlot, 'Nothing changed.');
            return undefined;
          }
          return api.updateIncident(cur.id, cur.version, changes);
        },
        done: (i) => `Changes to ${i.number} saved.`,
      });
      return form;
    },
  };

  // ---- lifecycle ------------------------------------------------------------------------------
  load();
  const ticker = setInterval(() => { if (detail) renderHead(detail.incident); }, 30000);
  const tickOff = onTick((now) => { for (const fn of liveUpdates) fn(now); });
  // Working-time clocks do not follow the wall clock: ask the core again now and then.
  const slaPoll = setInterval(() => {
    if (!detail || !detail.sla || panel) return;
    const inc = detail.incident;
    if (detail.sla.clocks.some((c) => ticking(c, inc) && !linear(c))) load();
  }, 60000);

  return {
    unmount() {
      disposed = true;
      clearInterval(ticker);
      clearInterval(slaPoll);
      tickOff();
    },
    onDeskChanged(payload) {
      // Settings (names, SLA policies) and the SLA engine's alerts come without an incident id:
      // either may have changed this incident's clocks or timeline, so reload it too.
      if (payload.incident_id === null || payload.incident_id === undefined) { render(); load(); }
      else if (payload.incident_id === id) load();
    },
    onEscape() {
      if (panel) {
        closePanel();
        return true;
      }
      if (errorSlot.firstChild) {
        clearActionError();
        return true;
      }
      ctx.navigate('#/incidents');
      return true;
    },
    onKey(e) {
      if (!detail) return false;
      const key = e.key.toLowerCase();
      const action = ACTIONS.find((a) => a.key === key && a.show(detail.incident));
      if (!action) return false;
      if (action.name === 'resume') { runAction('resume'); return true; }
      if (action.name === 'acknowledge' || !(panel && panel.name === action.name)) runAction(action.name);
      return true;
    },
  };
}

/** IncidentChanges holding only what differs from the incident as loaded. */
function diff(initial, v) {
  const changes = {};
  for (const key of ['title', 'description', 'reporter_name', 'reporter_contact', 'channel', 'impact', 'urgency']) {
    if (v[key] !== (initial[key] || '').trim()) changes[key] = v[key];
  }
  for (const key of ['category_id', 'service_id']) {
    if (v[key] !== null && String(v[key]) !== String(initial[key])) changes[key] = v[key];
  }
  if (v.started_local && v.started_local !== initial.started_local) changes.started_at = v.started_at;
  const reasonChanged = v.priority_override_reason !== (initial.priority_override_reason || '').trim();
  if (v.priority_override !== initial.priority_override) {
    changes.priority_override = v.priority_override; // '' returns to the matrix
    if (v.priority_override) changes.priority_override_reason = v.priority_override_reason;
  } else if (v.priority_override && reasonChanged) {
    changes.priority_override = v.priority_override;
    changes.priority_override_reason = v.priority_override_reason;
  }
  return changes;
}
