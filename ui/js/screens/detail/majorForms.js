// screens/detail/majorForms.js — the forms of a major incident: declaring it (reason, the
// manager who takes control, the crisis bridge) and recording a stakeholder update drafted from a
// template for an audience. The panel that shows the declared incident is major.js.

import { h, clear, option } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import { field, select, idOrNull } from '../../forms.js';
import { minutesText } from '../../format.js';
import { actionForm } from './actionForm.js';

function declareMajor(s) {
  const inc = s.detail.incident;
  const criteria = s.detail.major_criteria || [];
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
  return actionForm(s, {
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
}

function update(s) {
  const inc = s.detail.incident;
  const audience = select({ testid: 'update-audience', items: [], placeholder: 'Loading…' });
  const template = select({ testid: 'update-template', items: [], placeholder: 'No template: write it yourself' });
  const recipients = h('div', { class: 'definition break', testid: 'update-recipients', 'aria-live': 'polite' });
  const subject = h('input', { type: 'text', testid: 'update-subject', autocomplete: 'off' });
  const body = h('textarea', { testid: 'update-body', rows: '9' });
  const refill = h('button', { type: 'button', class: 'btn btn-small', testid: 'update-refill', hidden: true }, 'Replace with the template text');
  const draftNote = h('div', { class: 'definition', 'aria-live': 'polite' });
  let drafted = null; // {subject, body} as the template filled them
  let draftSeq = 0;

  const audienceOf = () => (s.comm ? s.comm.audiences.find((a) => String(a.id) === audience.value) : null) || null;
  const templateOf = () => (s.comm ? s.comm.templates.find((t) => String(t.id) === template.value) : null) || null;
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
      if (s.disposed || mine !== draftSeq) return;
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
      if (!s.disposed && mine === draftSeq) draftNote.textContent = error.message;
    }
  }
  audience.addEventListener('change', () => fillDraft(false));
  template.addEventListener('change', () => fillDraft(false));

  const fill = () => {
    const active = s.comm.audiences.filter((a) => a.active);
    clear(audience);
    audience.appendChild(option('', active.length ? 'Choose the audience…' : 'No active audience (Settings → Communication)'));
    for (const a of active) audience.appendChild(option(a.id, a.name));
    clear(template);
    template.appendChild(option('', 'No template: write it yourself'));
    for (const t of s.comm.templates) template.appendChild(option(t.id, t.name));
    // Preselect the audience whose update is due first; the first template for a first update.
    const next = s.majorInfo && s.majorInfo.next_updates.length
      ? [...majorInfo.next_updates].sort((x, y) => new Date(x.due_at) - new Date(y.due_at))[0] : null;
    if (next && active.some((a) => a.id === next.audience_id)) audience.value = String(next.audience_id);
    // The template used last time, or the first one for a first update.
    const used = s.majorInfo && s.majorInfo.updates.length ? s.majorInfo.updates[s.majorInfo.updates.length - 1].template : null;
    const t = s.comm.templates.find((x) => x.name === used) || s.comm.templates[0];
    if (t) template.value = String(t.id);
    fillDraft(false);
  };
  if (s.comm) setTimeout(fill, 0);
  else {
    api.communicationSettings().then((c) => { s.comm = c; if (!s.disposed) fill(); })
      .catch((error) => { if (!s.disposed) s.showActionError(error); });
  }

  return actionForm(s, {
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
      s.lastSent = { audience: a ? a.name : '', recipients: (a && a.recipients) || '', subject: input.subject, body: input.body };
      return result;
    },
    done: () => `Update to ${s.lastSent ? s.lastSent.audience : 'the audience'} recorded. Copy it or open it as an e-mail draft.`,
  });
}

/** The major-incident forms by action name. */
export const MAJOR_FORMS = { 'declare-major': declareMajor, update };
