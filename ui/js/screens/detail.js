// screens/detail.js — one incident, the screen the router opens for '#/incident/<id>'. It loads
// the core's IncidentDetail, keeps the state its panels share (the detail, the open action form,
// the major-incident view) and lays them out; each panel is a module of one job under detail/:
// header.js, actions.js (which actions: the core's allowed_actions; bar, keys, confirmations),
// actionForm.js (form shell, refusal banner), lifecycleForms.js, majorForms.js, correctForm.js,
// major.js, slaPanel.js, facts.js, timeline.js, collapse.js (long texts), words.js. Reloads on
// `desk-changed` for this incident; an open action form survives the reload.

import { h, replace, clear } from '../dom.js';
import * as api from '../api.js';
import { onTick } from '../sla.js';
import { renderHead } from './detail/header.js';
import { renderActions, runAction, closePanel, onKey } from './detail/actions.js';
import { showActionError } from './detail/actionForm.js';
import { renderMajor, loadMajor } from './detail/major.js';
import { renderSla, needsPolling } from './detail/slaPanel.js';
import { renderMain, renderFacts } from './detail/facts.js';
import { renderTimeline } from './detail/timeline.js';

export function mount(root, params, ctx) {
  const slots = {
    head: h('header', { class: 'detail-head' }),
    actions: h('div', { class: 'action-bar', role: 'toolbar', 'aria-label': 'Actions' }),
    error: h('div', { class: 'action-error-slot' }),
    panel: h('div', { class: 'action-panel-slot' }),
    main: h('div', { class: 'detail-main' }),
    sla: h('div', { class: 'sla-slot' }),
    major: h('div', { class: 'major-slot' }),
    timeline: h('section', { class: 'timeline-section', 'aria-label': 'Timeline' }),
    aside: h('aside', { class: 'detail-facts', 'aria-label': 'Facts' }),
  };
  const view = h(
    'section',
    { class: 'detail', testid: 'incident-detail', 'aria-busy': 'true' },
    h('a', { href: '#/incidents', class: 'back' }, '‹ Incidents'),
    slots.head,
    slots.actions,
    slots.error,
    slots.panel,
    h('div', { class: 'detail-body' },
      h('div', { class: 'detail-col' }, slots.major, slots.sla, slots.main, slots.timeline),
      slots.aside),
  );
  root.appendChild(view);

  let loadSeq = 0;
  /** What the panels share; each module reads and updates it through these fields. */
  const s = {
    id: params.id,
    ctx,
    slots,
    detail: null, // IncidentDetail
    panel: null, // the open action form: { name, form }
    disposed: false,
    loadedAt: Date.now(), // when `detail` arrived: live SLA values count from here
    liveUpdates: [], // functions(now) that refresh the SLA panel's live text
    majorLive: [], // functions(now) that count down the next stakeholder updates
    majorInfo: null, // MajorView of a declared major incident
    majorSeq: 0,
    lastSent: null, // the update just sent: {audience, recipients, subject, body}
    bannerButton: null, // Declare in the suggestion banner
    comm: null, // communication settings (audiences, templates) for the composer
    load,
    show,
    runAction: (name) => runAction(s, name),
    closePanel: () => closePanel(s),
    showActionError: (error) => showActionError(s, error),
    clearActionError: () => clear(slots.error),
  };

  async function load() {
    const mine = ++loadSeq;
    try {
      const result = await api.getIncident(s.id);
      if (s.disposed || mine !== loadSeq) return;
      show(result);
    } catch (error) {
      if (s.disposed || mine !== loadSeq) return;
      if (!s.detail) {
        view.removeAttribute('aria-busy');
        replace(slots.head, h('h1', null, error.code === 'not_found' ? 'Incident not found' : 'This incident could not be opened'));
        replace(slots.main, h('p', { class: 'form-error', role: 'alert' }, error.message));
      } else {
        s.showActionError(error);
      }
    }
  }

  function show(result) {
    ++loadSeq; // an older load still in flight must not overwrite this
    s.detail = result;
    s.loadedAt = Date.now();
    view.removeAttribute('aria-busy');
    if (!s.detail.major) s.majorInfo = null;
    render();
    loadMajor(s);
  }

  function render() {
    if (!s.detail) return;
    const inc = s.detail.incident;
    ctx.setTitle(`${inc.number} ${inc.title}`);
    renderHead(s);
    renderActions(s);
    renderMajor(s);
    renderSla(s);
    renderMain(s);
    renderFacts(s);
    renderTimeline(s);
  }

  load();
  const ticker = setInterval(() => { if (s.detail) renderHead(s); }, 30000);
  const tickOff = onTick((now) => { for (const fn of [...s.liveUpdates, ...s.majorLive]) fn(now); });
  // Working-time clocks do not follow the wall clock: ask the core again now and then.
  const slaPoll = setInterval(() => { if (!s.panel && needsPolling(s)) load(); }, 60000);

  return {
    unmount() {
      s.disposed = true;
      clearInterval(ticker);
      clearInterval(slaPoll);
      tickOff();
    },
    onDeskChanged(payload) {
      // Settings (names, SLA policies) and the SLA engine's alerts come without an incident id:
      // either may have changed this incident's clocks or timeline, so reload it too.
      if (payload.incident_id === null || payload.incident_id === undefined) { s.comm = null; render(); load(); }
      else if (payload.incident_id === s.id) load();
    },
    onEscape() {
      if (s.panel) {
        s.closePanel();
        return true;
      }
      if (slots.error.firstChild) {
        s.clearActionError();
        return true;
      }
      ctx.navigate('#/incidents');
      return true;
    },
    onKey(e) {
      return onKey(s, e);
    },
  };
}
