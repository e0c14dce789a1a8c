// store.js — the little state the screens share: the reference data (services, teams, people,
// categories, choice lists with their labels and definitions, the priority matrix), the current
// operator, and the incident list's query so filters survive a trip to a detail and back.
// It holds no rules: labels and definitions come from the core.

import * as api from './api.js';

export const PAGE_SIZE = 50;

export function defaultListQuery() {
  return {
    text: '',
    state: 'open',
    status: '',
    priority: '',
    category_id: '',
    service_id: '',
    assignee_id: '',
    team_id: '',
    sort: 'priority',
    offset: 0,
  };
}

export const state = {
  /** ReferenceData from the core, or null before the first load. */
  ref: null,
  /** DeskInfo from the core. */
  info: null,
  /** The Person the desk acts as, or null on first run. */
  operator: null,
  /** The incident list's filters, sort and page. */
  listQuery: defaultListQuery(),
  /**
   * A half-filled new-incident form kept while the user adds the service or category it needs
   * in Settings (the form's values as incidentForm read() gives them), or null.
   */
  incidentDraft: null,
};

const listeners = new Set();

/** Calls `fn()` whenever reference data or the operator change; returns an unsubscribe. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify() {
  for (const fn of listeners) fn();
}

/** Reloads reference data (and with it the operator). */
export async function loadReference() {
  const ref = await api.referenceData();
  state.ref = ref;
  state.operator = ref.operator || null;
  notify();
  return ref;
}

/** Reloads the desk facts (database path, counts, operator). */
export async function loadInfo() {
  const info = await api.deskInfo();
  state.info = info;
  if (info.operator !== undefined) state.operator = info.operator || null;
  notify();
  return info;
}

/** A choice list of the reference data, e.g. choices('impacts'). */
export function choices(list) {
  return (state.ref && state.ref[list]) || [];
}

/** The label of a choice value, falling back to the value itself. */
export function choiceLabel(list, value) {
  if (value === null || value === undefined) return '';
  const found = choices(list).find((c) => c.value === value);
  return found ? found.label : String(value);
}

/** The definition of a choice value, or ''. */
export function choiceDefinition(list, value) {
  const found = choices(list).find((c) => c.value === value);
  return found ? found.definition : '';
}

/**
 * The label of a value from the core's one vocabulary (`reference_data().vocabulary`:
 * {group: {value: label}}, e.g. label('rule_trigger', 'unacknowledged')). The UI keeps no label
 * tables: when the core names none, the value itself is shown, made readable.
 */
export function label(group, value) {
  if (value === null || value === undefined || value === '') return '';
  const vocabulary = state.ref && state.ref.vocabulary;
  const words = vocabulary && vocabulary[group] && vocabulary[group][value];
  if (typeof words === 'string' && words) return words;
  const text = String(value).replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The values of a vocabulary group as select items [{value, label}], in the core's order. */
export function vocabularyItems(group, fallbackValues = []) {
  const vocabulary = state.ref && state.ref.vocabulary;
  const words = vocabulary && vocabulary[group];
  const values = words && Object.keys(words).length ? Object.keys(words) : fallbackValues;
  return values.map((value) => ({ value, label: label(group, value) }));
}

export const services = () => (state.ref && state.ref.services) || [];
export const teams = () => (state.ref && state.ref.teams) || [];
export const people = () => (state.ref && state.ref.people) || [];
export const categories = () => (state.ref && state.ref.categories) || [];

export function byId(list, id) {
  if (id === null || id === undefined || id === '') return null;
  const n = Number(id);
  return list.find((item) => item.id === n) || null;
}
