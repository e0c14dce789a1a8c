// screens/settings.js — the desk's reference data: services, teams, people, categories, the
// impact × urgency priority matrix, the SLA tabs (policies, calendars, escalation rules,
// reminders; see sla/), communication (stakeholder audiences, update templates,
// major-incident criteria), the check of the recorded history, backups and restore
// (backups.js), and who the operator is. Each list tab is a table plus an
// add/edit form whose refusals appear next to the field the core names. Everything saved goes
// through the core; the store reloads reference data afterwards.

import { h, replace, clear, priorityPill } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import {
  field, checkboxField, select, choiceSelect, recordItems, definitionLine, clearErrors, showError,
  showFormError, busy, idOrNull, submitOnCtrlEnter, trackDirty, loadFailedBanner,
} from '../forms.js';
import { count, minutesText, localiseInstants, fullDateTime, zoneLabel } from '../format.js';
import { entityTab } from './entityTab.js';
import { policiesTab } from './sla/policies.js';
import { calendarsTab } from './sla/calendars.js';
import { escalationTab } from './sla/escalation.js';
import { remindersTab } from './sla/reminders.js';
import { backupsTab } from './backups.js';

const TABS = [
  { id: 'services', label: 'Services' },
  { id: 'teams', label: 'Teams' },
  { id: 'people', label: 'People' },
  { id: 'categories', label: 'Categories' },
  { id: 'matrix', label: 'Priority matrix' },
  { id: 'sla', label: 'SLA policies' },
  { id: 'calendars', label: 'Calendars' },
  { id: 'escalation', label: 'Escalation rules' },
  { id: 'reminders', label: 'Reminders' },
  { id: 'communication', label: 'Communication' },
  { id: 'history', label: 'History' },
  { id: 'backups', label: 'Backups' },
  { id: 'operator', label: 'Who am I' },
];

export function mount(root, params, ctx) {
  const tabId = TABS.some((t) => t.id === params.tab) ? params.tab : 'services';
  ctx.setTitle(`Settings · ${TABS.find((t) => t.id === tabId).label}`);

  const tabButtons = TABS.map((t) => h('a', {
    href: `#/settings/${t.id}`,
    class: ['tab', t.id === tabId && 'is-active'],
    role: 'tab',
    'aria-selected': String(t.id === tabId),
    tabindex: t.id === tabId ? '0' : '-1',
    testid: `settings-tab-${t.id}`,
  }, t.label));
  const tabList = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Settings' }, tabButtons);
  tabList.addEventListener('keydown', (e) => {
    const index = tabButtons.indexOf(document.activeElement);
    if (index < 0) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = tabButtons[(index + (e.key === 'ArrowRight' ? 1 : tabButtons.length - 1)) % tabButtons.length];
      next.focus();
    }
  });

  const panel = h('div', { class: 'settings-panel', role: 'tabpanel' });
  // A new incident left half-filled to add what it needs here: the way back to it.
  const draftNote = store.state.incidentDraft
    ? h('div', { class: 'notice draft-waiting', role: 'status', testid: 'draft-waiting' },
      'Your new incident is kept as you left it. ',
      h('a', { href: '#/new', class: 'btn btn-small btn-primary', testid: 'back-to-draft' }, 'Back to the new incident'))
    : null;
  const view = h('section', { class: 'settings', testid: 'settings' },
    h('header', { class: 'page-head' }, h('h1', null, 'Settings')),
    draftNote,
    tabList,
    panel);
  root.appendChild(view);

  const tab = TAB_BUILDERS[tabId](panel, ctx);
  return {
    unmount() { if (tab.unmount) tab.unmount(); },
    onEscape() { return tab.onEscape ? tab.onEscape() : false; },
    leaveWarning() { return tab.leaveWarning ? tab.leaveWarning() : null; },
    onDeskChanged(payload) {
      if ((payload.incident_id === null || payload.incident_id === undefined) && tab.refresh) tab.refresh();
    },
  };
}

function textInput(testid, value, attrs = {}) {
  return h('input', { type: 'text', testid, value: value || '', autocomplete: 'off', ...attrs });
}

