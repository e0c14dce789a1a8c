// screens/review.js — the post-incident review of one incident (route #/incident/<id>/review):
// the figures the core computed from the recorded events (time to detect, acknowledge, resolve,
// impact, SLA outcome, time at each tier, escalations and stakeholder updates against their
// thresholds), the written analysis (editable while draft; once final only through amendments
// with a reason, listed beside the original), the two or three action items, the core's
// warnings, finalising, the integrity box (last event hash, fingerprint) and the PDF export.
// Nothing here computes a figure or a warning: it shows what the core returned.

import { h, replace, patch, clear, priorityPill, statusBadge, kbd } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import {
  field, select, recordItems, clearErrors, showError, showFieldError, showFormError, submitOnCtrlEnter,
  busy, idOrNull, trackDirty,
} from '../forms.js';
import { fullDateTime, dateTime, minutesText, count, dayText, todayIso, isIsoDay, spanText } from '../format.js';
import { clockLabel } from '../sla.js';

/** The written parts of a review, in the order people write them. */
const TEXT_FIELDS = [
  { key: 'summary', label: 'Summary', testid: 'review-summary', rows: 4, hint: 'What happened, to whom and for how long, in a few sentences. Required to finalise.' },
  { key: 'detection', label: 'Detection analysis', testid: 'review-detection', rows: 3, hint: 'How and when it was noticed; could monitoring have caught it sooner?' },
  { key: 'escalation_analysis', label: 'Escalation analysis', testid: 'review-escalation-text', rows: 3, hint: 'Was it escalated to the right team at the right time? What held it up? (The time at each tier is computed below.)' },
  { key: 'communication_analysis', label: 'Communication analysis', testid: 'review-communication-text', rows: 3, hint: 'Were users and stakeholders told early, often and clearly enough? (Update punctuality is computed below.)' },
  { key: 'technical_response', label: 'Technical response', testid: 'review-technical', rows: 3, hint: 'Diagnosis, the decisions taken (workaround or full fix) and what restored the service.' },
  { key: 'went_well', label: 'What went well', testid: 'review-went-well', rows: 3, hint: '' },
  { key: 'went_badly', label: 'What did not go well', testid: 'review-went-badly', rows: 3, hint: 'Process gaps, not people: a review is blameless.' },
  { key: 'problem_ref', label: 'Problem record', testid: 'review-problem', input: true, hint: 'The problem record that investigates the root cause, e.g. PRB-0042.' },
];
const fieldLabel = (key) => (TEXT_FIELDS.find((f) => f.key === key) || { label: key.replace(/_/g, ' ') }).label;

