// screens/detail/major.js — the major incident on the detail: the suggestion banner while the
// core says its criteria hold, and once declared the panel (declaration, who is engaged, the next
// stakeholder update per audience counting down, the updates sent with Copy / e-mail draft, the
// review's open actions). Its forms are in majorForms.js.

import { h, replace, clear, kbd } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import { fullDateTime, countdown } from '../../format.js';
import { actionStatusLabel } from '../review.js';
import { offered, suggested, reviewStatusLabel } from './actions.js';

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

/** The suggestion banner while the criteria hold, the major-incident panel once declared. */
export function renderMajor(s) {
  s.majorLive = [];
  s.bannerButton = null;
  if (!s.detail) return;
  if (s.detail.major) {
    replace(s.slots.major, majorPanel(s, s.detail.major, s.majorInfo));
  } else if (suggested(s)) {
    replace(s.slots.major, suggestionBanner(s, s.detail.major_criteria));
  } else {
    clear(s.slots.major);
  }
}

function suggestionBanner(s, criteria) {
  s.bannerButton = h('button', {
    type: 'button',
    class: 'btn btn-danger',
    testid: 'action-declare-major',
    title: 'Declare major incident (D)',
    'aria-expanded': String(!!(s.panel && s.panel.name === 'declare-major')),
    onclick: () => s.runAction('declare-major'),
  }, 'Declare major incident', h('kbd', { class: 'btn-key', 'aria-hidden': 'true' }, 'D'));
  return h('section', { class: 'major-suggestion', testid: 'major-suggestion', role: 'region', 'aria-label': 'Major incident suggested' },
    h('div', { class: 'major-suggestion-text' },
      h('h2', null, 'This looks like a major incident'),
      h('p', null, criteria.length === 1 ? 'A criterion of a major incident holds now:' : 'These criteria of a major incident hold now:'),
      h('ul', { class: 'major-criteria' }, criteria.map((c) => h('li', { testid: 'major-criterion', 'data-code': c.code }, c.text))),
      h('p', { class: 'small muted' }, 'Declaring hands control to a major incident manager, opens a crisis bridge and starts stakeholder updates every 15–30 minutes.')),
    h('div', { class: 'major-suggestion-action' }, s.bannerButton));
}

function majorPanel(s, rec, info) {
  const inc = s.detail.incident;
  const none = (text) => h('span', { class: 'muted' }, text);
  const updates = info ? info.updates : [];
  const lastOf = (audienceId) => updates.filter((u) => u.audience_id === audienceId).slice(-1)[0] || null;

  let nextBlock;
  if (!info) {
    nextBlock = h('p', { class: 'muted small' }, 'Loading…');
  } else if (info.next_updates.length === 0) {
    nextBlock = h('p', { class: 'muted small', testid: 'next-updates-none' },
      !inc.resolved_at && !inc.closed_at
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
      s.majorLive.push(tick);
      tick(Date.now());
      return item;
    }));
  }

  const sentBox = s.lastSent ? sentNotice(s, s.lastSent) : null;

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
        offered(s, 'update')
          ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => s.runAction('update') }, 'Send update ', kbd('T'))
          : null),
      nextBlock),
    sentBox,
    h('div', { class: 'major-sub' },
      h('h3', null, 'Updates sent ', h('span', { class: 'muted count' }, String(updates.length))),
      updateList || h('p', { class: 'muted small' }, 'Loading…')),
    h('div', { class: 'major-sub', testid: 'major-open-actions' },
      h('div', { class: 'major-sub-head' },
        h('h3', null, 'Open actions'),
        s.detail.review_status
          ? h('a', { class: 'btn btn-small', href: `#/incident/${s.id}/review` }, `Post-incident review (${reviewStatusLabel(s.detail.review_status)}) `, kbd('O'))
          : null),
      !info ? h('p', { class: 'muted small' }, 'Loading…')
        : actions.length === 0
          ? h('p', { class: 'muted small' }, s.detail.review_status ? 'No open action items in the review.' : 'None yet: action items come from the post-incident review.')
          : h('ul', { class: 'open-actions' }, actions.map((a) => h('li', { testid: 'major-open-action' },
            h('span', null, a.text),
            h('span', { class: 'muted' }, ` · ${a.owner_name || 'no owner'}${a.due_date ? ` · due ${a.due_date}` : ''} · ${actionStatusLabel(a.status)}`))))));
}

/** The update just sent: copy it, or hand it to the mail program as a draft. */
function sentNotice(s, sent) {
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
          s.ctx.toast(ok ? 'Subject and text copied.' : 'The clipboard refused; select the text in the list below.');
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
            s.ctx.toast('This window cannot start your mail program: use Copy, and paste into a new e-mail.');
          } catch (error) {
            s.ctx.toast(`The mail program could not be opened: ${error.message}`);
          }
        },
      }, 'Open as e-mail draft'),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => { s.lastSent = null; renderMajor(s); } }, 'Dismiss')));
}

export async function loadMajor(s) {
  const mine = ++s.majorSeq;
  if (!s.detail || !s.detail.major) {
    s.majorInfo = null;
    return;
  }
  try {
    const info = await api.majorView(s.id);
    if (s.disposed || mine !== s.majorSeq) return;
    s.majorInfo = info;
    renderMajor(s);
  } catch (error) {
    if (!s.disposed && mine === s.majorSeq) s.showActionError(error);
  }
}