function numberInput(testid, value, attrs = {}) {
  return h('input', { type: 'number', testid, value: String(value ?? 0), min: '0', step: '1', inputmode: 'numeric', ...attrs });
}

const intOf = (input) => {
  const n = parseInt(input.value, 10);
  return Number.isFinite(n) ? n : 0;
};

const yesNo = (b) => (b ? 'Yes' : h('span', { class: 'muted' }, 'No'));

function servicesTab(panel, ctx) {
  return entityTab(panel, ctx, {
    title: 'Services',
    noun: 'service',
    Noun: 'Service',
    intro: 'The services and systems incidents are logged against. Criticality, revenue and users served help judge impact.',
    items: store.services,
    columns: [
      { label: 'Name', cell: (s) => s.name },
      { label: 'Criticality', cell: (s) => store.choiceLabel('criticalities', s.criticality) },
      { label: 'Revenue', cell: (s) => yesNo(s.revenue_generating) },
      { label: 'Users', cell: (s) => count(s.users_served), className: 'num' },
      { label: 'Owner', cell: (s) => s.owner_name || h('span', { class: 'muted' }, '—') },
    ],
    form(s) {
      const name = textInput('service-name', s && s.name);
      const description = h('textarea', { testid: 'service-description', rows: '3' });
      description.value = (s && s.description) || '';
      const owner = select({ testid: 'service-owner', items: recordItems(store.people()), value: s && s.owner_id, placeholder: 'No owner' });
      const criticality = choiceSelect('criticalities', { testid: 'service-criticality', value: (s && s.criticality) || 'medium' });
      const revenue = checkboxField({ key: 'revenue_generating', label: 'Revenue-generating', checked: s && s.revenue_generating, testid: 'service-revenue', hint: 'An outage of more than 15 minutes makes it a major incident.' });
      const users = numberInput('service-users', s ? s.users_served : 0);
      return {
        body: [
          field({ key: 'name', label: 'Name', control: name }),
          field({ key: 'description', label: 'Description', control: description, optional: true }),
          field({ key: 'owner_id', label: 'Service owner', control: owner }),
          field({ key: 'criticality', label: 'Criticality', control: criticality, extra: definitionLine('criticalities', criticality) }),
          revenue,
          field({ key: 'users_served', label: 'Users served', control: users }),
        ],
        read: () => ({
          name: name.value.trim(),
          description: description.value.trim(),
          owner_id: idOrNull(owner.value),
          criticality: criticality.value,
          revenue_generating: revenue.querySelector('input').checked,
          users_served: intOf(users),
        }),
        focus: () => name.focus(),
      };
    },
    save: api.saveService,
    remove: api.deleteService,
  });
}

function teamsTab(panel, ctx) {
  return entityTab(panel, ctx, {
    title: 'Teams',
    noun: 'team',
    Noun: 'Team',
    intro: 'Support groups incidents are assigned and escalated to.',
    items: store.teams,
    columns: [
      { label: 'Name', cell: (t) => t.name },
      { label: 'Tier', cell: (t) => store.choiceLabel('tiers', t.tier) },
      { label: 'Contact', cell: (t) => t.contact || h('span', { class: 'muted' }, '—') },
      { label: 'Response', cell: (t) => `${t.expected_response_minutes} min`, className: 'num' },
    ],
    form(t) {
      const name = textInput('team-name', t && t.name);
      const tier = choiceSelect('tiers', { testid: 'team-tier', value: (t && t.tier) || 'specialist' });
      const contact = textInput('team-contact', t && t.contact, { placeholder: 'Mailbox, phone or chat channel' });
      const minutes = numberInput('team-response', t ? t.expected_response_minutes : 30);
      return {
        body: [
          field({ key: 'name', label: 'Name', control: name }),
          field({ key: 'tier', label: 'Tier', control: tier, extra: definitionLine('tiers', tier) }),
          field({ key: 'contact', label: 'Contact', control: contact, optional: true }),
          field({ key: 'expected_response_minutes', label: 'Expected response (minutes)', control: minutes }),
        ],
        read: () => ({
          name: name.value.trim(),
          tier: tier.value,
          contact: contact.value.trim(),
          expected_response_minutes: intOf(minutes),
        }),
        focus: () => name.focus(),
      };
    },
    save: api.saveTeam,
    remove: api.deleteTeam,
  });
}

