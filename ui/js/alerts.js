// alerts.js — the notification centre: the bell in the top bar with the number of unread alerts,
// and the panel under it listing every alert the SLA engine raised (warnings, breaches,
// escalation rules, reminders), newest first, with the time it was raised, whether its desktop
// notification was shown, silenced or failed, and a link to its incident. Opening an alert
// marks it read. The list reloads on every `desk-changed`.

import { h, patch, priorityPill } from './dom.js';
import * as api from './api.js';
import * as store from './store.js';
import { fullDateTime, countdown } from './format.js';

/**
 * Wires the bell (`alerts-button` in index.html) and its panel. `navigate(hash)` opens a route.
 * Returns {reload(), isOpen(), close(), toggle()}.
 */
export function init({ navigate, toast }) {
  const button = document.querySelector('[data-testid="alerts-button"]');
  const badge = document.querySelector('[data-testid="alerts-unread"]');
  const panel = h('section', {
    class: 'alerts-panel',
    id: 'alerts-panel',
    testid: 'alerts-panel',
    role: 'dialog',
    'aria-label': 'Notifications',
    hidden: true,
  });
  button.setAttribute('aria-controls', panel.id);
  button.setAttribute('aria-expanded', 'false');
  document.body.appendChild(panel);

  let centre = { alerts: [], unread: 0 };
  let seq = 0;
  let failed = null;

  function isOpen() {
    return !panel.hidden;
  }

  function renderBell() {
    const n = Number(centre.unread || 0);
    badge.textContent = String(n);
    badge.hidden = n === 0;
    const breach = centre.alerts.some((a) => !a.read && a.kind === 'sla_breach');
    button.classList.toggle('has-unread', n > 0);
    button.classList.toggle('has-breach', breach);
    const label = n === 0 ? 'Notifications: none unread' : `Notifications: ${n} unread`;
    button.setAttribute('aria-label', label);
    button.title = `${label} — SLA warnings, breaches, escalations and reminders`;
  }

  function delivery(a) {
    const d = a.delivery || '';
    if (d === '' || d === 'shown' || d === 'pending') return null;
    return h('div', { class: ['alert-delivery', d.startsWith('failed') && 'is-failed'], testid: 'alert-delivery' },
      `Desktop notification: ${d}`);
  }

  function item(a) {
    const when = h('time', { datetime: a.raised_at, class: 'num' }, fullDateTime(a.raised_at));
    // The true due time is shown whenever it reads differently from the time raised (to the
    // second): a breach summarised 40 s late says so as plainly as one 3 h late.
    const lateMs = a.due_at ? new Date(a.raised_at).getTime() - new Date(a.due_at).getTime() : NaN;
    const late = Number.isFinite(lateMs) && fullDateTime(a.due_at) !== fullDateTime(a.raised_at);
    const number = a.incident_number
      ? h('a', {
        href: a.incident_id ? `#/incident/${a.incident_id}` : null,
        class: 'alert-incident mono',
        testid: 'alert-incident',
        onclick: (e) => { e.preventDefault(); e.stopPropagation(); open(a); },
      }, a.incident_number)
      : null;
    return h('li', {
      class: ['alert-item', `alert-${a.kind}`, a.read ? 'is-read' : 'is-unread'],
      testid: 'alert-item',
      'data-id': a.id,
      'data-kind': a.kind,
      'data-read': String(!!a.read),
      tabindex: '0',
      'aria-label': `${a.read ? '' : 'Unread. '}${a.title}`,
      onclick: () => open(a),
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(a); } },
    },
    h('div', { class: 'alert-head' },
      h('span', { class: 'alert-kind' }, a.read ? null : h('span', { class: 'alert-dot', 'aria-hidden': 'true' }), store.label('alert_kind', a.kind)),
      a.priority ? priorityPill(a.priority, null, null, store.choiceLabel('priorities', a.priority)) : null,
      number,
      h('span', { class: 'alert-time muted' }, when)),
    h('div', { class: 'alert-title', testid: 'alert-title' }, a.title),
    a.body ? h('div', { class: 'alert-body muted' }, a.body) : null,
    // Raised after its true time (the desk was closed, or a target was shortened): say both.
    late ? h('div', { class: 'alert-late muted small', testid: 'alert-late' },
      `Due ${fullDateTime(a.due_at)}, raised ${countdown(Math.abs(lateMs))} ${lateMs >= 0 ? 'later' : 'earlier'}`) : null,
    delivery(a));
  }

  function renderPanel() {
    const alerts = [...centre.alerts].sort((a, b) =>
      new Date(b.raised_at).getTime() - new Date(a.raised_at).getTime() || b.id - a.id);
    const unread = Number(centre.unread || 0);
    patch(
      panel,
      h('div', { class: 'alerts-head' },
        h('h2', null, 'Notifications'),
        h('span', { class: 'muted small', testid: 'alerts-panel-count' }, unread === 0 ? 'all read' : `${unread} unread`),
        h('button', {
          type: 'button',
          class: 'btn btn-small',
          testid: 'alerts-mark-read',
          disabled: unread === 0,
          onclick: markAll,
        }, 'Mark all read'),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': 'Close notifications', onclick: close }, 'Close')),
      failed ? h('div', { class: 'form-error', role: 'alert' }, failed) : null,
      alerts.length === 0
        ? h('div', { class: 'alerts-empty muted', testid: 'alerts-empty' },
          h('p', null, 'No notifications yet.'),
          h('p', { class: 'small' }, 'SLA warnings and breaches, escalation rules and reminders appear here when they fire, even while desktop notifications are silenced.'))
        : h('ol', { class: 'alerts-list', testid: 'alerts-list' }, alerts.map(item)),
    );
  }

  async function reload() {
    const mine = ++seq;
    try {
      const result = await api.listAlerts();
      if (mine !== seq) return;
      centre = result;
      failed = null;
    } catch (error) {
      if (mine !== seq) return;
      failed = error.message;
    }
    renderBell();
    if (isOpen()) renderPanel();
  }

  async function markAll() {
    try {
      centre = await api.markAlertsRead(null);
      ++seq;
      failed = null;
      renderBell();
      renderPanel();
    } catch (error) {
      toast(error.message);
    }
  }

  async function open(a) {
    if (!a.read) {
      try {
        centre = await api.markAlertsRead([a.id]);
        ++seq;
        renderBell();
        renderPanel();
      } catch (error) {
        toast(error.message);
      }
    }
    if (a.incident_id) {
      close();
      navigate(`#/incident/${a.incident_id}`);
    }
  }

  function show() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    button.classList.add('is-open');
    renderPanel();
    reload(); // delivery outcomes are recorded after the change event: fetch fresh
    const first = panel.querySelector('.alert-item') || panel.querySelector('button');
    if (first) first.focus({ preventScroll: true });
  }

  function close() {
    if (!isOpen()) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.classList.remove('is-open');
  }

  function toggle() {
    if (isOpen()) close();
    else show();
  }

  button.addEventListener('click', (e) => {
    e.stopPropagation();
    toggle();
  });
  // A click anywhere else closes the panel.
  document.addEventListener('click', (e) => {
    if (!isOpen()) return;
    if (panel.contains(e.target) || button.contains(e.target)) return;
    close();
  });

  renderBell();
  return { reload, isOpen, close, toggle };
}
