// screens/sla/escalation.js — Settings › Escalation rules: rules that act on their own when a
// matching incident is not acknowledged or not resolved in time (escalate to a team, notify a
// person, raise the priority), each recorded on the incident's timeline with its reason.
// Trigger and action labels come from the core's vocabulary.

import { h, replace, patch, clear } from '../../dom.js';
import * as api from '../../api.js';
import * as store from '../../store.js';
import {
  field, checkboxField, select, choiceSelect, recordItems, clearErrors, showError, busy, idOrNull,
  submitOnCtrlEnter, trackDirty,
} from '../../forms.js';
import { count, minutesText } from '../../format.js';
import { explainMinutes } from '../../sla.js';
import { slaLoader, editor, minutesInput, minutesOf, minutesLine, muted } from './common.js';

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
  let selectedId = null;
  let form = null;
  const listSlot = h('div', { class: 'settings-list' });
  const formSlot = h('div', { class: 'settings-form-wrap' });
  replace(panel, h('div', { class: 'settings-split' }, listSlot, formSlot));
  const frame = editor('rule', edit);
  const loader = slaLoader(panel, (result, first) => {
    settings = result;
    renderList();
    const cur = selectedId === null ? null : settings.rules.find((x) => x.id === selectedId) || null;
    if (first) edit(cur, false);
    else frame.reloaded(cur);
  });

  function renderList() {
    const rules = settings.rules;
    patch(
      listSlot,
      h('div', { class: 'settings-list-head' },
        h('h2', null, 'Escalation rules ', h('span', { class: 'muted count' }, count(rules.length))),
        h('button', { type: 'button', class: 'btn', testid: 'settings-add', onclick: () => frame.open(null) }, 'Add rule')),
      h('p', { class: 'field-hint' }, 'A rule acts on its own when a matching incident is not acknowledged or not resolved in time: it escalates, notifies someone or raises the priority, and records why on the timeline. Switch a rule off with “Active”.'),
      rules.length === 0
        ? h('div', { class: 'empty empty-small', testid: 'settings-empty' }, h('p', null, 'No escalation rules yet. Add the first one with the form.'))
        : h('div', { class: ['grid', 'grid-compact', 'cols-5', 'rules-grid'], role: 'table', 'aria-label': 'Escalation rules', testid: 'settings-list' },
          h('div', { role: 'rowgroup', class: 'grid-head' },
            h('div', { role: 'row', class: 'grid-row' },
              ['Name', 'When', 'Trigger', 'Action', 'Active'].map((l) => h('div', { role: 'columnheader', class: 'cell' }, l)))),
          h('div', { role: 'rowgroup', class: 'grid-body' }, rules.map((r) => h('div', {
            role: 'row',
            class: ['grid-row', 'row', r.id === selectedId && 'is-selected', !r.active && 'is-closed'],
            testid: 'settings-row',
            'data-id': r.id,
            tabindex: '0',
            onclick: () => frame.open(r),
            onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); frame.open(r); } },
          },
          h('div', { role: 'cell', class: 'cell', title: r.name }, r.name),
          h('div', { role: 'cell', class: 'cell', title: ruleConditions(r) }, ruleConditions(r)),
          h('div', { role: 'cell', class: 'cell', title: ruleTrigger(r) }, ruleTrigger(r)),
          h('div', { role: 'cell', class: 'cell', title: ruleAction(r) }, ruleAction(r)),
          h('div', { role: 'cell', class: 'cell' }, r.active ? 'Yes' : muted('No')))))),
    );
  }

  function edit(rule, focus = true) {
    selectedId = rule ? rule.id : null;
    renderList();
    const r = rule || {
      id: null, name: '', active: true, priority: null, category_id: null, service_id: null, team_id: null,
      tier: null, trigger: 'unresolved', after_minutes: 30, action: 'escalate_team', target_team_id: null,
      target_person_id: null, target_priority: null, reason: '',
    };
    const slot = h('div', { class: 'form-errors' });
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

    form = h('form', {
      class: 'settings-form rule-form',
      testid: 'settings-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        clear(slot);
        const after = minutesOf(minutes);
        if (!Number.isInteger(after)) {
          showError(form, slot, { field: 'after_minutes', message: 'Enter the time as a whole number of minutes (at least 1)' });
          return;
        }
        const input = {
          id: r.id,
          name: name.value.trim(),
          active: active.querySelector('input').checked,
          priority: priority.value || null,
          category_id: idOrNull(category.value),
          service_id: idOrNull(service.value),
          team_id: idOrNull(team.value),
          tier: tier.value || null,
          trigger: trigger.value,
          after_minutes: after,
          action: action.value,
          target_team_id: action.value === 'escalate_team' ? idOrNull(targetTeam.value) : null,
          target_person_id: action.value === 'notify_person' ? idOrNull(targetPerson.value) : null,
          target_priority: action.value === 'raise_priority' ? targetPriority.value || null : null,
          reason: reason.value.trim(),
        };
        await busy(form, async () => {
          try {
            const before = new Set(settings.rules.map((x) => x.id));
            settings = await api.saveEscalationRule(input);
            loader.settings = settings;
            if (loader.disposed) return;
            ctx.toast(`Rule “${input.name}” saved. Open incidents are checked against it now.`);
            if (r.id === null) {
              edit(null, true);
              const added = settings.rules.find((x) => !before.has(x.id));
              if (added) {
                const row = listSlot.querySelector(`[role="row"][data-id="${added.id}"]`);
                if (row) row.classList.add('is-new');
              }
            } else {
              edit(settings.rules.find((x) => x.id === r.id) || null, false);
            }
          } catch (error) {
            showError(form, slot, error);
          }
        });
      },
    },
    h('h2', null, r.id === null ? 'New escalation rule' : 'Edit escalation rule'),
    slot,
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
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'settings-save' }, r.id === null ? 'Add rule' : 'Save rule'),
      r.id !== null ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => frame.open(null) }, 'Cancel') : null));
    submitOnCtrlEnter(form);
    trackDirty(form);
    frame.shown(form, rule);
    replace(formSlot, form);
    if (focus) name.focus();
  }

  replace(listSlot, h('p', { class: 'muted settings-loading' }, 'Loading…'));
  loader.load();
  return {
    refresh: loader.load,
    unmount: loader.dispose,
    onEscape: frame.onEscape,
    leaveWarning: frame.leaveWarning,
  };
}
