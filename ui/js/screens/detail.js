// screens/detail.js — one incident: its header and facts (with its milestones), the lifecycle
// actions its status allows (each a small inline form that sends the version shown as
// expected_version), the core's refusals shown where they belong (`action-error` or beside the
// field), the major-incident suggestion and panel (declaration, who is engaged, stakeholder
// updates with each audience's next one counting down, the update composer), milestone
// corrections, the way into the post-incident review, the SLA panel (both clocks with live
// countdowns, pauses, the history of due times; pause and resume), and the timeline of every
// recorded event with full local date and time. Reloads on `desk-changed` for this incident; an
// open action form survives the reload.

import { h, replace, patch, clear, option, priorityPill, statusBadge, kbd } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import {
  field, select, choiceSelect, recordItems, definitionLine, clearErrors, showFieldError,
  showFormError, submitOnCtrlEnter, busy, idOrNull,
} from '../forms.js';
import { incidentFields, valuesOf } from '../incidentForm.js';
import {
  count, dateTime, fullDateTime, duration, countdown, minutesText, toLocalText, localTextToIso,
} from '../format.js';
import { onTick, clockLabel, stateLabel, localTimeZone } from '../sla.js';
import { actionStatusLabel } from './review.js';

const FINISHED = ['resolved', 'closed'];
const WORKING = ['new', 'assigned', 'in_progress'];

/** Whether a major incident can be declared: not yet declared, and the incident is being worked. */
const canDeclare = (d) => !!d && !d.major && WORKING.includes(d.incident.status);
/** Whether the criteria of a major incident hold (the suggestion banner then offers Declare). */
const suggested = (d) => canDeclare(d) && (d.major_criteria || []).length > 0;
const reviewStatusLabel = (status) => (status === 'final' ? 'Final' : 'Draft');

/**
 * Which actions an incident offers: `show(incident, detail)` says whether the action (and its key)
 * is available, `bar` whether its button sits in the action bar (Declare moves into the suggestion
 * banner while the criteria hold). The core still decides; these only avoid dead buttons.
 */
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
  // Major incidents: D declares (from the banner while the criteria hold), T tells stakeholders.
  { name: 'declare-major', label: 'Declare major incident', key: 'd', quiet: true, show: (i, d) => canDeclare(d), bar: (i, d) => !suggested(d) },
  { name: 'update', testid: 'action-send-update', label: 'Send update', key: 't', show: (i, d) => !!(d && d.major) && i.status !== 'closed' },
  { name: 'correct', testid: 'action-correct-milestone', label: 'Correct milestones', key: 'l', show: () => true },
  // The post-incident review: O starts it, or opens it once it exists.
  { name: 'create-review', label: 'Start post-incident review', key: 'o', direct: true, show: (i, d) => !!d && !d.review_status },
  { name: 'open-review', label: (i, d) => `Open review · ${reviewStatusLabel(d.review_status)}`, key: 'o', direct: true, show: (i, d) => !!d && !!d.review_status },
];

const MILESTONES = [
  { value: 'started', label: 'Started', field: 'started_at', hint: 'When the disruption began for users.' },
  { value: 'detected', label: 'Detected', field: 'detected_at', hint: 'When it was noticed (a monitoring alert, the first call): between Started and Logged.' },
  { value: 'workaround_available', label: 'Workaround available', field: 'workaround_at', hint: 'When users could work again by the workaround.' },
  { value: 'resolved', label: 'Resolved', field: 'resolved_at', hint: 'When the service was restored.' },
];

/** What an event's detail text is, where it is not obvious. */
const DETAIL_LABELS = {
  stakeholder_update: 'Exactly as sent',
  major_declared: 'Reason',
  milestone_corrected: 'Reason',
};


/** Copies text to the clipboard; falls back to a hidden textarea where the API is refused. */
async function copyText(text) {
  try {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (e) {
    // fall through to the old way
  }
  const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true', readonly: true });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch (e) {
    ok = false;
  }
  area.remove();
  return ok;
}

