// main.js — starts the window: loads the desk's reference data, routes between the screens
// (hash routes, one module per screen), keeps the top bar (navigation, operator) current,
// forwards `desk-changed` events to the open screen and the notification centre (the bell),
// opens the incident of a clicked desktop notification (`open-incident`), and owns the global
// keyboard shortcuts (N new incident, / search, Esc close, plus whatever the open screen adds).
// It is also the one guard on every way out of a screen: a screen whose `leaveWarning()` returns
// a message (unsaved input) is left only after the user agreed to discard it, whether the way out
// was a link (‹ Incidents, the Settings tab), a button (Cancel) or a key (Esc, N).

import * as api from './api.js';
import * as store from './store.js';
import { h, replace, clear } from './dom.js';
import * as welcome from './screens/welcome.js';
import * as list from './screens/list.js';
import * as detail from './screens/detail.js';
import * as newIncident from './screens/newIncident.js';
import * as settings from './screens/settings.js';
import * as review from './screens/review.js';
import * as alertsCentre from './alerts.js';
import { recoveryOffer, RESTORABLE_CODES, startBanners } from './screens/backups.js';
import { askToDiscard } from './forms.js';

const screenEl = document.getElementById('screen');
const topbar = document.getElementById('topbar');
const operatorEl = document.querySelector('[data-testid="operator-name"]');
const toastEl = document.getElementById('toast');

let current = null; // { name, instance }
let booted = false;
let alerts = null; // the notification centre, once booted

/** '#/incident/42' → {name: 'detail', params: {id: 42}}; '#/incident/42/review' → the review. */
function parseHash(hash) {
  const parts = (hash || '').replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'incident':
      if (parts[2] === 'review') return { name: 'review', params: { id: Number(parts[1]) } };
      return { name: 'detail', params: { id: Number(parts[1]) } };
    case 'new':
      return { name: 'new', params: {} };
    case 'settings':
      return { name: 'settings', params: { tab: parts[1] || 'services' } };
    case 'welcome':
      return { name: 'welcome', params: {} };
    default:
      return { name: 'list', params: {} };
  }
}

const SCREENS = { welcome, list, detail, review, new: newIncident, settings };

let pendingParams = null;
let shownHash = null; // the hash of the screen on show
let leaveAgreed = false; // the user agreed to discard the open screen's unsaved input

/** Goes to a hash route; re-renders even when the hash does not change. */
function navigate(hash, extraParams = null) {
  pendingParams = extraParams;
  if (location.hash === hash) render();
  else location.hash = hash;
}

/**
 * Whether the open screen may be left for `target` now. When it holds unsaved input, the hash is
 * put back (the screen stays as it was), the user is asked, and on "Discard" the navigation is
 * done again with the guard passed.
 */
function mayLeave(target) {
  // Also on a re-render of the same route (navigate to the hash on show): it rebuilds the screen.
  if (leaveAgreed || !current) return true;
  const warning = current.instance.leaveWarning ? current.instance.leaveWarning() : null;
  if (!warning) return true;
  const params = pendingParams;
  pendingParams = null; // kept for the navigation after "Discard", not for an unrelated render
  if (shownHash !== null && location.hash !== shownHash) history.replaceState(null, '', shownHash);
  askToDiscard(warning).then((discard) => {
    if (!discard) return;
    leaveAgreed = true;
    navigate(target || '#/incidents', params);
  });
  return false;
}

