// screens/welcome.js — the first-run screen, shown while the desk has no operator. It says what
// the app does, lets the person type their name (creating them as a service desk analyst and
// making them the operator), pick themselves from people already known, or load demo data.
// When the operator appears the shell leaves this screen by itself (main.js subscribes).

import { h } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import { field, clearErrors, showError, busy, select, recordItems } from '../forms.js';

export function mount(root, _params, ctx) {
  ctx.setTitle('Welcome');
  const info = store.state.info || { incident_count: 0 };
  const knownPeople = store.people();

  const errorSlot = h('div', { class: 'form-errors' });
  const nameInput = h('input', { type: 'text', testid: 'welcome-name', autocomplete: 'name', placeholder: 'e.g. Alex Morgan', maxlength: '120' });

  const startForm = h(
    'form',
    { class: 'welcome-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); start(); } },
    errorSlot,
    field({ key: 'name', label: 'Your name', control: nameInput, hint: 'Every change you make is recorded under this name.' }),
    h('button', { type: 'submit', class: 'btn btn-primary btn-large', testid: 'welcome-start' }, 'Start'),
  );

  async function start() {
    clearErrors(startForm);
    await busy(startForm, async () => {
      try {
        const person = await api.savePerson({
          id: null,
          name: nameInput.value.trim(),
          email: '',
          phone: '',
          team_id: null,
          roles: ['service_desk_analyst'],
        });
        await api.setOperator(person.id);
        await Promise.all([store.loadInfo(), store.loadReference()]);
      } catch (error) {
        showError(startForm, errorSlot, error);
      }
    });
  }

  const demoError = h('div', { class: 'form-errors' });
  const demoButton = h('button', { type: 'button', class: 'btn', testid: 'welcome-demo', onclick: loadDemo }, 'Load demo data');
  async function loadDemo() {
    demoButton.disabled = true;
    demoError.textContent = '';
    try {
      await api.loadDemoData();
      await Promise.all([store.loadInfo(), store.loadReference()]);
    } catch (error) {
      showError(demoError, demoError, error);
    } finally {
      demoButton.disabled = false;
    }
  }

  let continuePanel = null;
  if (knownPeople.length) {
    const who = select({ testid: 'welcome-person', items: recordItems(knownPeople), placeholder: 'Choose…' });
    const continueError = h('div', { class: 'form-errors' });
    const continueForm = h(
      'form',
      {
        class: 'welcome-continue',
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          continueError.textContent = '';
          if (!who.value) { who.focus(); return; }
          try {
            await api.setOperator(Number(who.value));
            await Promise.all([store.loadInfo(), store.loadReference()]);
          } catch (error) {
            showError(continueForm, continueError, error);
          }
        },
      },
      continueError,
      field({ key: 'person_id', label: 'Or continue as someone already on this desk', control: who }),
      h('button', { type: 'submit', class: 'btn' }, 'Continue'),
    );
    continuePanel = continueForm;
  }

  const view = h(
    'section',
    { class: 'welcome', testid: 'welcome' },
    h(
      'div',
      { class: 'welcome-card' },
      h('div', { class: 'welcome-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Incident Desk'),
      h('h1', null, 'Run incident management the ITIL 4 way, on this computer.'),
      h(
        'p',
        { class: 'lead' },
        'Log incidents as they are reported, let impact × urgency set their priority, assign and escalate them, ' +
          'and resolve, verify and close them. Every change is recorded with who made it and when, ' +
          'so the timeline of an incident writes itself.',
      ),
      h(
        'ul',
        { class: 'welcome-points' },
        h('li', null, h('strong', null, 'Consistent priority. '), 'P1–P4 come from a matrix you can adjust, not from who complains loudest.'),
        h('li', null, h('strong', null, 'A complete history. '), 'Notes, escalations and status changes appear on the incident’s timeline.'),
        h('li', null, h('strong', null, 'Local and private. '), 'Everything stays in one database file on this machine.'),
      ),
      h('div', { class: 'welcome-grid' },
        h('div', { class: 'welcome-col' },
          h('h2', null, 'Start with your name'),
          startForm,
          continuePanel,
        ),
        info.incident_count > 0
          ? null
          : h('div', { class: 'welcome-col welcome-demo' },
            h('h2', null, 'Or explore first'),
            h('p', null, 'Fill the desk with sample services, teams, people and incidents in every state, and sign in as a demo analyst. Use this to look around before you log real incidents.'),
            demoError,
            demoButton,
          ),
      ),
      h('p', { class: 'welcome-foot' }, 'Keyboard: ', h('kbd', null, 'N'), ' new incident · ', h('kbd', null, '/'), ' search · ', h('kbd', null, 'Esc'), ' close a form'),
    ),
  );
  root.appendChild(view);
  nameInput.focus();
  return {};
}