function peopleTab(panel, ctx) {
  return entityTab(panel, ctx, {
    title: 'People',
    noun: 'person',
    Noun: 'Person',
    intro: 'Everyone who handles incidents, with their ITIL roles.',
    items: store.people,
    columns: [
      { label: 'Name', cell: (p) => p.name },
      { label: 'Team', cell: (p) => p.team_name || h('span', { class: 'muted' }, '—') },
      { label: 'Roles', cell: (p) => p.roles.map((r) => store.choiceLabel('roles', r)).join(', ') || h('span', { class: 'muted' }, '—') },
      { label: 'E-mail', cell: (p) => p.email || h('span', { class: 'muted' }, '—') },
    ],
    form(p) {
      const name = textInput('person-name', p && p.name, { autocomplete: 'off' });
      const email = h('input', { type: 'email', testid: 'person-email', value: (p && p.email) || '', autocomplete: 'off' });
      const phone = h('input', { type: 'tel', testid: 'person-phone', value: (p && p.phone) || '', autocomplete: 'off' });
      const team = select({ testid: 'person-team', items: recordItems(store.teams()), value: p && p.team_id, placeholder: 'No team' });
      const held = new Set(p ? p.roles : ['service_desk_analyst']);
      const roleBoxes = store.choices('roles').map((r, index) => {
        const box = h('input', { type: 'checkbox', value: r.value, checked: held.has(r.value), testid: `role-${r.value}`, 'data-field': index === 0 ? 'roles' : null });
        return h('label', { class: 'check check-block' }, box,
          h('span', null, h('strong', null, r.label), h('span', { class: 'muted' }, ` — ${r.definition}`)));
      });
      const roles = h('fieldset', { class: 'field field-wide roles', 'data-field-wrap': 'roles' },
        h('legend', { class: 'field-label' }, 'Roles'), roleBoxes);
      return {
        body: [
          field({ key: 'name', label: 'Name', control: name }),
          h('div', { class: 'form-row' },
            field({ key: 'email', label: 'E-mail', control: email, optional: true }),
            field({ key: 'phone', label: 'Phone', control: phone, optional: true })),
          field({ key: 'team_id', label: 'Team', control: team }),
          roles,
        ],
        read: () => ({
          name: name.value.trim(),
          email: email.value.trim(),
          phone: phone.value.trim(),
          team_id: idOrNull(team.value),
          roles: [...roles.querySelectorAll('input[type="checkbox"]:checked')].map((b) => b.value),
        }),
        focus: () => name.focus(),
      };
    },
    save: api.savePerson,
    remove: api.deletePerson,
  });
}

function categoriesTab(panel, ctx) {
  return entityTab(panel, ctx, {
    title: 'Categories',
    noun: 'category',
    Noun: 'Category',
    intro: 'The type of issue (network, application, hardware, security). Inactive categories stay on old incidents but are not offered for new ones.',
    items: store.categories,
    columns: [
      { label: 'Name', cell: (c) => c.name },
      { label: 'Active', cell: (c) => yesNo(c.active) },
    ],
    form(c) {
      const name = textInput('category-name', c && c.name);
      const active = checkboxField({ key: 'active', label: 'Active (offered for new incidents)', checked: c ? c.active : true, testid: 'category-active' });
      return {
        body: [field({ key: 'name', label: 'Name', control: name }), active],
        read: () => ({ name: name.value.trim(), active: active.querySelector('input').checked }),
        focus: () => name.focus(),
      };
    },
    save: api.saveCategory,
    remove: api.deleteCategory,
  });
}

// ---- priority matrix ----------------------------------------------------------------------------

