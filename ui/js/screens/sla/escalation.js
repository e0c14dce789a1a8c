// screens/sla/escalation.js — Settings › Escalation rules: rules that act on their own when a
// matching incident is not acknowledged or not resolved in time (escalate to a team, notify a
// person, raise the priority), each recorded on the incident's timeline with its reason.
// Built on the settings screens' tab helper (entityTab); trigger and action labels come from the
// core's vocabulary.

import { h, replace } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import { field, checkboxField, select, choiceSelect, recordItems, idOrNull } from '../../forms.js';
import { minutesText } from '../../format.js';
import { explainMinutes } from '../../sla.js';
import { entityTab } from '../entityTab.js';
import { slaLoader, minutesInput, minutesOf, minutesLine, muted } from './common.js';

// The values the core accepts, offered when its vocabulary does not list them; labels come from
// the vocabulary (store.label).
const TRIGGER_VALUES = ['unacknowledged', 'unresolved'];
const ACTION_VALUES = ['escalate_team', 'notify_person', 'raise_priority'];

function nameOf(list, id) {
  const found = store.byId(list, id);
  return found ? found.name : `#${id}`;
}

function ruleConditions(r) {
  const parts = [];
  if (r.priority) parts.push(r.priority);
  if (r.category_id) parts.push(nameOf(store.categories(), r.category_id));
  if (r.service_id) parts.push(nameOf(store.services(), r.service_id));
  if (r.team_id) parts.push(`team ${nameOf(store.teams(), r.team_id)}`);
  if (r.tier) parts.push(store.choiceLabel('tiers', r.tier));
  return parts.length ? parts.join(' · ') : 'Every incident';
}

function ruleTrigger(r) {
  return `${store.label('rule_trigger', r.trigger)} after ${minutesText(r.after_minutes)}`;
}

function ruleAction(r) {
  if (r.action === 'escalate_team') return `Escalate to ${r.target_team_id ? nameOf(store.teams(), r.target_team_id) : '?'}`;
  if (r.action === 'notify_person') return `Notify ${r.target_person_id ? nameOf(store.people(), r.target_person_id) : '?'}`;
  if (r.action === 'raise_priority') return `Raise to ${r.target_priority || '?'}`;
  return r.action;
}