const ACTION_STATUSES = [
  { value: 'open', label: 'Open' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
];
/** An action item's status in words. */
export const actionStatusLabel = (status) => (ACTION_STATUSES.find((s) => s.value === status) || { label: status }).label;


const none = (text) => h('span', { class: 'muted' }, text);


export function mount(root, params, ctx) {
  const id = params.id;
  let rv = null; // ReviewView
  let disposed = false;
  let loadSeq = 0;
  let amending = false; // a final review's text opened for an amendment
  let textForm = null; // the open text form (draft or amendment)
  let actionForm = null; // the open action-item form, {itemId, form}
  let confirming = false; // the finalise confirmation is shown
  let exportNote = null; // {ok, text, status} after an export; shown only while the review is still in that status

  const head = h('header', { class: 'review-head' });
  const errorSlot = h('div', { class: 'action-error-slot' });
  const warnSlot = h('div', { class: 'review-warnings' });
  const figuresSlot = h('div');
  const textSlot = h('div');
  const actionsSlot = h('div');
  const escalationSlot = h('div');
  const commSlot = h('div');
  const amendSlot = h('div');
  const timelineSlot = h('div');
  const afterSlot = h('div');
  const asideSlot = h('aside', { class: 'review-aside', 'aria-label': 'Status, export and integrity' });

  const view = h('section', { class: 'detail review', testid: 'review', 'aria-busy': 'true' },
    h('a', { href: `#/incident/${id}`, class: 'back', testid: 'review-back' }, '‹ Back to the incident'),
    head,
    errorSlot,
    warnSlot,
    h('div', { class: 'detail-body review-body' },
      h('div', { class: 'detail-col' }, figuresSlot, textSlot, actionsSlot, escalationSlot, commSlot, amendSlot, timelineSlot, afterSlot),
      asideSlot));
  root.appendChild(view);

  // ---- loading ---------------------------------------------------------------------------------
  async function load() {
    const mine = ++loadSeq;
    try {
      const result = await api.getReview(id);
      if (disposed || mine !== loadSeq) return;
      show(result);
    } catch (error) {
      if (disposed || mine !== loadSeq) return;
      view.removeAttribute('aria-busy');
      if (rv) {
        showError0(error);
      } else if (error.code === 'not_found') {
        noReview(error);
      } else {
        replace(head, h('h1', null, 'This review could not be opened'));
        replace(errorSlot, h('p', { class: 'form-error', role: 'alert', testid: 'review-error' }, error.message));
      }
    }
  }

  function noReview(error) {
    ctx.setTitle('Post-incident review');
    replace(head,
      h('h1', null, 'No post-incident review yet'),
      h('p', { class: 'muted' }, error.message));
    replace(textSlot, h('div', { class: 'block' },
      h('p', null, 'A review records what happened, what it cost, what went well and what did not, and the two or three actions that will make the next one better.'),
      h('button', {
        type: 'button', class: 'btn btn-primary', testid: 'action-create-review',
        onclick: async () => {
          try {
            show(await api.createReview(id));
            ctx.toast('Post-incident review started.');
          } catch (e) {
            showError0(e);
          }
        },
      }, 'Start post-incident review')));
  }

  function show(result) {
    ++loadSeq;
    rv = result;
    view.removeAttribute('aria-busy');
    render();
  }

  // ---- rendering ---------------------------------------------------------------------------------
  const isFinal = () => rv && rv.review.status === 'final';

  function render() {
    if (!rv) return;
    const inc = rv.incident;
    ctx.setTitle(`Review of ${inc.number}`);
    renderHead(inc);
    renderWarnings();
    renderFigures(rv.figures);
    // An edit in progress survives a reload; an untouched part is rebuilt only when what it
    // shows changed (so a reload caused elsewhere does not take the focus away).
    const textSource = JSON.stringify([rv.review, rv.amendments, amending]);
    if (!textForm || (!textForm.dirty && textSlot.dataset.source !== textSource)) renderText();
    textSlot.dataset.source = textSource;
    const actionSource = JSON.stringify([rv.actions, rv.review.status]);
    if (!actionForm || (!actionForm.form.dirty && actionsSlot.dataset.source !== actionSource)) {
      if (actionForm && !actionForm.form.dirty) actionForm = null;
      renderActions();
    }
    actionsSlot.dataset.source = actionSource;
    renderEscalation(rv.figures);
    renderCommunication(rv.figures);
    renderAmendments();
    renderTimeline();
    renderAfterSignOff();
    renderAside();
  }

  function renderHead(inc) {
    const r = rv.review;
    patch(head,
      h('div', { class: 'detail-ids' },
        h('a', { href: `#/incident/${inc.id}`, class: 'detail-number mono', testid: 'review-number' }, inc.number),
        priorityPill(inc.priority, store.choiceLabel('priorities', inc.priority), 'review-priority'),
        statusBadge(inc.status, store.choiceLabel('statuses', inc.status)),
        rv.major ? h('span', { class: 'tag tag-major' }, 'Major incident') : null,
        h('span', { class: ['review-status', `review-status-${r.status}`], testid: 'review-status', 'data-value': r.status },
          store.label('review_status', r.status))),
      h('h1', { class: 'detail-title', testid: 'review-title' }, 'Post-incident review: ', inc.title),
      h('p', { class: 'detail-sub muted' },
        `${inc.service_name} · started by ${r.created_by} on ${dateTime(r.created_at)}`,
        r.finalised_at ? ` · finalised by ${r.finalised_by} on ${dateTime(r.finalised_at)}` : ' · draft: everything can still be edited'),
      isFinal() && (rv.after_sign_off || []).length > 0
        ? h('p', { class: 'small muted', testid: 'review-after-note' },
          `Shown as signed off. ${count(rv.after_sign_off.length)} ${rv.after_sign_off.length === 1 ? 'event was' : 'events were'} recorded on the incident afterwards: see “Events after sign-off” below the timeline.`)
        : null);
  }

  function renderWarnings() {
    patch(warnSlot, rv.warnings.map((w) => h('div', { class: 'review-warning', role: 'status', testid: 'review-warning' },
      h('strong', null, 'Check: '), w)));
  }

  // ---- figures -------------------------------------------------------------------------------------
  function figure(label, testid, value, note) {
    return h('div', { class: 'figure', testid },
      h('div', { class: 'figure-label' }, label),
      h('div', { class: 'figure-value num' }, value),
      note ? h('div', { class: 'figure-note muted' }, note) : null);
  }

  function renderFigures(f) {
    const span = (s, missing) => (s === null || s === undefined ? none(missing) : spanText(s));
    const sla = f.sla.map((c) => h('div', {
      class: ['figure', `outcome-${c.outcome}`], testid: `figure-sla-${c.clock}`, 'data-outcome': c.outcome,
    },
    h('div', { class: 'figure-label' }, `SLA ${clockLabel(c.clock).toLowerCase()}`),
    h('div', { class: 'figure-value' }, store.label('review_outcome', c.outcome)),
    h('div', { class: 'figure-note muted' }, `${spanText(c.elapsed_seconds)} of ${minutesText(c.target_minutes)}`)));
    patch(figuresSlot,
      h('section', { class: 'block review-figures', testid: 'review-figures', 'aria-label': 'Figures' },
        h('h2', null, 'Figures ', h('span', { class: 'muted small review-computed' }, 'computed from the recorded events')),
        h('div', { class: 'figures' },
          figure('Time to detect', 'figure-detect', span(f.time_to_detect_seconds, '—'), 'started → detected'),
          figure('Time to acknowledge', 'figure-acknowledge', span(f.time_to_acknowledge_seconds, 'Not acknowledged'), 'logged → first response'),
          figure('Time to resolve', 'figure-resolve', span(f.time_to_resolve_seconds, 'Not resolved'), 'logged → resolved'),
          figure('Impact duration', 'figure-impact', span(f.impact_seconds, 'Still affected'), 'started → resolved'),
          figure('Detected by', 'figure-detected-by', f.detected_by),
          figure('Users affected', 'figure-users', f.users_affected === null || f.users_affected === undefined ? none('Not estimated') : count(f.users_affected)),
          figure('Services', 'figure-services', f.services.join(', ')),
          sla)));
  }

  // ---- the written analysis ---------------------------------------------------------------------------
  /** The amendments of one field, oldest first. */
  const amendmentsOf = (key) => rv.amendments.filter((a) => a.field === key);
  /** A field's text as it stands now: its latest amendment, or the original. */
  const currentText = (key) => {
    const list = amendmentsOf(key);
    return list.length ? list[list.length - 1].new_value : rv.review[key] || '';
  };

  function renderText() {
    const r = rv.review;
    if (isFinal() && !amending) {
      textForm = null;
      replace(textSlot, h('section', { class: 'block review-text', testid: 'review-text', 'aria-label': 'Analysis' },
        h('div', { class: 'block-head' },
          h('h2', null, 'Analysis'),
          h('button', { type: 'button', class: 'btn btn-small', testid: 'review-amend', onclick: () => { amending = true; renderText(); } }, 'Amend…')),
        h('p', { class: 'field-hint' }, 'This review is final: its text is locked. An amendment, with its reason, is recorded beside the original.'),
        TEXT_FIELDS.map((f) => h('div', { class: 'review-section' },
          h('h3', null, f.label),
          r[f.key] && r[f.key].trim()
            ? h('p', { class: 'prose', testid: f.testid }, r[f.key])
            : h('p', { class: 'muted', testid: f.testid }, 'Not written.'),
          amendmentsOf(f.key).map((a) => h('div', { class: 'amend-inline' },
            h('div', { class: 'small muted' }, `Amended ${fullDateTime(a.at)} by ${a.by} — ${a.reason}`),
            h('p', { class: 'prose' }, a.new_value)))))));
      return;
    }

    const slot = h('div', { class: 'form-errors' });
    const controls = {};
    const initial = {};
    const fieldsEls = TEXT_FIELDS.map((f) => {
      const start = amending ? currentText(f.key) : r[f.key] || '';
      initial[f.key] = start;
      const control = f.input
        ? h('input', { type: 'text', testid: f.testid, value: start, autocomplete: 'off' })
        : h('textarea', { testid: f.testid, rows: String(f.rows) });
      if (!f.input) control.value = start;
      controls[f.key] = control;
      return field({ key: f.key, label: f.label, control, wide: true, hint: f.hint || null });
    });
    const reason = amending ? h('input', { type: 'text', testid: 'amend-reason', autocomplete: 'off', placeholder: 'Why the final review needs this correction' }) : null;

    const form = h('form', {
      class: ['block', 'review-text', amending && 'is-amending'],
      testid: 'review-text',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const changes = {};
        for (const f of TEXT_FIELDS) {
          const v = controls[f.key].value.trim();
          if (v !== initial[f.key].trim()) changes[f.key] = v;
        }
        if (Object.keys(changes).length === 0) {
          showFormError(slot, 'Nothing changed.');
          return;
        }
        if (amending && !reason.value.trim()) {
          showFieldError(form, 'reason', 'Give the reason for the amendment: the review is final.');
          return;
        }
        await busy(form, async () => {
          try {
            const result = await api.editReview(id, rv.review.version, changes, amending ? reason.value.trim() : null);
            if (disposed) return;
            const wasAmending = amending;
            amending = false;
            textForm = null;
            clear(errorSlot);
            show(result);
            ctx.toast(wasAmending ? 'Amendment recorded beside the original text.' : 'Review saved.');
          } catch (error) {
            if (disposed) return;
            showError(form, slot, error);
            if (error.code === 'conflict') conflictHint(slot);
          }
        });
      },
    },
    h('div', { class: 'block-head' },
      h('h2', null, amending ? 'Amend the final review' : 'Analysis'),
      amending
        ? h('button', { type: 'button', class: 'btn btn-quiet btn-small', testid: 'review-amend-cancel', onclick: cancelAmend }, 'Cancel ', kbd('Esc'))
        : null),
    h('p', { class: 'field-hint' }, amending
      ? 'The original text stays as it was; each changed section is recorded as an amendment with your reason, name and the time.'
      : 'Blameless: describe what happened and why, and what the process could do better — not who is at fault.'),
    slot,
    fieldsEls,
    reason ? field({ key: 'reason', label: 'Reason for the amendment', control: reason, wide: true }) : null,
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'review-save' }, amending ? 'Record amendment' : 'Save review'),
      h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'))));
    submitOnCtrlEnter(form);
    trackDirty(form);
    textForm = form;
    replace(textSlot, form);
    if (amending) controls.summary.focus();
  }

  function cancelAmend() {
    amending = false;
    textForm = null;
    renderText();
  }

  function conflictHint(slot) {
    slot.appendChild(h('button', { type: 'button', class: 'btn btn-small', onclick: () => { textForm = null; load(); } }, 'Reload the review (your edits are lost)'));
  }

  // ---- action items -----------------------------------------------------------------------------------
  function renderActions() {
    const items = rv.actions;
    const today = todayIso();
    const open = actionForm;
    const rows = items.map((a) => {
      const overdue = a.status !== 'done' && a.due_date && a.due_date < today;
      return h('div', {
        role: 'row',
        class: ['grid-row', 'row', overdue && 'is-overdue', open && open.itemId === a.id && 'is-selected'],
        testid: 'review-action', 'data-id': a.id, 'data-status': a.status, tabindex: '0',
        onclick: () => editAction(a),
        onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); editAction(a); } },
      },
      h('div', { role: 'cell', class: 'cell cell-wrap', testid: 'review-action-text' }, a.text),
      h('div', { role: 'cell', class: 'cell', testid: 'review-action-owner' }, a.owner_name || none('—')),
      h('div', { role: 'cell', class: 'cell', testid: 'review-action-due' }, a.due_date ? dayText(a.due_date) : none('—'), overdue ? h('span', { class: 'overdue-mark' }, ' overdue') : null),
      h('div', { role: 'cell', class: 'cell', testid: 'review-action-status' }, actionStatusLabel(a.status)));
    });
    replace(actionsSlot, h('section', { class: 'block review-actions', testid: 'review-actions', 'aria-label': 'Action items' },
      h('div', { class: 'block-head' },
        h('h2', null, 'Action items ', h('span', { class: 'muted count' }, String(items.length))),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'review-action-add', onclick: () => editAction(null) }, 'Add action item')),
      h('p', { class: 'field-hint' }, 'Two or three specific, actionable improvements, each with an owner and a due date, rather than many vague ones.',
        isFinal() ? ' The review is final: a new or rewritten item needs a reason; progress on the status does not.' : ''),
      items.length === 0
        ? h('p', { class: 'muted', testid: 'review-actions-empty' }, 'No action items yet.')
        : h('div', { class: 'grid grid-compact review-action-grid', role: 'table', 'aria-label': 'Action items' },
          h('div', { role: 'rowgroup', class: 'grid-head' },
            h('div', { role: 'row', class: 'grid-row' },
              ['Action', 'Owner', 'Due', 'Status'].map((l) => h('div', { role: 'columnheader', class: 'cell' }, l)))),
          h('div', { role: 'rowgroup', class: 'grid-body' }, rows)),
      open ? open.form : null));
  }

  function editAction(item) {
    const a = item || { id: null, text: '', owner_id: null, due_date: '', status: 'open' };
    const slot = h('div', { class: 'form-errors' });
    const text = h('textarea', { testid: 'action-text', rows: '2', placeholder: 'e.g. Alert on checkout error rate above 2 % for 5 minutes' });
    text.value = a.text;
    const owner = select({ testid: 'action-owner', items: recordItems(store.people()), value: a.owner_id, placeholder: 'Choose the owner…' });
    const due = h('input', {
      type: 'text', testid: 'action-due', value: a.due_date || '', placeholder: 'YYYY-MM-DD', maxlength: '10',
      autocomplete: 'off', spellcheck: 'false', inputmode: 'numeric', class: 'time-input',
    });
    const dueLine = h('div', { class: 'definition', 'aria-live': 'polite' });
    const readDue = () => {
      const v = due.value.trim();
      dueLine.textContent = v === '' ? '' : isIsoDay(v) ? dayText(v) : 'Write the date as YYYY-MM-DD, e.g. 2026-04-30';
    };
    due.addEventListener('input', readDue);
    readDue();
    const status = select({ testid: 'action-status', items: ACTION_STATUSES, value: a.status || 'open' });
    const reason = isFinal() ? h('input', { type: 'text', testid: 'action-reason', autocomplete: 'off' }) : null;
    const form = h('form', {
      class: 'review-action-form', testid: 'review-action-form', novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const d = due.value.trim();
        if (d && !isIsoDay(d)) {
          showFieldError(form, 'due_date', 'Write the due date as YYYY-MM-DD, e.g. 2026-04-30');
          return;
        }
        await busy(form, async () => {
          try {
            const result = await api.saveReviewAction(id, {
              id: a.id,
              text: text.value.trim(),
              ownerId: idOrNull(owner.value),
              dueDate: d || null,
              status: status.value,
              reason: reason ? reason.value.trim() : null,
            });
            if (disposed) return;
            actionForm = null;
            clear(errorSlot);
            show(result);
            ctx.toast(a.id === null ? 'Action item added.' : 'Action item saved.');
          } catch (error) {
            if (!disposed) showError(form, slot, error);
          }
        });
      },
    },
    h('div', { class: 'action-form-head' },
      h('h3', null, a.id === null ? 'New action item' : 'Edit action item'),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: closeActionForm, 'aria-label': 'Close form' }, 'Cancel ', kbd('Esc'))),
    slot,
    field({ key: 'text', label: 'Action', control: text, wide: true }),
    h('div', { class: 'form-row' },
      field({ key: 'owner_id', label: 'Owner', control: owner }),
      field({ key: 'due_date', label: 'Due date (YYYY-MM-DD)', control: due, extra: dueLine }),
      field({ key: 'status', label: 'Status', control: status })),
    reason ? field({ key: 'reason', label: 'Reason', control: reason, wide: true, hint: 'Required for a new or rewritten item on a final review; a status change alone is recorded as progress.' }) : null,
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'action-save' }, a.id === null ? 'Add action item' : 'Save action item'),
      h('span', { class: 'muted small' }, kbd('Ctrl'), '+', kbd('Enter'))));
    submitOnCtrlEnter(form);
    trackDirty(form);
    actionForm = { itemId: a.id, form };
    renderActions();
    text.focus();
  }

  function closeActionForm() {
    actionForm = null;
    renderActions();
  }

  // ---- escalation and communication --------------------------------------------------------------------
  function table(testid, label, headers, rows, className) {
    return h('table', { class: ['data-table', className], testid, 'aria-label': label },
      h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, rows));
  }

  const verdictClass = (v) => `verdict verdict-${String(v).replace(/\s+/g, '-')}`;

  function renderEscalation(f) {
    const tiers = table('review-tiers', 'Time at each tier', ['Team', 'Tier', 'From', 'To', 'Time'],
      f.tiers.map((t) => h('tr', { testid: 'review-tier' },
        h('td', null, t.team),
        h('td', null, t.tier || none('—')),
        h('td', { class: 'num' }, fullDateTime(t.from)),
        h('td', { class: 'num' }, fullDateTime(t.to)),
        h('td', { class: 'num' }, spanText(t.seconds)))));
    const escalations = f.escalations.length === 0
      ? h('p', { class: 'muted small', testid: 'review-escalations-none' }, 'It was never escalated.')
      : table('review-escalations', 'Escalations', ['When', 'To', 'After logging', 'Threshold', 'Verdict'],
        f.escalations.map((x) => h('tr', { testid: 'review-escalation', 'data-verdict': x.verdict },
          h('td', { class: 'num' }, fullDateTime(x.at)),
          h('td', null, x.to),
          h('td', { class: 'num' }, spanText(x.after_logging_seconds)),
          h('td', { class: 'num' }, x.threshold_minutes === null || x.threshold_minutes === undefined ? none('none') : minutesText(x.threshold_minutes)),
          h('td', null, h('span', { class: verdictClass(x.verdict) }, x.verdict)))));
    patch(escalationSlot, h('section', { class: 'block review-escalation', testid: 'review-escalation-analysis', 'aria-label': 'Escalation analysis' },
      h('h2', null, 'Escalation analysis'),
      h('h3', null, 'Time at each tier'),
      tiers,
      h('h3', null, 'Escalations'),
      h('p', { class: 'field-hint' }, 'Each escalation against the earliest active escalation rule for this priority: on time, late, or no threshold when no rule applies.'),
      escalations));
  }

  function renderCommunication(f) {
    let body;
    if (!rv.major) {
      body = h('p', { class: 'muted small' }, 'Not a major incident: no stakeholder update cadence applied.');
    } else if (f.communication.length === 0) {
      body = h('p', { class: 'muted small' }, 'No active audience.');
    } else {
      body = f.communication.map((c) => h('div', { class: 'comm-audience', testid: 'review-comm', 'data-audience': c.audience },
        h('div', { class: 'comm-head' },
          h('h3', null, c.audience),
          h('span', { class: 'muted small' }, `every ${minutesText(c.cadence_minutes)}`)),
        h('dl', { class: 'comm-counts' },
          h('div', null, h('dt', null, 'Sent'), h('dd', { class: 'num', testid: 'comm-sent' }, String(c.updates_sent))),
          h('div', null, h('dt', null, 'On time'), h('dd', { class: 'num', testid: 'comm-on-time' }, String(c.on_time))),
          h('div', { class: c.late > 0 ? 'is-late' : null }, h('dt', null, 'Late'), h('dd', { class: 'num', testid: 'comm-late' }, String(c.late))),
          h('div', { class: c.missed > 0 ? 'is-missed' : null }, h('dt', null, 'Missed'), h('dd', { class: 'num', testid: 'comm-missed' }, String(c.missed)))),
        c.slots.length === 0
          ? h('p', { class: 'muted small' }, 'No update was due before the resolution.')
          : h('ol', { class: 'slot-list' }, c.slots.map((s) => h('li', { testid: 'review-slot', 'data-verdict': s.verdict },
            h('span', { class: 'num' }, `due ${fullDateTime(s.due)}`),
            ' · ',
            s.sent_at ? h('span', { class: 'num' }, `sent ${fullDateTime(s.sent_at)}`) : none('not sent'),
            ' ',
            h('span', { class: verdictClass(s.verdict) }, s.verdict))))));
    }
    patch(commSlot, h('section', { class: 'block review-communication', testid: 'review-communication', 'aria-label': 'Communication analysis' },
      h('h2', null, 'Communication analysis'),
      rv.major ? h('p', { class: 'field-hint' }, 'Each audience’s updates against its cadence, from the declaration to the resolution.') : null,
      body));
  }

  function renderAmendments() {
    const list = rv.amendments;
    if (!isFinal() && list.length === 0) {
      clear(amendSlot);
      return;
    }
    patch(amendSlot, h('section', { class: 'block review-amendments', testid: 'review-amendments', 'aria-label': 'Amendments' },
      h('h2', null, 'Amendments ', h('span', { class: 'muted count' }, String(list.length))),
      list.length === 0
        ? h('p', { class: 'muted small' }, 'None: the review stands as finalised.')
        : h('ol', { class: 'amend-list' }, list.map((a) => h('li', { class: 'amendment', testid: 'review-amendment', 'data-field': a.field },
          h('div', { class: 'tl-head' },
            h('time', { datetime: a.at, class: 'tl-time num' }, fullDateTime(a.at)),
            h('span', { class: 'tl-actor' }, a.by),
            h('span', null, fieldLabel(a.field))),
          h('div', { class: 'amend-reason' }, h('strong', null, 'Reason: '), a.reason),
          h('div', { class: 'amend-change' },
            h('div', { class: 'amend-old' }, h('span', { class: 'tl-detail-label' }, 'Before'), h('span', { class: 'prose' }, a.old_value || '(empty)')),
            h('div', { class: 'amend-new' }, h('span', { class: 'tl-detail-label' }, 'After'), h('span', { class: 'prose' }, a.new_value || '(empty)'))))))));
  }

  const timelineItems = (entries, testid) => entries.map((t) => h('li', { class: 'timeline-entry', testid },
    h('div', { class: 'tl-head' },
      h('time', { datetime: t.at, class: 'tl-time num' }, fullDateTime(t.at)),
      h('span', { class: 'tl-actor' }, t.who)),
    h('div', { class: 'tl-summary' }, t.what),
    t.detail ? h('div', { class: 'tl-detail prose' }, t.detail) : null));

  function renderTimeline() {
    patch(timelineSlot, h('section', { class: 'timeline-section', 'aria-label': 'Timeline' },
      h('h2', null, isFinal() ? 'Timeline as signed off ' : 'Timeline ', h('span', { class: 'muted count' }, count(rv.timeline.length))),
      h('ol', { class: 'timeline', testid: 'review-timeline' }, timelineItems(rv.timeline, 'review-timeline-entry'))));
  }

  /** Events of the incident recorded after the review was finalised: beside it, never in it. */
  function renderAfterSignOff() {
    const later = rv.after_sign_off || [];
    if (!isFinal() || later.length === 0) {
      clear(afterSlot);
      return;
    }
    patch(afterSlot, h('section', { class: 'timeline-section review-after', testid: 'review-after-sign-off', 'aria-label': 'Events after sign-off' },
      h('h2', null, 'Events after sign-off ', h('span', { class: 'muted count' }, count(later.length))),
      h('p', { class: 'field-hint' }, 'Recorded on the incident after the review was finalised. They are not part of the signed-off review; the PDF prints them as an appendix.'),
      h('ol', { class: 'timeline', testid: 'review-after-timeline' }, timelineItems(later, 'review-after-entry'))));
  }

  // ---- status, export, integrity --------------------------------------------------------------------------
  function renderAside() {
    const r = rv.review;
    const inc = rv.incident;
    const finished = inc.status === 'resolved' || inc.status === 'closed';
    let statusBox;
    if (isFinal()) {
      statusBox = h('div', { class: 'aside-box' },
        h('h2', null, 'Final'),
        h('p', { class: 'small' }, `Finalised by ${r.finalised_by} on ${fullDateTime(r.finalised_at)}. The text is locked; corrections are amendments.`));
    } else {
      statusBox = h('div', { class: 'aside-box' },
        h('h2', null, 'Draft'),
        h('p', { class: 'small muted' }, finished
          ? 'When the analysis and the action items are complete, finalise the review: it is then locked.'
          : `The incident is ${store.choiceLabel('statuses', inc.status).toLowerCase()}: the review can be finalised once it is resolved.`),
        confirming
          ? h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'Finalise the review?', testid: 'review-finalise-box' },
            h('p', { class: 'small' }, h('strong', null, 'Finalise this review? '),
              'Its text is then locked; later corrections are recorded as amendments with a reason.'),
            textForm && textForm.dirty ? h('p', { class: 'small field-error-inline' }, 'You have unsaved text changes: save them first, or they are not part of the final review.') : null,
            h('div', { class: 'form-actions' },
              h('button', { type: 'button', class: 'btn btn-danger', testid: 'review-finalise-confirm', onclick: finalise }, 'Finalise now'),
              h('button', { type: 'button', class: 'btn btn-quiet', testid: 'review-finalise-cancel', onclick: () => { confirming = false; renderAside(); } }, 'Cancel')))
          : h('button', { type: 'button', class: 'btn btn-primary', testid: 'review-finalise', onclick: () => { confirming = true; renderAside(); } }, 'Finalise…'));
    }

    const paper = select({
      testid: 'review-paper',
      items: store.vocabularyItems('paper_size', ['a4', 'letter']),
      value: exportPaper(),
    });
    paper.addEventListener('change', () => { paperChoice = paper.value; });
    paper.setAttribute('aria-label', 'Paper size');
    const exportButton = h('button', { type: 'button', class: 'btn', testid: 'review-export', onclick: () => runExport(exportButton, paper.value) }, 'Export PDF…');
    const exportBox = h('div', { class: 'aside-box' },
      h('h2', null, 'Print'),
      h('p', { class: 'small muted' }, isFinal() ? 'The PDF carries the fingerprint below.' : 'A draft prints marked as draft.'),
      h('div', { class: 'export-row' }, paper, exportButton),
      exportNote && exportNote.status === r.status
        ? h('p', {
          class: ['small', 'break', 'export-note', exportNote.ok ? 'export-ok' : exportNote.ok === null ? 'muted' : 'field-error-inline'],
          testid: 'review-export-result', role: 'status',
        }, exportNote.text)
        : null);

    const integrity = h('div', { class: 'aside-box integrity', testid: 'review-integrity' },
      h('h2', null, 'Integrity'),
      h('dl', { class: 'integrity-list' },
        h('dt', null, `${isFinal() ? 'Last event signed off' : 'Last event'}${rv.last_event_id ? ` (#${rv.last_event_id})` : ''}`),
        h('dd', { class: 'mono break', testid: 'review-hash' }, rv.last_event_hash || '—'),
        isFinal() && rv.latest_event_id && rv.latest_event_id !== rv.last_event_id
          ? [h('dt', null, `Latest event (#${rv.latest_event_id}, after sign-off)`),
            h('dd', { class: 'mono break', testid: 'review-latest-hash' }, rv.latest_event_hash || '—')]
          : null,
        h('dt', null, 'Fingerprint'),
        h('dd', { class: 'mono break', testid: 'review-fingerprint' }, rv.fingerprint)),
      h('p', { class: 'small muted' }, 'Every event chains the hash of the one before; a printout can be checked against ',
        h('a', { href: '#/settings/history' }, 'Settings → History'), '.'));

    patch(asideSlot, statusBox, exportBox, integrity);
  }

  let paperChoice = null;
  function exportPaper() {
    if (paperChoice) return paperChoice;
    const lang = (navigator.language || '').toLowerCase();
    return /^(en-us|en-ca|es-mx|fr-ca)$/.test(lang) ? 'letter' : 'a4';
  }

  async function runExport(button, paper) {
    paperChoice = paper || exportPaper();
    button.disabled = true;
    exportNote = null;
    try {
      const result = await api.exportReviewPdf(id, paperChoice);
      if (disposed) return;
      const status = rv.review.status;
      exportNote = result && result.path
        ? { ok: true, text: `Saved to ${result.path}`, status }
        : { ok: null, text: 'Export cancelled: nothing was saved.', status };
    } catch (error) {
      if (disposed) return;
      exportNote = { ok: false, text: `The PDF could not be written: ${error.message}`, status: rv.review.status };
    } finally {
      if (!disposed) renderAside();
    }
  }

  async function finalise() {
    try {
      const result = await api.finaliseReview(id, rv.review.version);
      if (disposed) return;
      confirming = false;
      amending = false;
      textForm = null;
      // A draft's export is not the final review: its "Saved to …" goes with it.
      exportNote = null;
      clear(errorSlot);
      show(result);
      ctx.toast('Review finalised: the text is locked. Export the PDF again for the final version.');
    } catch (error) {
      if (disposed) return;
      confirming = false;
      renderAside();
      showError0(error);
      if (error.field) {
        const el = textSlot.querySelector(`[data-field="${error.field}"]`);
        if (el) el.focus();
      }
    }
  }

  function showError0(error) {
    const title = { invalid_transition: 'Not allowed now', conflict: 'Changed by someone else', validation: 'Check the review', not_found: 'Not found' }[error.code] || 'Something went wrong';
    replace(errorSlot, h('div', { class: 'action-error', role: 'alert', testid: 'review-error', 'data-code': error.code || '' },
      h('strong', null, `${title}: `), h('span', null, error.message),
      error.code === 'conflict'
        ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => { clear(errorSlot); textForm = null; load(); } }, 'Reload review')
        : null));
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------
  load();
  return {
    unmount() { disposed = true; },
    onDeskChanged(payload) {
      if (payload.incident_id === null || payload.incident_id === undefined || payload.incident_id === id) load();
    },
    onEscape() {
      if (confirming) { confirming = false; renderAside(); return true; }
      if (actionForm) { closeActionForm(); return true; }
      if (amending) { cancelAmend(); return true; }
      if (errorSlot.firstChild) { clear(errorSlot); return true; }
      ctx.navigate(`#/incident/${id}`);
      return true;
    },
  };
}