function matrixTab(panel, ctx) {
  const slot = h('div', { class: 'form-errors' });
  let selects = [];

  function cellsOf(matrix) {
    if (!matrix) return [];
    return Array.isArray(matrix) ? matrix : matrix.cells || [];
  }

  function build() {
    const impacts = store.choices('impacts');
    const urgencies = store.choices('urgencies');
    const priorities = store.choices('priorities');
    const cells = cellsOf(store.state.ref && store.state.ref.matrix);
    selects = [];
    const body = impacts.map((impact, r) => {
      const cellsOfRow = urgencies.map((urgency, c) => {
        const sel = select({
          testid: `matrix-${impact.value}-${urgency.value}`,
          items: priorities.map((p) => ({ value: p.value, label: p.label })),
          value: (cells[r] && cells[r][c]) || 'P4',
        });
        sel.setAttribute('aria-label', `Priority when impact is ${impact.label} and urgency is ${urgency.label}`);
        const td = h('td', { class: ['matrix-cell', `cell-${sel.value}`] }, sel);
        sel.addEventListener('change', () => { td.className = `matrix-cell cell-${sel.value}`; });
        return { sel, td };
      });
      selects.push(cellsOfRow.map((x) => x.sel));
      return h('tr', null,
        h('th', { scope: 'row', class: 'matrix-rowhead' }, h('strong', null, impact.label), h('div', { class: 'muted small' }, impact.definition)),
        cellsOfRow.map((x) => x.td));
    });

    const form = h(
      'form',
      {
        class: 'matrix-form',
        testid: 'matrix-form',
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          clear(slot);
          await busy(form, async () => {
            try {
              await api.savePriorityMatrix({ cells: selects.map((row) => row.map((s) => s.value)) });
              await store.loadReference();
              ctx.toast('Priority matrix saved. New incidents and previews use it now.');
              build();
            } catch (error) {
              showError(form, slot, error);
            }
          });
        },
      },
      h('h2', null, 'Priority matrix'),
      h('p', { class: 'field-hint' }, 'Priority is impact × urgency. Rows are impact (how widely it hurts), columns urgency (how fast it gets worse). Existing incidents keep their priority; the matrix applies to new ones and to edits of impact or urgency.'),
      slot,
      h('div', { class: 'matrix-wrap' },
        h('table', { class: 'matrix', testid: 'matrix' },
          h('thead', null, h('tr', null,
            h('th', { class: 'matrix-corner' }, h('span', null, 'Impact ↓ / Urgency →')),
            urgencies.map((u) => h('th', { scope: 'col', class: 'matrix-colhead' }, h('strong', null, u.label), h('div', { class: 'muted small' }, u.definition))))),
          h('tbody', null, body))),
      h('div', { class: 'matrix-legend' },
        priorities.map((p) => h('div', { class: 'legend-item' }, priorityPill(p.value, p.label), h('span', { class: 'muted small' }, p.definition)))),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', testid: 'matrix-save' }, 'Save matrix'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: build }, 'Undo changes')),
    );
    replace(panel, form);
    current = form;
    form.addEventListener('change', () => { form.dirty = true; });
  }

  let current = null;
  build();
  // Alerts and other settings also announce changes: never throw away cells being edited.
  return { refresh: () => { if (!current || !current.dirty) build(); } };
}

// ---- communication -------------------------------------------------------------------------------

/** What each template placeholder becomes, shown beside the list the core returns. */
const PLACEHOLDER_HELP = {
  '{number}': 'the incident number, INC-000042',
  '{title}': 'the incident title',
  '{service}': 'the affected service',
  '{started}': 'when it started',
  '{impact}': 'the impact level and its definition',
  '{status}': 'the current status',
  '{workaround}': 'the workaround, or “none yet”',
  '{next_update}': 'when the next update is due',
};