export function escalationTab(panel, ctx) {
  let settings = null;
  let tab = null;
  // The first load builds the tab (the table needs the rules); later loads redraw it.
  const loader = slaLoader(panel, (result, first) => {
    settings = result;
    if (first) tab = entityTab(panel, ctx, spec);
    else tab.refresh();
  });

  const spec = {
    noun: 'rule',
    Noun: 'Rule',
    title: 'Escalation rules',
    intro: 'A rule acts on its own when a matching incident is not acknowledged or not resolved in time: it escalates, notifies someone or raises the priority, and records why on the timeline. Switch a rule off with “Active”.',
    gridClass: 'rules-grid',
    items: () => settings.rules,
    rowClass: (r) => !r.active && 'is-closed',
    columns: [
      { label: 'Name', cell: (r) => h('span', { title: r.name }, r.name) },
      { label: 'When', cell: (r) => h('span', { title: ruleConditions(r) }, ruleConditions(r)) },
      { label: 'Trigger', cell: (r) => h('span', { title: ruleTrigger(r) }, ruleTrigger(r)) },
      { label: 'Action', cell: (r) => h('span', { title: ruleAction(r) }, ruleAction(r)) },
      { label: 'Active', cell: (r) => (r.active ? 'Yes' : muted('No')) },
    ],
    heading: (rule) => (rule ? 'Edit escalation rule' : 'New escalation rule'),
    saveLabel: (rule) => (rule ? 'Save rule' : 'Add rule'),
    savedMessage: (saved) => `Rule “${saved.name}” saved. Open incidents are checked against it now.`,
    form: ruleForm,
    async save(input) {
      if (!Number.isInteger(input.after_minutes)) {
        throw { field: 'after_minutes', message: 'Enter the time as a whole number of minutes (at least 1)' };
      }
      const before = new Set(settings.rules.map((x) => x.id));
      settings = await api.saveEscalationRule(input);
      loader.settings = settings;
      const saved = input.id === null
        ? settings.rules.find((x) => !before.has(x.id))
        : settings.rules.find((x) => x.id === input.id);
      return saved || { id: input.id, name: input.name };
    },
    afterSave: async () => {},
  };

  /** The fields of a rule: what it applies to, when it fires, what it does. */
  function ruleForm(rule) {
    const r = rule || {
      id: null, name: '', active: true, priority: null, category_id: null, service_id: null, team_id: null,
      tier: null, trigger: 'unresolved', after_minutes: 30, action: 'escalate_team', target_team_id: null,
      target_person_id: null, target_priority: null, reason: '',
    };
    const name = h('input', { type: 'text', testid: 'rule-name', value: r.name, autocomplete: 'off', placeholder: 'e.g. Unresolved network P1 → Network team' });
    const active = checkboxField({ key: 'active', label: 'Active', checked: r.active, testid: 'rule-active', hint: 'Inactive rules are kept but never fire.' });
    const priority = select({ testid: 'rule-priority', items: store.choices('priorities').map((p) => ({ value: p.value, label: p.label })), value: r.priority, placeholder: 'Any priority' });
    const category = select({ testid: 'rule-category', items: recordItems(store.categories()), value: r.category_id, placeholder: 'Any category' });
    const service = select({ testid: 'rule-service', items: recordItems(store.services()), value: r.service_id, placeholder: 'Any service' });
    const team = select({ testid: 'rule-team', items: recordItems(store.teams()), value: r.team_id, placeholder: 'Any team' });
    const tier = choiceSelect('tiers', { testid: 'rule-tier', value: r.tier, placeholder: 'Any tier' });
    const trigger = select({ testid: 'rule-trigger', items: store.vocabularyItems('rule_trigger', TRIGGER_VALUES), value: r.trigger });
    const minutes = minutesInput('rule-minutes', r.after_minutes);
    const minutesHelp = minutesLine(minutes, (v) => {
      const m = Number(v);
      return Number.isInteger(m) && m > 0 ? `${explainMinutes(m, null)} after logging, by the wall clock` : '';
    });
    const action = select({ testid: 'rule-action', items: store.vocabularyItems('rule_action', ACTION_VALUES), value: r.action });
    const targetTeam = select({ testid: 'rule-target-team', items: recordItems(store.teams()), value: r.target_team_id, placeholder: 'Choose a team…' });
    const targetPerson = select({ testid: 'rule-target-person', items: recordItems(store.people()), value: r.target_person_id, placeholder: 'Choose a person…' });
    const targetPriority = select({ testid: 'rule-target-priority', items: store.choices('priorities').map((p) => ({ value: p.value, label: p.label })), value: r.target_priority, placeholder: 'Choose a priority…' });
    const teamInfo = h('div', { class: 'definition', testid: 'rule-target-team-info', 'aria-live': 'polite' });
    const updateTeamInfo = () => {
      const t = store.byId(store.teams(), targetTeam.value);
      teamInfo.textContent = t
        ? `${store.choiceLabel('tiers', t.tier)} · contact: ${t.contact || 'none recorded'} · expected response ${minutesText(t.expected_response_minutes)}`
        : '';
      teamInfo.hidden = !t;
    };
    targetTeam.addEventListener('change', updateTeamInfo);
    updateTeamInfo();
    const personInfo = h('div', { class: 'definition' });
    const updatePersonInfo = () => {
      const p = store.byId(store.people(), targetPerson.value);
      personInfo.textContent = p ? [p.team_name, p.email, p.phone].filter(Boolean).join(' · ') : '';
      personInfo.hidden = !personInfo.textContent;
    };
    targetPerson.addEventListener('change', updatePersonInfo);
    updatePersonInfo();
    const reason = h('textarea', { testid: 'rule-reason', rows: '2', placeholder: 'Why this rule exists; shown on the incident when it fires' });
    reason.value = r.reason || '';

    const teamField = field({ key: 'target_team_id', label: 'Team to escalate to', control: targetTeam, extra: teamInfo });
    const personField = field({ key: 'target_person_id', label: 'Person to notify', control: targetPerson, extra: personInfo });
    const priorityField = field({ key: 'target_priority', label: 'Raise the priority to', control: targetPriority });
    const reasonField = field({ key: 'reason', label: 'Reason', control: reason, wide: true, hint: 'Required when the rule raises the priority; recorded on the incident.' });
    const syncAction = () => {
      teamField.hidden = action.value !== 'escalate_team';
      personField.hidden = action.value !== 'notify_person';
      priorityField.hidden = action.value !== 'raise_priority';
    };
    action.addEventListener('change', syncAction);
    syncAction();

    const body = [
      field({ key: 'name', label: 'Name', control: name }),
      active,
      h('fieldset', { class: 'field field-wide rule-part' },
        h('legend', { class: 'field-label' }, 'Applies to (leave “any” to match all)'),
        h('div', { class: 'form-row' },
          field({ key: 'priority', label: 'Priority', control: priority }),
          field({ key: 'category_id', label: 'Category', control: category }),
          field({ key: 'service_id', label: 'Service', control: service })),
        h('div', { class: 'form-row' },
          field({ key: 'team_id', label: 'Assigned team', control: team }),
          field({ key: 'tier', label: 'Team tier', control: tier }))),
      h('fieldset', { class: 'field field-wide rule-part' },
        h('legend', { class: 'field-label' }, 'When'),
        h('div', { class: 'form-row' },
          field({ key: 'trigger', label: 'Trigger', control: trigger, hint: 'Counted from logging: not acknowledged by anyone, or still open (new, assigned or in progress), when the time has passed.' }),
          field({ key: 'after_minutes', label: 'After (minutes)', control: minutes, extra: minutesHelp }))),
      h('fieldset', { class: 'field field-wide rule-part' },
        h('legend', { class: 'field-label' }, 'Then'),
        h('div', { class: 'form-row' },
          field({ key: 'action', label: 'Action', control: action }),
          teamField, personField, priorityField),
        reasonField),
    ];
    return {
      body,
      focus: () => name.focus(),
      read: () => ({
        name: name.value.trim(),
        active: active.querySelector('input').checked,
        priority: priority.value || null,
        category_id: idOrNull(category.value),
        service_id: idOrNull(service.value),
        team_id: idOrNull(team.value),
        tier: tier.value || null,
        trigger: trigger.value,
        after_minutes: minutesOf(minutes),
        action: action.value,
        target_team_id: action.value === 'escalate_team' ? idOrNull(targetTeam.value) : null,
        target_person_id: action.value === 'notify_person' ? idOrNull(targetPerson.value) : null,
        target_priority: action.value === 'raise_priority' ? targetPriority.value || null : null,
        reason: reason.value.trim(),
      }),
    };
  }

  replace(panel, h('p', { class: 'muted settings-loading' }, 'Loading…'));
  loader.load();
  return {
    refresh: loader.load,
    unmount: loader.dispose,
    onEscape: () => (tab ? tab.onEscape() : false),
    leaveWarning: () => (tab ? tab.leaveWarning() : null),
  };
}