/** A mailto: URL with the recipients, subject and body (line breaks as CRLF), all encoded. */
function mailtoUrl(recipients, subject, body) {
  const enc = (text) => encodeURIComponent(text);
  const to = (recipients || '').split(/[,;\s]+/).filter(Boolean).map((a) => enc(a).replace(/%40/g, '@')).join(',');
  return `mailto:${to}?subject=${enc(subject)}&body=${enc(body.replace(/\r?\n/g, '\r\n'))}`;
}

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
  let majorLive = []; // functions(now) that count down the next stakeholder updates
  let majorInfo = null; // MajorView of a declared major incident
  let majorSeq = 0;
  let lastSent = null; // the update just sent: {audience, recipients, subject, body}
  let bannerButton = null; // Declare in the suggestion banner
  let comm = null; // communication settings (audiences, templates) for the composer

  const head = h('header', { class: 'detail-head' });
  const actionBar = h('div', { class: 'action-bar', role: 'toolbar', 'aria-label': 'Actions' });
  const errorSlot = h('div', { class: 'action-error-slot' });
  const panelSlot = h('div', { class: 'action-panel-slot' });
  const mainCol = h('div', { class: 'detail-main' });
  const slaSlot = h('div', { class: 'sla-slot' });
  const majorSlot = h('div', { class: 'major-slot' });
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
    h('div', { class: 'detail-body' }, h('div', { class: 'detail-col' }, majorSlot, slaSlot, mainCol, timelineSlot), aside),
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
    if (!detail.major) majorInfo = null;
    render();
    loadMajor();
  }

  // ---- rendering ----------------------------------------------------------------------------
  function render() {
    if (!detail) return;
    const inc = detail.incident;
    ctx.setTitle(`${inc.number} ${inc.title}`);
    renderHead(inc);
    renderActions(inc);
    renderMajor();
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
        detail && detail.major ? h('span', { class: 'tag tag-major', testid: 'major-badge', title: `Declared ${fullDateTime(detail.major.declared_at)} by ${detail.major.declared_by}` }, 'Major incident') : null,
        detail && detail.review_status ? h('span', { class: 'tag', testid: 'detail-review-status' }, `Review: ${reviewStatusLabel(detail.review_status)}`) : null,
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
    const buttons = ACTIONS.filter((a) => a.show(inc, detail) && (!a.bar || a.bar(inc, detail))).map((a) => {
      const off = a.name === 'pause' && blocked;
      const label = typeof a.label === 'function' ? a.label(inc, detail) : a.label;
      const button = h('button', {
        type: 'button',
        class: ['btn', a.name === primary && 'btn-primary', a.quiet && 'btn-quiet', panel && panel.name === a.name && 'is-open'],
        testid: a.testid || `action-${a.name}`,
        title: off ? blocked : a.key ? `${label} (${a.key.toUpperCase()})` : label,
        disabled: !!off,
        'aria-expanded': a.name === 'acknowledge' || a.name === 'resume' || a.direct ? null : String(!!(panel && panel.name === a.name)),
        onclick: () => runAction(a.name),
      }, label, a.key ? h('kbd', { class: 'btn-key', 'aria-hidden': 'true' }, a.key.toUpperCase()) : null);
      // A disabled button shows no tooltip in every engine: its wrapper carries the explanation.
      return off ? h('span', { class: 'btn-wrap', title: blocked, tabindex: '0', 'aria-label': blocked }, button) : button;
    });
    patch(actionBar, buttons);
    if (bannerButton) {
      const open = !!(panel && panel.name === 'declare-major');
      bannerButton.classList.toggle('is-open', open);
      bannerButton.setAttribute('aria-expanded', String(open));
    }
  }

  // ---- major incident ----------------------------------------------------------------------------
  /** The suggestion banner while the criteria hold, the major-incident panel once declared. */
  function renderMajor() {
    majorLive = [];
    bannerButton = null;
    if (!detail) return;
    if (detail.major) {
      replace(majorSlot, majorPanel(detail.major, majorInfo));
    } else if (suggested(detail)) {
      replace(majorSlot, suggestionBanner(detail.major_criteria));
    } else {
      clear(majorSlot);
    }
  }

  function suggestionBanner(criteria) {
    bannerButton = h('button', {
      type: 'button',
      class: 'btn btn-danger',
      testid: 'action-declare-major',
      title: 'Declare major incident (D)',
      'aria-expanded': String(!!(panel && panel.name === 'declare-major')),
      onclick: () => runAction('declare-major'),
    }, 'Declare major incident', h('kbd', { class: 'btn-key', 'aria-hidden': 'true' }, 'D'));
    return h('section', { class: 'major-suggestion', testid: 'major-suggestion', role: 'region', 'aria-label': 'Major incident suggested' },
      h('div', { class: 'major-suggestion-text' },
        h('h2', null, 'This looks like a major incident'),
        h('p', null, criteria.length === 1 ? 'A criterion of a major incident holds now:' : 'These criteria of a major incident hold now:'),
        h('ul', { class: 'major-criteria' }, criteria.map((c) => h('li', { testid: 'major-criterion', 'data-code': c.code }, c.text))),
        h('p', { class: 'small muted' }, 'Declaring hands control to a major incident manager, opens a crisis bridge and starts stakeholder updates every 15–30 minutes.')),
      h('div', { class: 'major-suggestion-action' }, bannerButton));
  }

  function majorPanel(rec, info) {
    const inc = detail.incident;
    const none = (text) => h('span', { class: 'muted' }, text);
    const updates = info ? info.updates : [];
    const lastOf = (audienceId) => updates.filter((u) => u.audience_id === audienceId).slice(-1)[0] || null;

    let nextBlock;
    if (!info) {
      nextBlock = h('p', { class: 'muted small' }, 'Loading…');
    } else if (info.next_updates.length === 0) {
      nextBlock = h('p', { class: 'muted small', testid: 'next-updates-none' },
        WORKING.includes(inc.status)
          ? 'No active audience: add one in Settings → Communication.'
          : `No further updates are due: the incident is ${store.choiceLabel('statuses', inc.status).toLowerCase()}.`);
    } else {
      nextBlock = h('ul', { class: 'next-updates' }, info.next_updates.map((n) => {
        const last = lastOf(n.audience_id);
        const left = h('strong', { class: 'next-update-left num', testid: 'next-update-countdown' });
        const item = h('li', { class: 'next-update', testid: 'next-update', 'data-audience': n.audience, 'data-audience-id': n.audience_id },
          h('div', { class: 'next-update-head' },
            h('span', { class: 'next-update-audience' }, n.audience),
            left),
          h('div', { class: 'small muted' },
            'Due ', h('time', { datetime: n.due_at, class: 'num' }, fullDateTime(n.due_at)),
            ' · last sent ',
            last ? h('time', { datetime: last.sent_at, class: 'num' }, fullDateTime(last.sent_at)) : 'none since the declaration'));
        const due = new Date(n.due_at).getTime();
        const tick = (now) => {
          const ms = due - now;
          left.textContent = ms < 0 ? countdown(ms, false) : `in ${countdown(ms)}`;
          item.classList.toggle('is-overdue', ms < 0);
        };
        majorLive.push(tick);
        tick(Date.now());
        return item;
      }));
    }

    const sentBox = lastSent ? sentNotice(lastSent) : null;

    const updateList = !info
      ? null
      : updates.length === 0
        ? h('p', { class: 'muted small' }, 'No update sent yet. The reference: proactive communication every 15–30 minutes, even if nothing has changed.')
        : h('ol', { class: 'update-list', testid: 'update-list' }, [...updates].reverse().map((u) => h('li', { class: 'update-item', testid: 'update-item', 'data-audience': u.audience },
          h('div', { class: 'update-head' },
            h('time', { datetime: u.sent_at, class: 'num' }, fullDateTime(u.sent_at)),
            h('span', { class: 'update-audience' }, u.audience),
            h('span', { class: 'muted' }, `by ${u.sent_by}`),
            u.template ? h('span', { class: 'muted' }, `· template ${u.template}`) : null,
            u.recipients ? h('span', { class: 'muted break' }, `· to ${u.recipients}`) : null),
          h('div', { class: 'update-subject', testid: 'update-item-subject' }, u.subject),
          h('div', { class: 'update-body prose', testid: 'update-item-body' }, u.body))));

    const actions = info ? info.open_actions : [];
    return h('section', { class: 'block major-panel', testid: 'major-panel', 'aria-label': 'Major incident' },
      h('div', { class: 'major-panel-head' },
        h('h2', null, 'Major incident'),
        h('span', { class: 'muted small' }, 'declared ',
          h('time', { datetime: rec.declared_at, class: 'num', testid: 'major-declared-at' }, fullDateTime(rec.declared_at)),
          ` by ${rec.declared_by}`)),
      h('div', { class: 'major-grid' },
        h('dl', { class: 'facts facts-wide major-facts' },
          h('dt', null, 'Reason'), h('dd', { class: 'prose', testid: 'major-reason' }, rec.reason),
          h('dt', null, 'Criteria met'), h('dd', { testid: 'major-criteria' },
            rec.criteria.length
              ? h('ul', { class: 'major-criteria' }, rec.criteria.map((c) => h('li', { 'data-code': c.code }, c.text)))
              : none('None held when declared (declared on judgement)')),
          h('dt', null, 'Manager'), h('dd', { testid: 'major-manager' }, rec.manager_name),
          h('dt', null, 'Crisis bridge'), h('dd', { class: 'break mono', testid: 'major-bridge' }, rec.bridge),
          h('dt', null, 'Emergency change'), h('dd', { testid: 'major-change' }, rec.emergency_change || none('None'))),
        h('div', { class: 'major-engaged' },
          h('h3', null, 'Engaged'),
          !info ? h('p', { class: 'muted small' }, 'Loading…')
            : h('ul', { class: 'engaged-list', testid: 'major-engaged' }, info.engaged.map(([role, name]) => h('li', { testid: 'major-engaged-item' },
              h('span', { class: 'muted' }, `${role}: `), h('strong', null, name)))))),
      h('div', { class: 'major-sub', testid: 'next-updates' },
        h('div', { class: 'major-sub-head' },
          h('h3', null, 'Next stakeholder updates'),
          inc.status !== 'closed'
            ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => runAction('update') }, 'Send update ', kbd('T'))
            : null),
        nextBlock),
      sentBox,
      h('div', { class: 'major-sub' },
        h('h3', null, 'Updates sent ', h('span', { class: 'muted count' }, String(updates.length))),
        updateList || h('p', { class: 'muted small' }, 'Loading…')),
      h('div', { class: 'major-sub', testid: 'major-open-actions' },
        h('div', { class: 'major-sub-head' },
          h('h3', null, 'Open actions'),
          detail.review_status
            ? h('a', { class: 'btn btn-small', href: `#/incident/${id}/review` }, `Post-incident review (${reviewStatusLabel(detail.review_status)}) `, kbd('O'))
            : null),
        !info ? h('p', { class: 'muted small' }, 'Loading…')
          : actions.length === 0
            ? h('p', { class: 'muted small' }, detail.review_status ? 'No open action items in the review.' : 'None yet: action items come from the post-incident review.')
            : h('ul', { class: 'open-actions' }, actions.map((a) => h('li', { testid: 'major-open-action' },
              h('span', null, a.text),
              h('span', { class: 'muted' }, ` · ${a.owner_name || 'no owner'}${a.due_date ? ` · due ${a.due_date}` : ''} · ${actionStatusLabel(a.status)}`))))));
  }

  /** The update just sent: copy it, or hand it to the mail program as a draft. */
  function sentNotice(sent) {
    const text = `${sent.subject}\n\n${sent.body}`;
    return h('div', { class: 'update-sent', testid: 'update-sent', role: 'status' },
      h('div', null,
        h('strong', null, `Recorded as sent to ${sent.audience}`),
        h('span', { class: 'muted' }, sent.recipients ? ` · ${sent.recipients}` : ' · no recipients on file')),
      h('p', { class: 'small muted' }, 'The desk records the update; deliver it with your mail or chat program:'),
      h('div', { class: 'form-actions' },
        h('button', {
          type: 'button', class: 'btn btn-small', testid: 'update-copy',
          onclick: async (e) => {
            const ok = await copyText(text);
            e.currentTarget.textContent = ok ? 'Copied' : 'Copy failed';
            ctx.toast(ok ? 'Subject and text copied.' : 'The clipboard refused; select the text in the list below.');
          },
        }, 'Copy'),
        // target=_blank: a mailto: followed in this window would replace the app with an error page.
        h('a', {
          class: 'btn btn-small', testid: 'update-mailto', href: mailtoUrl(sent.recipients, sent.subject, sent.body),
          target: '_blank', rel: 'noopener noreferrer',
          onclick: async (e) => {
            e.preventDefault();
            const href = e.currentTarget.href;
            try {
              if (await api.openExternal(href)) return;
              ctx.toast('This window cannot start your mail program: use Copy, and paste into a new e-mail.');
            } catch (error) {
              ctx.toast(`The mail program could not be opened: ${error.message}`);
            }
          },
        }, 'Open as e-mail draft'),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => { lastSent = null; renderMajor(); } }, 'Dismiss')));
  }

  async function loadMajor() {
    const mine = ++majorSeq;
    if (!detail || !detail.major) {
      majorInfo = null;
      return;
    }
    try {
      const info = await api.majorView(id);
      if (disposed || mine !== majorSeq) return;
      majorInfo = info;
      renderMajor();
    } catch (error) {
      if (!disposed && mine === majorSeq) showActionError(error);
    }
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

  /** A milestone in the facts: its local date and time, or `empty` when it has none. */
  function milestone(label, testid, at, note = null, empty = '—') {
    return fact(label,
      at ? h('time', { datetime: at, class: 'num', testid, title: fullDateTime(at) }, dateTime(at)) : h('span', { class: 'muted', testid }, empty),
      at && note ? h('div', { class: 'muted' }, note) : null);
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
        fact('Users affected', inc.users_affected === null || inc.users_affected === undefined
          ? none('Not estimated') : h('span', { class: 'num', testid: 'fact-users' }, count(inc.users_affected))),
        h('dt', { class: 'facts-group' }, 'Milestones'), h('dd', { class: 'facts-group' }),
        milestone('Started', 'fact-started', inc.started_at),
        milestone('Detected', 'fact-detected', inc.detected_at, `by ${store.choiceLabel('channels', inc.channel).toLowerCase()}`),
        milestone('Logged', 'fact-logged', inc.logged_at, inc.created_by ? `by ${inc.created_by}` : null),
        fact('Acknowledged', inc.acknowledged_at ? dateTime(inc.acknowledged_at) : none('Not yet')),
        milestone('Workaround available', 'fact-workaround', inc.workaround_at, null, inc.workaround ? 'Time not recorded' : 'None'),
        milestone('Resolved', 'fact-resolved', inc.resolved_at, null, 'Not yet'),
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
            ev.detail && ev.kind !== 'sla_due'
              ? h('div', { class: 'tl-detail prose' },
                DETAIL_LABELS[ev.kind] ? h('span', { class: 'tl-detail-label' }, DETAIL_LABELS[ev.kind]) : null,
                ev.detail)
              : null,
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
    if (name === 'open-review') {
      ctx.navigate(`#/incident/${id}/review`);
      return;
    }
    if (name === 'create-review') {
      closePanel();
      try {
        await api.createReview(id);
        if (disposed) return;
        ctx.toast(`Post-incident review of ${detail.incident.number} started.`);
        ctx.navigate(`#/incident/${id}/review`);
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
      const hadReview = !!detail.review_status;
      const code = choiceSelect('resolution_codes', { testid: 'resolve-code', value: (store.choices('resolution_codes')[0] || {}).value });
      const notes = h('textarea', { testid: 'resolve-notes', rows: '3', placeholder: 'What was done to restore the service' });
      return actionForm({
        name: 'resolve',
        title: `Resolve ${inc.number}`,
        intro: detail.major && !detail.review_status
          ? 'Resolving records the fix; the incident is then verified and closed. A major incident always gets a post-incident review: a draft opens when it is resolved.'
          : 'Resolving records the fix; the incident is then verified and closed.',
        body: [
          field({ key: 'resolution_code', label: 'Resolution', control: code, extra: definitionLine('resolution_codes', code) }),
          field({ key: 'resolution_notes', label: 'Resolution notes', control: notes, wide: true }),
        ],
        submitLabel: 'Resolve',
        submitTestid: 'resolve-submit',
        send: (cur) => api.resolveIncident(cur.id, cur.version, code.value, notes.value.trim()),
        // A major incident gets its post-incident review opened by the core.
        done: (i) => (!hadReview && detail.review_status
          ? `${i.number} resolved. A draft post-incident review was opened: Open review (O).`
          : `${i.number} resolved.`),
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

    'declare-major'() {
      const inc = detail.incident;
      const criteria = detail.major_criteria || [];
      const managers = store.people().filter((p) => (p.roles || []).includes('major_incident_manager'));
      const reason = h('textarea', { testid: 'declare-reason', rows: '2', placeholder: 'Why this needs the major-incident response now' });
      reason.value = criteria.map((c) => c.text).join('; ');
      const manager = select({
        testid: 'declare-manager',
        items: managers.map((p) => ({ value: String(p.id), label: p.team_name ? `${p.name} (${p.team_name})` : p.name })),
        value: managers.length === 1 ? managers[0].id : '',
        placeholder: managers.length ? 'Choose who takes control…' : 'Nobody holds the role',
      });
      const managerInfo = h('div', { class: 'definition' });
      const updateManager = () => {
        const p = store.byId(store.people(), manager.value);
        managerInfo.textContent = p ? [p.email, p.phone].filter(Boolean).join(' · ') : '';
        managerInfo.hidden = !managerInfo.textContent;
      };
      manager.addEventListener('change', updateManager);
      updateManager();
      const bridge = h('input', { type: 'text', testid: 'declare-bridge', autocomplete: 'off', spellcheck: 'false', placeholder: 'Meeting link or dial-in number' });
      const change = h('input', { type: 'text', testid: 'declare-change', autocomplete: 'off', placeholder: 'e.g. CHG-2041' });
      return actionForm({
        name: 'declare-major',
        title: `Declare ${inc.number} a major incident`,
        intro: criteria.length
          ? `Criteria that hold now: ${criteria.map((c) => c.text).join('; ')}.`
          : 'No major-incident criterion holds now; declare it when the business impact demands the major-incident response anyway.',
        body: [
          field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
          h('div', { class: 'form-row' },
            field({
              key: 'manager_id', label: 'Major incident manager', control: manager, extra: managerInfo,
              hint: managers.length
                ? 'Coordinates the response and keeps stakeholders informed; only people with the major incident manager role are listed.'
                : 'Give someone the major incident manager role in Settings → People first.',
            }),
            field({ key: 'bridge', label: 'Crisis bridge', control: bridge, hint: 'Where everyone involved joins: a meeting link or a phone number.' }),
            field({ key: 'emergency_change', label: 'Emergency change', control: change, optional: true, hint: 'The change record when the fix bypasses normal approval.' })),
        ],
        submitLabel: 'Declare major incident',
        submitTestid: 'declare-submit',
        send: (cur) => api.declareMajor(cur.id, cur.version, {
          reason: reason.value.trim(),
          managerId: idOrNull(manager.value),
          bridge: bridge.value.trim(),
          emergencyChange: change.value.trim(),
        }),
        done: (i) => `${i.number} is a major incident. Send the first stakeholder update (T).`,
      });
    },

    update() {
      const inc = detail.incident;
      const audience = select({ testid: 'update-audience', items: [], placeholder: 'Loading…' });
      const template = select({ testid: 'update-template', items: [], placeholder: 'No template: write it yourself' });
      const recipients = h('div', { class: 'definition break', testid: 'update-recipients', 'aria-live': 'polite' });
      const subject = h('input', { type: 'text', testid: 'update-subject', autocomplete: 'off' });
      const body = h('textarea', { testid: 'update-body', rows: '9' });
      const refill = h('button', { type: 'button', class: 'btn btn-small', testid: 'update-refill', hidden: true }, 'Replace with the template text');
      const draftNote = h('div', { class: 'definition', 'aria-live': 'polite' });
      let drafted = null; // {subject, body} as the template filled them
      let draftSeq = 0;

      const audienceOf = () => (comm ? comm.audiences.find((a) => String(a.id) === audience.value) : null) || null;
      const templateOf = () => (comm ? comm.templates.find((t) => String(t.id) === template.value) : null) || null;
      const untouched = () => (!subject.value.trim() && !body.value.trim())
        || (drafted && subject.value === drafted.subject && body.value === drafted.body);
      const showRecipients = (text) => {
        const a = audienceOf();
        recipients.textContent = a
          ? `To: ${text || a.recipients || 'no recipients on file'} · every ${minutesText(a.cadence_minutes)}`
          : '';
        recipients.hidden = !a;
      };
      async function fillDraft(force) {
        showRecipients(null);
        const a = audienceOf();
        const t = templateOf();
        refill.hidden = true;
        if (!a || !t) return;
        const mine = ++draftSeq;
        try {
          const d = await api.draftUpdate(inc.id, t.id, a.id);
          if (disposed || mine !== draftSeq) return;
          showRecipients(d.recipients);
          if (force || untouched()) {
            subject.value = d.subject;
            body.value = d.body;
            drafted = { subject: d.subject, body: d.body };
            draftNote.textContent = `Filled from “${t.name}”; edit it before sending.`;
          } else {
            refill.hidden = false;
            refill.onclick = () => { subject.value = d.subject; body.value = d.body; drafted = { subject: d.subject, body: d.body }; refill.hidden = true; };
            draftNote.textContent = 'You edited the text: it was kept.';
          }
        } catch (error) {
          if (!disposed && mine === draftSeq) draftNote.textContent = error.message;
        }
      }
      audience.addEventListener('change', () => fillDraft(false));
      template.addEventListener('change', () => fillDraft(false));

      const fill = () => {
        const active = comm.audiences.filter((a) => a.active);
        clear(audience);
        audience.appendChild(option('', active.length ? 'Choose the audience…' : 'No active audience (Settings → Communication)'));
        for (const a of active) audience.appendChild(option(a.id, a.name));
        clear(template);
        template.appendChild(option('', 'No template: write it yourself'));
        for (const t of comm.templates) template.appendChild(option(t.id, t.name));
        // Preselect the audience whose update is due first; the first template for a first update.
        const next = majorInfo && majorInfo.next_updates.length
          ? [...majorInfo.next_updates].sort((x, y) => new Date(x.due_at) - new Date(y.due_at))[0] : null;
        if (next && active.some((a) => a.id === next.audience_id)) audience.value = String(next.audience_id);
        // The template used last time, or the first one for a first update.
        const used = majorInfo && majorInfo.updates.length ? majorInfo.updates[majorInfo.updates.length - 1].template : null;
        const t = comm.templates.find((x) => x.name === used) || comm.templates[0];
        if (t) template.value = String(t.id);
        fillDraft(false);
      };
      if (comm) setTimeout(fill, 0);
      else {
        api.communicationSettings().then((c) => { comm = c; if (!disposed) fill(); })
          .catch((error) => { if (!disposed) showActionError(error); });
      }

      return actionForm({
        name: 'update',
        title: `Stakeholder update on ${inc.number}`,
        intro: 'Choose the audience and a template, then edit the text. Sending records exactly this text, by you, now; deliver it with Copy or as an e-mail draft afterwards.',
        body: [
          h('div', { class: 'form-row' },
            field({ key: 'audience_id', label: 'Audience', control: audience, extra: recipients }),
            field({ key: 'template_id', label: 'Template', control: template, extra: draftNote })),
          field({ key: 'subject', label: 'Subject', control: subject, wide: true }),
          field({ key: 'body', label: 'Text', control: body, wide: true, extra: refill }),
        ],
        submitLabel: 'Record as sent',
        submitTestid: 'update-submit',
        send: async (cur) => {
          const a = audienceOf();
          const t = templateOf();
          const input = { audienceId: a ? a.id : null, template: t ? t.name : null, subject: subject.value.trim(), body: body.value.trim() };
          const result = await api.sendUpdate(cur.id, input);
          lastSent = { audience: a ? a.name : '', recipients: (a && a.recipients) || '', subject: input.subject, body: input.body };
          return result;
        },
        done: () => `Update to ${lastSent ? lastSent.audience : 'the audience'} recorded. Copy it or open it as an e-mail draft.`,
      });
    },

    correct() {
      const inc = detail.incident;
      const items = MILESTONES.filter((m) => m.value !== 'resolved' || inc.resolved_at);
      const which = select({ testid: 'correct-milestone', items: items.map((m) => ({ value: m.value, label: m.label })), value: 'detected' });
      const zone = localTimeZone();
      const offset = -new Date().getTimezoneOffset();
      const offsetText = `UTC${offset >= 0 ? '+' : '−'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
      const at = h('input', {
        type: 'text', testid: 'correct-at', autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric',
        placeholder: 'YYYY-MM-DD HH:MM', maxlength: '19', class: 'time-input',
      });
      const now = h('div', { class: 'definition', testid: 'correct-current', 'aria-live': 'polite' });
      const reading = h('div', { class: 'definition', 'aria-live': 'polite' });
      const reason = h('textarea', { testid: 'correct-reason', rows: '2', placeholder: 'Where the right time comes from, e.g. the monitoring alert at 09:12' });
      let prefilled = '';
      const sync = () => {
        const m = MILESTONES.find((x) => x.value === which.value);
        const value = m ? inc[m.field] : null;
        now.textContent = `${m ? m.hint : ''} Recorded now: ${value ? fullDateTime(value) : 'not set'}.`;
        if (!at.value || at.value === prefilled) {
          prefilled = value ? toLocalText(value) : '';
          at.value = prefilled;
        }
        readBack();
      };
      const readBack = () => {
        const iso = localTextToIso(at.value);
        reading.textContent = at.value.trim() === '' ? '' : iso ? `Reads as ${fullDateTime(iso)} (your local time)` : 'Write it as YYYY-MM-DD HH:MM, e.g. 2026-03-02 09:05';
      };
      which.addEventListener('change', sync);
      at.addEventListener('input', readBack);
      sync();
      return actionForm({
        name: 'correct',
        title: `Correct a milestone of ${inc.number}`,
        intro: 'The review’s figures (time to detect, impact duration) come from these milestones. A correction keeps the old time on the timeline with your reason.',
        body: [
          h('div', { class: 'form-row' },
            field({ key: 'milestone', label: 'Milestone', control: which, extra: now }),
            field({
              key: 'at', label: 'Correct time', control: at, extra: reading,
              hint: `Your local time${zone ? ` (${zone}, ${offsetText})` : ` (${offsetText})`}, 24-hour clock: YYYY-MM-DD HH:MM.`,
            })),
          field({ key: 'reason', label: 'Reason', control: reason, wide: true }),
        ],
        submitLabel: 'Correct milestone',
        submitTestid: 'correct-submit',
        send: async (cur) => {
          const iso = localTextToIso(at.value);
          if (!iso) {
            showFieldError(panel.form, 'at', 'Write the time as YYYY-MM-DD HH:MM in your local time, e.g. 2026-03-02 09:05');
            return undefined;
          }
          return api.correctMilestone(cur.id, cur.version, which.value, iso, reason.value.trim());
        },
        done: (i) => `${MILESTONES.find((m) => m.value === which.value).label} of ${i.number} corrected.`,
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
  const tickOff = onTick((now) => { for (const fn of [...liveUpdates, ...majorLive]) fn(now); });
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
      if (payload.incident_id === null || payload.incident_id === undefined) { comm = null; render(); load(); }
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
      const action = ACTIONS.find((a) => a.key === key && a.show(detail.incident, detail));
      if (!action) return false;
      if (action.name === 'resume' || action.direct) { runAction(action.name); return true; }
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
  if (v.users_affected !== null && v.users_affected !== initial.users_affected) changes.users_affected = v.users_affected;
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