function communicationTab(panel, ctx) {
  let settings = null;
  let disposed = false;
  let audiences = null;
  let templates = null;
  let criteriaForm = null;
  const audienceSlot = h('div', { class: 'comm-part', testid: 'comm-audiences' });
  const templateSlot = h('div', { class: 'comm-part', testid: 'comm-templates' });
  const criteriaSlot = h('div', { class: 'comm-part', testid: 'comm-criteria' });

  /** Saves through `call`, keeps the returned settings and gives back the saved record. */
  async function saveVia(list, call, input) {
    const create = input.id === null;
    const before = new Set(settings[list].map((x) => x.id));
    settings = await call({ ...input, id: create ? 0 : input.id }, create);
    const saved = create
      ? settings[list].find((x) => !before.has(x.id))
      : settings[list].find((x) => x.id === input.id);
    return saved || { ...input, id: input.id || 0 };
  }

  function build() {
    audiences = entityTab(audienceSlot, ctx, {
      title: 'Audiences',
      noun: 'audience',
      Noun: 'Audience',
      prefix: 'audience',
      gridClass: 'audiences-grid',
      intro: 'Who hears about a major incident, and how often. Each active audience gets an update due every cadence from the declaration until the incident is resolved; the desk reminds you when one is due.',
      items: () => settings.audiences,
      columns: [
        { label: 'Name', cell: (a) => a.name },
        { label: 'Recipients', cell: (a) => a.recipients || h('span', { class: 'muted' }, '—') },
        { label: 'Cadence', cell: (a) => `every ${minutesText(a.cadence_minutes)}` },
        { label: 'Active', cell: (a) => yesNo(a.active) },
      ],
      form(a) {
        const name = textInput('audience-name', a && a.name, { placeholder: 'e.g. Executives' });
        const recipients = textInput('audience-recipients', a && a.recipients, { placeholder: 'e-mail addresses, separated by commas', spellcheck: 'false' });
        const cadence = numberInput('audience-cadence', a ? a.cadence_minutes : 30, { min: '1', max: '1440' });
        const cadenceLine = h('div', { class: 'definition', 'aria-live': 'polite' });
        const updateLine = () => {
          const m = Number(cadence.value);
          cadenceLine.textContent = Number.isInteger(m) && m > 0 ? `An update every ${minutesText(m)}` : '';
        };
        cadence.addEventListener('input', updateLine);
        updateLine();
        const active = checkboxField({ key: 'active', label: 'Active (updates are due to this audience)', checked: a ? a.active : true, testid: 'audience-active' });
        return {
          body: [
            field({ key: 'name', label: 'Name', control: name }),
            field({ key: 'recipients', label: 'Recipients', control: recipients, optional: true, hint: 'Used for the e-mail draft of each update.' }),
            field({
              key: 'cadence_minutes', label: 'Cadence (minutes)', control: cadence, extra: cadenceLine,
              hint: 'The reference: every 15–30 minutes for major incidents, even if nothing has changed.',
            }),
            active,
          ],
          read: () => ({
            name: name.value.trim(),
            recipients: recipients.value.trim(),
            cadence_minutes: intOf(cadence),
            active: active.querySelector('input').checked,
          }),
          focus: () => name.focus(),
        };
      },
      save: (input) => saveVia('audiences', api.saveAudience, input),
      afterSave: async () => {},
    });

    templates = entityTab(templateSlot, ctx, {
      title: 'Templates',
      noun: 'template',
      Noun: 'Template',
      prefix: 'template',
      gridClass: 'templates-grid',
      intro: 'Ready-made stakeholder updates. The placeholders are filled from the incident when an update is drafted; the text stays editable before sending.',
      items: () => settings.templates,
      columns: [
        { label: 'Name', cell: (t) => t.name },
        { label: 'Subject', cell: (t) => t.subject },
      ],
      form(t) {
        const name = textInput('template-name', t && t.name, { placeholder: 'e.g. Investigating' });
        const subject = textInput('template-subject', t && t.subject, { placeholder: '[{number}] Investigating: {service} disruption' });
        const body = h('textarea', { testid: 'template-body', rows: '9' });
        body.value = (t && t.body) || '';
        let target = body; // the field a placeholder goes into
        subject.addEventListener('focus', () => { target = subject; });
        body.addEventListener('focus', () => { target = body; });
        const insert = (ph) => {
          const start = target.selectionStart ?? target.value.length;
          const end = target.selectionEnd ?? start;
          target.setRangeText(ph, start, end, 'end');
          target.dispatchEvent(new Event('input', { bubbles: true }));
          target.focus();
        };
        const placeholders = h('div', { class: 'field field-wide' },
          h('div', { class: 'field-label' }, 'Placeholders'),
          h('ul', { class: 'placeholder-list', testid: 'template-placeholders' }, settings.placeholders.map((ph) => h('li', null,
            h('button', { type: 'button', class: 'btn btn-small placeholder', title: `Insert ${ph}`, onclick: () => insert(ph) }, h('code', null, ph)),
            PLACEHOLDER_HELP[ph] ? h('span', { class: 'muted small' }, ` ${PLACEHOLDER_HELP[ph]}`) : null))),
          h('div', { class: 'field-hint' }, 'Click one to insert it where the cursor is, in the subject or the text.'));
        return {
          body: [
            field({ key: 'name', label: 'Name', control: name }),
            field({ key: 'subject', label: 'Subject', control: subject }),
            field({ key: 'body', label: 'Text', control: body }),
            placeholders,
          ],
          read: () => ({ name: name.value.trim(), subject: subject.value, body: body.value }),
          focus: () => name.focus(),
        };
      },
      save: (input) => saveVia('templates', api.saveTemplate, input),
      afterSave: async () => {},
    });

    buildCriteria();
  }

  function buildCriteria() {
    const c = settings.criteria;
    const slot = h('div', { class: 'form-errors' });
    const users = numberInput('criteria-users', c.users_threshold, { min: '1' });
    const revenue = numberInput('criteria-revenue', c.revenue_down_minutes, { min: '1' });
    const sla = numberInput('criteria-sla', c.p1_breach_likely_percent, { min: '1', max: '100' });
    const risk = textInput('criteria-risk', (c.risk_categories || []).join(', '), { placeholder: 'e.g. Security' });
    const known = store.categories().map((x) => x.name);
    const form = h('form', {
      class: 'settings-form criteria-form',
      testid: 'criteria-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        await busy(form, async () => {
          try {
            settings = await api.saveMajorCriteria({
              users_threshold: intOf(users),
              revenue_down_minutes: intOf(revenue),
              p1_breach_likely_percent: intOf(sla),
              risk_categories: risk.value.split(',').map((x) => x.trim()).filter(Boolean),
            });
            if (disposed) return;
            ctx.toast('Major-incident criteria saved. Open incidents are checked against them now.');
            buildCriteria();
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, 'Major-incident criteria'),
    h('p', { class: 'field-hint' }, 'The desk suggests declaring a major incident when one of these holds, and says which. The reference: “any incident affecting more than 500 users” or “any outage of revenue-generating systems exceeding 15 minutes”, an SLA breach that is likely, or a security or regulatory risk.'),
    slot,
    h('div', { class: 'form-row' },
      field({ key: 'users_threshold', label: 'More users affected than', control: users }),
      field({ key: 'revenue_down_minutes', label: 'Revenue service down longer than (minutes)', control: revenue }),
      field({ key: 'p1_breach_likely_percent', label: 'P1 breach likely at (% of the target used)', control: sla })),
    field({
      key: 'risk_categories', label: 'Categories with a security or regulatory risk', control: risk, wide: true,
      hint: `Category names, separated by commas.${known.length ? ` Categories: ${known.join(', ')}.` : ''}`,
    }),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'criteria-save' }, 'Save criteria')));
    submitOnCtrlEnter(form);
    trackDirty(form);
    form.source = JSON.stringify(c);
    criteriaForm = form;
    replace(criteriaSlot, form);
  }

  async function load() {
    try {
      const result = await api.communicationSettings();
      if (disposed) return;
      const first = settings === null;
      settings = result;
      if (first) {
        replace(panel, h('div', { class: 'comm-settings', testid: 'communication-settings' }, audienceSlot, templateSlot, criteriaSlot));
        build();
      } else {
        audiences.refresh();
        templates.refresh();
        if (!criteriaForm.dirty && criteriaForm.source !== JSON.stringify(settings.criteria)) buildCriteria();
      }
    } catch (error) {
      if (!disposed) loadFailedBanner(panel, 'The communication settings', error, load);
    }
  }

  replace(panel, h('p', { class: 'muted' }, 'Loading…'));
  load();
  return {
    refresh: load,
    unmount() { disposed = true; },
    onEscape() {
      return (audiences && audiences.onEscape()) || (templates && templates.onEscape()) || false;
    },
    leaveWarning() {
      return (audiences && audiences.leaveWarning())
        || (templates && templates.leaveWarning())
        || (criteriaForm && criteriaForm.dirty ? 'Discard your changes to the major-incident criteria?' : null);
    },
  };
}

