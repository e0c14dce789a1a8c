// screens/entityTab.js — the settings screens' tab helper: a table of entries beside the form
// that adds or edits one (services, teams, people, categories, audiences, templates, escalation
// rules). Written once so every such tab lists, selects, saves, deletes and guards unsaved edits
// the same way.

import { h, replace, patch, clear } from '../dom.js';
import * as store from '../store.js';
import { clearErrors, showError, busy, submitOnCtrlEnter, trackDirty, entryEditor } from '../forms.js';
import { count } from '../format.js';

/**
 * A table of records on the left and the add/edit form on the right.
 * spec: {noun, Noun, title, items(), columns: [{label, cell(item), className}],
 *        form(item) → {body, read(), focus()}, save(input) → the saved entry {id, name}}
 * Optional: `prefix` for the testids (`<prefix>-add`, `-save`, `-form`, `-list`, `-row`, `-empty`;
 * "settings" by default, so several tables can share a page), `intro`, `gridClass`,
 * `rowClass(item)`, `heading(item)` and `saveLabel(item)` (the form's title and button),
 * `savedMessage(saved, added)` (the toast), `afterSave()` (reloads the reference data by
 * default), `edit(item)` (the entry to open first; a new one by default), `openAdded` (after
 * adding, open the new entry rather than a blank form), `built.after` (shown below the form's
 * buttons, for parts that act on their own) and `remove(id)`: an
 * entry being edited then offers "Delete…", confirmed in place; the core refuses (`in_use`)
 * anything that is still referred to, and that message is shown in the form. `save` may throw
 * {field, message, problems} for what it refuses before asking the core.
 *
 * Unsaved edits are never dropped silently: "Add …", another row, Cancel and Esc ask first
 * (forms.entryEditor), and `leaveWarning()` lets main.js ask before the tab is left. A reload
 * (`refresh()`) redraws the list and rebuilds only an untouched form whose entry changed.
 */
export function entityTab(panel, ctx, spec) {
  const tid = (name) => `${spec.prefix || 'settings'}-${name}`;
  const afterSave = spec.afterSave || store.loadReference;
  let selectedId = null;
  const listSlot = h('div', { class: 'settings-list' });
  const formSlot = h('div', { class: 'settings-form-wrap' });
  replace(panel, h('div', { class: 'settings-split' }, listSlot, formSlot));
  const frame = entryEditor(spec.noun, edit);
  const open = (item) => frame.open(item);

  function renderList() {
    const items = spec.items();
    patch(
      listSlot,
      h('div', { class: 'settings-list-head' },
        h('h2', null, spec.title, ' ', h('span', { class: 'muted count' }, count(items.length))),
        h('button', { type: 'button', class: 'btn', testid: tid('add'), onclick: () => open(null) }, `Add ${spec.noun}`)),
      spec.intro ? h('p', { class: 'field-hint' }, spec.intro) : null,
      items.length === 0
        ? h('div', { class: 'empty empty-small', testid: tid('empty') }, h('p', null, `No ${spec.title.toLowerCase()} yet. Add the first one with the form.`))
        : h('div', { class: ['grid', 'grid-compact', `cols-${spec.columns.length}`, spec.gridClass], role: 'table', 'aria-label': spec.title, testid: tid('list') },
          h('div', { role: 'rowgroup', class: 'grid-head' },
            h('div', { role: 'row', class: 'grid-row' },
              spec.columns.map((c) => h('div', { role: 'columnheader', class: ['cell', c.className] }, c.label)))),
          h('div', { role: 'rowgroup', class: 'grid-body' }, items.map((item) => h('div', {
            role: 'row',
            class: ['grid-row', 'row', item.id === selectedId && 'is-selected', spec.rowClass && spec.rowClass(item)],
            testid: tid('row'),
            'data-id': item.id,
            tabindex: '0',
            onclick: () => open(item),
            onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); open(item); } },
          }, spec.columns.map((c) => h('div', { role: 'cell', class: ['cell', c.className] }, c.cell(item))))))),
    );
  }

  function flash(id) {
    const row = listSlot.querySelector(`[role="row"][data-id="${id}"]`);
    if (row) row.classList.add('is-new');
  }

  function edit(item, focus = true) {
    selectedId = item ? item.id : null;
    renderList();
    const built = spec.form(item);
    const slot = h('div', { class: 'form-errors' });
    const deleteSlot = h('div', { class: 'delete-slot' });
    const form = h(
      'form',
      {
        class: 'settings-form',
        testid: tid('form'),
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          clearErrors(form);
          clear(slot);
          await busy(form, async () => {
            try {
              const saved = await spec.save({ id: item ? item.id : null, ...built.read() });
              await afterSave();
              ctx.toast(spec.savedMessage ? spec.savedMessage(saved, !item) : `${spec.Noun} “${saved.name}” ${item ? 'saved' : 'added'}.`);
              if (item || spec.openAdded) {
                edit(spec.items().find((x) => x.id === saved.id) || saved, false);
                if (!item) flash(saved.id);
              } else {
                // Added: clear the form for the next one, and mark the new row.
                edit(null, true);
                flash(saved.id);
              }
            } catch (error) {
              showError(form, slot, error);
            }
          });
        },
      },
      h('h2', null, spec.heading ? spec.heading(item) : item ? `Edit ${spec.noun}` : `New ${spec.noun}`),
      slot,
      built.body,
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', testid: tid('save') }, spec.saveLabel ? spec.saveLabel(item) : item ? 'Save changes' : `Add ${spec.noun}`),
        item ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => open(null) }, 'Cancel') : null,
        item && spec.remove ? h('span', { class: 'form-actions-end' },
          h('button', { type: 'button', class: 'btn btn-quiet', testid: tid('delete'), onclick: () => confirmDelete() }, 'Delete…')) : null),
      deleteSlot,
      built.after || null,
    );

    function confirmDelete() {
      clear(slot);
      const keep = h('button', { type: 'button', class: 'btn btn-quiet', testid: tid('delete-cancel'), onclick: () => clear(deleteSlot) }, 'Keep it');
      const deleteButton = h('button', { type: 'button', class: 'btn btn-danger', testid: tid('delete-confirm'), onclick: () => remove(deleteButton) }, 'Delete');
      replace(deleteSlot, h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': `Delete ${spec.noun}?`, testid: tid('delete-box') },
        h('p', { class: 'small' }, h('strong', null, `Delete “${item.name}”? `),
          'Only an entry nothing refers to can be deleted; this cannot be undone.'),
        h('div', { class: 'form-actions' }, deleteButton, keep)));
      keep.focus();
    }

    async function remove(deleteButton) {
      deleteButton.disabled = true;
      await busy(form, async () => {
        try {
          const name = await spec.remove(item.id);
          await afterSave();
          ctx.toast(`${spec.Noun} “${name}” deleted.`);
          edit(null, false);
        } catch (error) {
          clear(deleteSlot);
          showError(form, slot, error);
        }
      });
    }
    submitOnCtrlEnter(form);
    trackDirty(form);
    frame.shown(form, item);
    replace(formSlot, form);
    if (focus) built.focus();
  }

  renderList();
  edit(spec.edit ? spec.edit() : null, false);

  return {
    refresh() {
      renderList();
      frame.reloaded(selectedId === null ? null : spec.items().find((x) => x.id === selectedId) || null);
    },
    onEscape: frame.onEscape,
    leaveWarning: frame.leaveWarning,
  };
}