let toastTimer = null;
function toast(message) {
  toastEl.textContent = message;
  toastEl.classList.add('is-visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toastEl.classList.remove('is-visible'), 3500);
}

function setTitle(text) {
  document.title = text ? `${text} — Incident Desk` : 'Incident Desk';
}

const ctx = { navigate, toast, setTitle };

function render() {
  if (!booted) return;
  if (!mayLeave(location.hash)) return;
  leaveAgreed = false;
  shownHash = location.hash;
  let route = parseHash(location.hash);
  if (!store.state.operator) route = { name: 'welcome', params: {} };
  else if (route.name === 'welcome') route = { name: 'list', params: {} };
  const params = { ...route.params, ...(pendingParams || {}) };
  pendingParams = null;

  if (current && current.instance && current.instance.unmount) current.instance.unmount();
  clear(screenEl);
  topbar.hidden = route.name === 'welcome';
  for (const link of topbar.querySelectorAll('[data-nav]')) {
    const active = link.getAttribute('data-nav') === (route.name === 'settings' ? 'settings' : 'incidents');
    link.classList.toggle('is-active', active);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  setTitle('');
  const instance = SCREENS[route.name].mount(screenEl, params, ctx) || {};
  current = { name: route.name, instance };
  window.scrollTo(0, 0);
}

function refreshShell() {
  const op = store.state.operator;
  operatorEl.textContent = op ? op.name : '—';
  operatorEl.title = op ? 'Change who you are (Settings › Who am I)' : '';
}

/** True when the key press belongs to a text field, not to a shortcut. */
function isTyping(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target.getAttribute('type') || 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

function onKeyDown(e) {
  if (!booted || !current) return;
  if (e.key === 'Escape') {
    if (alerts && alerts.isOpen()) {
      alerts.close();
      topbar.querySelector('[data-testid="alerts-button"]').focus();
      e.preventDefault();
      return;
    }
    if (current.instance.onEscape && current.instance.onEscape(e)) e.preventDefault();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  if (isTyping(e.target) || current.name === 'welcome') return;
  if (e.key === 'n' || e.key === 'N') {
    e.preventDefault();
    if (current.name !== 'new') navigate('#/new');
    return;
  }
  if (e.key === '/') {
    e.preventDefault();
    if (current.name === 'list' && current.instance.focusSearch) current.instance.focusSearch();
    else navigate('#/incidents', { focusSearch: true });
    return;
  }
  if (current.instance.onKey && current.instance.onKey(e)) e.preventDefault();
}

/** Opens the database again (its cause may have been fixed meanwhile) and starts over. */
async function retryOpen() {
  try {
    await api.reopenDesk();
    location.reload();
  } catch (error) {
    showFatal(error);
    toast('The database still cannot be opened.');
  }
}

function showFatal(error) {
  topbar.hidden = true;
  const restorable = RESTORABLE_CODES.includes(error.code);
  let advice;
  if (error.code === 'incompatible_database') {
    // The core's message already says what to do (install the newer version or use another
    // data folder); saying it again underneath only repeats it.
    advice = null;
  } else if (restorable) {
    advice = ['Restore a backup below, or quit and start Incident Desk with another data folder (', h('code', { class: 'nowrap' }, '--data-dir'), ').'];
  } else {
    advice = 'Close the window and start Incident Desk again. If it keeps happening, check that the data folder is writable.';
  }
  replace(
    screenEl,
    h(
      'section',
      { class: 'fatal', role: 'alert', testid: 'fatal', 'data-code': error.code || 'internal' },
      h('h1', null, 'Incident Desk cannot open its database'),
      h('p', { class: 'fatal-message', testid: 'fatal-message' }, error.message || String(error)),
      advice ? h('p', { testid: 'fatal-advice' }, advice) : null,
      h('button', { class: 'btn', type: 'button', testid: 'fatal-retry', onclick: retryOpen }, 'Try again'),
      restorable ? recoveryOffer() : null,
    ),
  );
}

async function onDeskChanged(payload) {
  const incidentId = payload ? payload.incident_id : null;
  if (incidentId === null || incidentId === undefined) {
    try {
      await store.loadReference();
    } catch (e) {
      // The screen will show the error on its own next call.
    }
  }
  if (current && current.instance.onDeskChanged) current.instance.onDeskChanged(payload || { incident_id: null });
  if (alerts) alerts.reload();
}

async function boot() {
  // On the new-incident form already, the button keeps it (like N) rather than starting over.
  topbar.querySelector('[data-testid="new-incident"]').addEventListener('click', () => {
    if (!current || current.name !== 'new') navigate('#/new');
  });
  operatorEl.addEventListener('click', () => navigate('#/settings/operator'));
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('hashchange', render);

  let hadOperator = false;
  store.subscribe(() => {
    refreshShell();
    const hasOperator = !!store.state.operator;
    // The operator appeared (first run finished) or vanished: the routing changes.
    if (booted && hasOperator !== hadOperator) {
      hadOperator = hasOperator;
      if (!hasOperator || current.name === 'welcome') navigate(hasOperator ? '#/incidents' : '#/welcome');
    }
  });

  try {
    await Promise.all([store.loadInfo(), store.loadReference()]);
  } catch (error) {
    showFatal(error);
    return;
  }
  hadOperator = !!store.state.operator;
  refreshShell();
  try {
    await api.onDeskChanged(onDeskChanged);
  } catch (e) {
    toast('Live updates are unavailable; the list refreshes when you reopen it.');
  }
  alerts = alertsCentre.init({ navigate, toast });
  try {
    await api.onOpenIncident((id) => {
      if (alerts) alerts.close();
      navigate(`#/incident/${id}`);
    });
  } catch (e) {
    // Without it a notification click still brings the window up; the bell lists the alert.
  }
  booted = true;
  render();
  alerts.reload();
  const banners = document.getElementById('banners');
  if (banners) startBanners(banners, navigate, !!store.state.operator);
}

boot();