// ---- history ------------------------------------------------------------------------------------

function historyTab(panel) {
  const result = h('div', { class: 'verify-slot', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'btn btn-primary', testid: 'verify-history', onclick: run }, 'Verify history');
  let disposed = false;

  async function run() {
    button.disabled = true;
    replace(result, h('p', { class: 'muted' }, 'Checking every recorded event…'));
    try {
      const c = await api.verifyHistory();
      if (disposed) return;
      const extras = [
        `${count(c.incidents_checked)} ${c.incidents_checked === 1 ? 'incident' : 'incidents'} compared with the seal of their last event`,
        c.incidents_not_sealed ? `${count(c.incidents_not_sealed)} not yet sealed (unchanged since before this version)` : null,
        c.heads_checked.length ? `checked against ${c.heads_checked.map(localiseInstants).join('; ')}` : 'no copy of the chain head was found outside the database',
      ].filter(Boolean).join('; ') + '.';
      const restored = c.triggers_restored.length
        ? h('p', { class: 'form-error', testid: 'verify-triggers' }, `The guards that keep the history append-only were missing and have been recreated (${c.triggers_restored.join(', ')}).`)
        : null;
      replace(result, c.intact
        ? h('div', { class: 'verify-ok', testid: 'verify-result', 'data-intact': 'true', role: 'status' },
          h('p', null, h('strong', null, 'Intact. '), `${count(c.events_checked)} ${c.events_checked === 1 ? 'event' : 'events'} checked at ${fullDateTime(new Date())} (${zoneLabel()}): each one carries the hash of the one before, and none was altered or removed.`),
          h('p', { class: 'small', testid: 'verify-extras' }, extras),
          restored,
          h('dl', { class: 'facts facts-wide' },
            h('dt', null, 'Last hash'), h('dd', { class: 'mono break', testid: 'verify-last-hash' }, c.last_hash || '— (no events yet)')))
        : h('div', { class: 'form-error verify-bad', testid: 'verify-result', 'data-intact': 'false', role: 'alert' },
          h('p', null, h('strong', null, 'The history was altered. ')),
          // The core's sentences carry instants as RFC 3339; they are read here in local time.
          h('ul', { class: 'prose', testid: 'verify-problems' }, ...(c.problems.length ? c.problems : [c.problem || 'An event does not match its hash.']).map((p) => h('li', null, localiseInstants(p)))),
          restored,
          h('p', { class: 'small' }, `${count(c.events_checked)} ${c.events_checked === 1 ? 'event' : 'events'} checked`,
            c.first_bad_event_id ? `; the first bad event is number ${count(c.first_bad_event_id)}.` : '.')));
    } catch (error) {
      if (!disposed) replace(result, h('div', { class: 'form-error', testid: 'verify-result', 'data-intact': 'false', role: 'alert' }, error.message));
    } finally {
      button.disabled = false;
    }
  }

  replace(panel, h('section', { class: 'settings-form history-form', testid: 'history' },
    h('h2', null, 'History'),
    h('p', { class: 'field-hint' },
      'Every event on an incident’s timeline — changes, SLA clocks, major-incident declarations, stakeholder updates, the opening and finalising of reviews — carries a hash of its content and of the event before it. ',
      'Changing or deleting one afterwards breaks the chain. The check reads the whole history and names the first event that does not fit, ',
      'compares every incident’s record with the seal its last event carries (a record edited outside the app is named), ',
      'and checks the chain against its head kept beside the database and in each backup, which catches deleted newest events. ',
      'A printed review shows the last hash, so a printout can be compared with the database. ',
      'What it cannot prove: someone able to rewrite the database file, the head file and every backup can forge a consistent history.'),
    h('div', { class: 'form-actions' }, button),
    result));
  return { unmount() { disposed = true; } };
}

/** The organisation name that heads every printed report. */
function organisationForm(info, ctx) {
  const slot = h('div', { class: 'form-errors' });
  const name = h('input', { type: 'text', id: 'organisation-name', testid: 'organisation-name', value: info.organisation || '', autocomplete: 'organization' });
  const form = h('form', {
    class: 'settings-form organisation-form',
    testid: 'organisation-form',
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      clearErrors(form);
      clear(slot);
      await busy(form, async () => {
        try {
          const saved = await api.setOrganisation(name.value);
          await store.loadInfo();
          ctx.toast(`Reports will be headed “${saved}”.`);
        } catch (error) {
          showError(form, slot, error);
        }
      });
    },
  },
  h('h3', null, 'Organisation'),
  slot,
  field({ key: 'organisation', label: 'Name printed on reports', control: name }),
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn', testid: 'organisation-save' }, 'Save name')));
  return form;
}

// ---- who am I ---------------------------------------------------------------------------------------

function operatorTab(panel, ctx) {
  function build() {
    const op = store.state.operator;
    const info = store.state.info;
    const slot = h('div', { class: 'form-errors' });
    const who = select({ testid: 'operator-select', items: recordItems(store.people()), value: op && op.id, placeholder: 'Choose a person…' });
    const form = h(
      'form',
      {
        class: 'settings-form operator-form',
        testid: 'operator-form',
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          clearErrors(form);
          clear(slot);
          if (!who.value) {
            showFormError(slot, 'Choose who you are from the list.');
            who.focus();
            return;
          }
          await busy(form, async () => {
            try {
              const person = await api.setOperator(Number(who.value));
              await Promise.all([store.loadReference(), store.loadInfo()]);
              ctx.toast(`You are now working as ${person.name}.`);
              build();
            } catch (error) {
              showError(form, slot, error);
            }
          });
        },
      },
      h('h2', null, 'Who am I'),
      h('p', { class: 'field-hint' }, 'Every change made in this window is recorded under the operator’s name. Add people in the People tab.'),
      slot,
      h('p', null, 'You are working as ', h('strong', { testid: 'operator-current' }, op ? op.name : 'nobody yet'), '.'),
      field({ key: 'person_id', label: 'Work as', control: who }),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', testid: 'operator-submit' }, 'Use this person')),
    );
    const about = info
      ? h('section', { class: 'about' },
        h('h2', null, 'This desk'),
        h('dl', { class: 'facts facts-wide' },
          h('dt', null, 'Database'), h('dd', { class: 'mono break' }, info.database_path),
          h('dt', null, 'Version'), h('dd', null, info.version),
          h('dt', null, 'Schema'), h('dd', null, String(info.schema_version)),
          h('dt', null, 'Incidents'), h('dd', null, count(info.incident_count))),
        organisationForm(info, ctx))
      : null;
    replace(panel, h('div', { class: 'settings-split' }, form, about));
    current = form;
    form.addEventListener('change', () => { form.dirty = true; });
  }
  let current = null;
  store.loadInfo().then(() => build()).catch(() => {});
  build();
  return { refresh: () => { if (!current || !current.dirty) build(); } };
}

const TAB_BUILDERS = {
  services: servicesTab,
  teams: teamsTab,
  people: peopleTab,
  categories: categoriesTab,
  matrix: matrixTab,
  sla: policiesTab,
  calendars: calendarsTab,
  escalation: escalationTab,
  reminders: remindersTab,
  communication: communicationTab,
  history: historyTab,
  backups: backupsTab,
  operator: operatorTab,
};
