// screens/list.js — the incident list, the screen people keep open all day: a dense table
// (number, priority label+colour, title, status, service, category, assignee/team, age, last
// update, SLA badge counting down to the next deadline), filters and sort that the core applies,
// paging 50 at a time, and live reload on `desk-changed`. Rows open with a click or Enter; ↑/↓
// move between rows.
//
// Speed: the core counts matches only up to 10,000 past the page ("1–50 of 10,000+"), and a
// reload that changed nothing leaves the rows' DOM alone. After each render that reached the
// screen the list section carries `data-render-seq` (counting up) and `data-rendered-at`
// (performance.now() of the frame that shows it): what the window benchmark
// (benches/window.rs) times, so it measures what the user sees, not the query alone.

import { h, replace, patch, clear, priorityPill, statusBadge, kbd } from '../dom.js';
import * as api from '../api.js';
import * as store from '../store.js';
import { select, recordItems } from '../forms.js';
import { age, ago, fullDateTime, count } from '../format.js';
import { rowBadge, onTick } from '../sla.js';

const SORTS = [
  { value: 'priority', label: 'Priority (P1 first)' },
  { value: 'age', label: 'Age (oldest first)' },
  { value: 'last_update', label: 'Last update (newest first)' },
];

const STATES = [
  { value: 'open', label: 'Open' },
  { value: 'closed', label: 'Closed' },
  { value: '', label: 'All' },
];

/** The IncidentQuery sent to the core: only the filters that are set. */
function toQuery(q) {
  const query = { sort: q.sort || 'priority', offset: q.offset || 0, limit: store.PAGE_SIZE };
  if (q.text.trim()) query.text = q.text.trim();
  if (q.state) query.state = q.state;
  if (q.status) query.status = q.status;
  if (q.priority) query.priority = q.priority;
  for (const key of ['category_id', 'service_id', 'assignee_id', 'team_id']) {
    if (q[key] !== '' && q[key] !== null && q[key] !== undefined) query[key] = Number(q[key]);
  }
  return query;
}

function filtersActive(q) {
  const d = store.defaultListQuery();
  return ['text', 'state', 'status', 'priority', 'category_id', 'service_id', 'assignee_id', 'team_id']
    .some((k) => String(q[k] || '').trim() !== String(d[k] || ''));
}

export function mount(root, params, ctx) {
  ctx.setTitle('Incidents');
  const q = store.state.listQuery;
  let page = null; // the last IncidentPage
  let seq = 0; // only the newest answer is shown
  let loading = false;
  let again = false;
  let disposed = false;

  // ---- filters -------------------------------------------------------------------------
  const searchInput = h('input', {
    type: 'search',
    testid: 'filter-text',
    id: 'filter-text',
    value: q.text,
    placeholder: 'Search number, title, description, reporter…',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  let textTimer = null;
  searchInput.addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => setFilter('text', searchInput.value), 180);
  });
  searchInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(textTimer);
      setFilter('text', searchInput.value);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(0);
    }
  });

  const controls = {};
  function filterSelect(key, testid, label, items, placeholder) {
    const el = select({ testid, items, value: q[key], placeholder });
    el.id = `filter-${key}`;
    el.addEventListener('change', () => setFilter(key, el.value));
    controls[key] = el;
    return h('label', { class: 'filter', for: el.id }, h('span', { class: 'filter-caption' }, label), el);
  }

  const filterBar = h('div', { class: 'filters', role: 'search' });
  function buildFilters() {
    clear(filterBar);
    filterBar.append(
      h('label', { class: 'filter filter-search', for: 'filter-text' },
        h('span', { class: 'filter-caption' }, 'Search ', kbd('/')),
        searchInput),
      filterSelect('state', 'filter-state', 'Show', STATES),
      filterSelect('status', 'filter-status', 'Status', store.choices('statuses'), 'Any'),
      filterSelect('priority', 'filter-priority', 'Priority', store.choices('priorities'), 'Any'),
      filterSelect('category_id', 'filter-category', 'Category', recordItems(store.categories()), 'Any'),
      filterSelect('service_id', 'filter-service', 'Service', recordItems(store.services()), 'Any'),
      filterSelect('assignee_id', 'filter-assignee', 'Assignee', recordItems(store.people()), 'Anyone'),
      filterSelect('team_id', 'filter-team', 'Team', recordItems(store.teams()), 'Any'),
    );
  }
  const clearButton = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'filter-clear', onclick: clearFilters }, 'Clear filters');

  function setFilter(key, value) {
    if (q[key] === value) return;
    q[key] = value;
    q.offset = 0;
    load();
  }

  function clearFilters() {
    const sort = q.sort;
    Object.assign(q, store.defaultListQuery(), { sort });
    searchInput.value = '';
    for (const [key, el] of Object.entries(controls)) el.value = q[key];
    load();
  }

  // ---- table ----------------------------------------------------------------------------
  // An ARIA table of divs rather than <table>: each row is one focusable, clickable box.
  const COLUMNS = [
    ['col-number', 'Number'], ['col-priority', 'Priority'], ['col-title', 'Title'], ['col-status', 'Status'],
    ['col-sla', 'SLA'], ['col-service', 'Service / category'], ['col-assignee', 'Assignee / team'],
    ['col-age num', 'Age'], ['col-updated num', 'Updated'],
  ];
  const tbody = h('div', { role: 'rowgroup', class: 'grid-body' });
  const table = h(
    'div',
    { class: 'grid incident-grid', role: 'table', 'aria-label': 'Incidents', testid: 'incident-list' },
    h('div', { role: 'rowgroup', class: 'grid-head' },
      h('div', { role: 'row', class: 'grid-row' },
        COLUMNS.map(([cls, label]) => h('div', { role: 'columnheader', class: ['cell', cls] }, label)))),
    tbody,
  );
  const emptySlot = h('div', { class: 'empty-slot' });
  const errorSlot = h('div', { class: 'list-error-slot' });

  // ---- pager ----------------------------------------------------------------------------
  const pageInfo = h('span', { class: 'page-info', testid: 'page-info', 'aria-live': 'polite' });
  const prevButton = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'page-prev', onclick: () => turn(-1), 'aria-label': 'Previous page' }, '‹ Previous');
  const nextButton = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'page-next', onclick: () => turn(1), 'aria-label': 'Next page' }, 'Next ›');
  const sortSelect = select({ testid: 'sort', items: SORTS, value: q.sort });
  sortSelect.id = 'list-sort';
  sortSelect.addEventListener('change', () => setFilter('sort', sortSelect.value));
  controls.sort = sortSelect;
  const pager = h('div', { class: 'pager' },
    pageInfo,
    clearButton,
    h('label', { class: 'sort', for: 'list-sort' }, h('span', { class: 'muted' }, 'Sort by'), sortSelect),
    prevButton,
    nextButton);
  // A second pager under the table for whoever scrolled to the end of a page.
  const bottomInfo = h('span', { class: 'page-info-bottom' });
  const bottomPrev = h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => turn(-1), 'aria-label': 'Previous page' }, '‹ Previous');
  const bottomNext = h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => turn(1), 'aria-label': 'Next page' }, 'Next ›');
  const bottomPager = h('div', { class: 'pager pager-bottom', hidden: true }, bottomPrev, bottomInfo, bottomNext);

  function turn(direction) {
    if (!page) return;
    const next = q.offset + direction * store.PAGE_SIZE;
    if (next < 0 || next >= page.total) return;
    q.offset = next;
    load().then(() => { window.scrollTo(0, 0); });
  }

  const view = h(
    'section',
    { class: 'list-screen', testid: 'list-screen' },
    filterBar,
    errorSlot,
    pager,
    h('div', { class: 'grid-wrap' }, table, emptySlot),
    bottomPager,
  );
  buildFilters();
  root.appendChild(view);

  // ---- rendering ------------------------------------------------------------------------
  /** Who has it, on two lines (person, then team) so neither is cut; the tooltip says both. */
  function assigneeText(row) {
    return [row.assignee_name || 'Unassigned', row.team_name].filter(Boolean).join(' · ');
  }
  function assigneeCell(row) {
    return [
      h('span', { class: ['cell-line', !row.assignee_name && 'muted'], testid: 'row-assignee' }, row.assignee_name || 'Unassigned'),
      row.team_name ? h('span', { class: 'cell-line cell-sub muted', testid: 'row-team' }, row.team_name) : null,
    ];
  }

  function cell(cls, attrs, ...content) {
    return h('div', { role: 'cell', class: `cell ${cls}`, ...(attrs || {}) }, ...content);
  }

  /** The SLA badge: colour and text together (testid row-sla, data-state). */
  function slaBadge(row, now) {
    const b = rowBadge(row, now);
    return h('span', { class: ['sla-badge', `sla-${b.state}`], testid: 'row-sla', 'data-state': b.state, title: b.title }, b.text);
  }

  /** The one-second tick: rewrites only the badges whose text or state changed. */
  function tickBadges(now) {
    if (!page) return;
    for (const rowNode of tbody.children) {
      const row = page.rows.find((r) => String(r.id) === rowNode.getAttribute('data-id'));
      const badge = rowNode.querySelector('[data-testid="row-sla"]');
      if (!row || !badge) continue;
      const b = rowBadge(row, now);
      if (badge.textContent !== b.text) badge.textContent = b.text;
      if (badge.getAttribute('data-state') !== b.state) {
        badge.setAttribute('data-state', b.state);
        badge.className = `sla-badge sla-${b.state}`;
      }
      if (badge.title !== b.title) badge.title = b.title;
    }
  }

  function rowEl(row) {
    const open = () => ctx.navigate(`#/incident/${row.id}`);
    const now = Date.now();
    return h(
      'div',
      {
        role: 'row',
        class: ['grid-row', 'row', `row-${row.priority}`, row.status === 'closed' && 'is-closed'],
        testid: 'incident-row',
        'data-number': row.number,
        'data-id': row.id,
        tabindex: '0',
        onclick: open,
        onkeydown: (e) => {
          if (e.key === 'Enter') { e.preventDefault(); open(); }
        },
      },
      cell('col-number mono', { testid: 'row-number' }, row.number),
      cell('col-priority', null, priorityPill(row.priority, null, 'row-priority', store.choiceLabel('priorities', row.priority))),
      cell('col-title', { testid: 'row-title', title: row.title }, row.title),
      cell('col-status', null, statusBadge(row.status, store.choiceLabel('statuses', row.status), 'row-status')),
      cell('col-sla', null, slaBadge(row, now)),
      cell('col-service', { title: `${row.service_name} · ${row.category_name}` },
        h('span', { class: 'cell-line', testid: 'row-service' }, row.service_name),
        h('span', { class: 'cell-line cell-sub muted', testid: 'row-category' }, row.category_name)),
      cell('col-assignee', { title: assigneeText(row) }, assigneeCell(row)),
      cell('col-age num', { title: `${age(row.logged_at, now)} since it was logged at ${fullDateTime(row.logged_at)}` }, age(row.logged_at, now)),
      cell('col-updated num', { title: fullDateTime(row.updated_at) }, ago(row.updated_at, now)),
    );
  }

  // Rows already built for the same data (and the same age texts) are reused as they are: a
  // reload after a change elsewhere, or the half-minute age tick, builds only the rows that
  // changed. Kept for the rows of the last page only.
  let builtRows = new Map();
  let nextBuilt = new Map();
  function cachedRow(row) {
    const now = Date.now();
    const key = `${JSON.stringify(row)}|${age(row.logged_at, now)}|${ago(row.updated_at, now)}`;
    const known = builtRows.get(row.id);
    const el = known && known.key === key ? known.el : rowEl(row);
    nextBuilt.set(row.id, { key, el });
    return el;
  }

  /** Puts exactly `els` into the table body in order, moving only what is out of place. */
  function syncRows(els) {
    els.forEach((el, i) => {
      const old = tbody.children[i];
      if (old === el) return;
      if (old) tbody.insertBefore(el, old);
      else tbody.appendChild(el);
    });
    while (tbody.children.length > els.length) tbody.removeChild(tbody.lastChild);
  }

  function renderPage() {
    if (!page) return;
    const focusedId = document.activeElement && document.activeElement.closest && document.activeElement.closest('[role="row"][data-id]')
      ? document.activeElement.closest('[role="row"][data-id]').getAttribute('data-id')
      : null;
    syncRows(page.rows.map(cachedRow));
    builtRows = nextBuilt;
    nextBuilt = new Map();
    if (focusedId) {
      const same = tbody.querySelector(`[data-id="${CSS.escape(focusedId)}"]`);
      if (same) same.focus({ preventScroll: true });
    }
    table.classList.toggle('is-empty', page.rows.length === 0);
    patch(emptySlot, page.rows.length === 0 ? emptyState() : null);
    const first = page.total === 0 ? 0 : page.offset + 1;
    const last = page.offset + page.rows.length;
    const exact = page.total_exact !== false;
    const of = exact ? count(page.total) : `${count(page.total)}+`;
    pageInfo.textContent = page.total === 0 ? 'No incidents' : `${count(first)}–${count(last)} of ${of}`;
    pageInfo.title = exact ? '' : `More than ${count(page.total)} incidents match; the list stops counting there. Narrow the filters to count them all.`;
    prevButton.disabled = page.offset <= 0;
    nextButton.disabled = last >= page.total && exact;
    bottomInfo.textContent = pageInfo.textContent;
    bottomPrev.disabled = prevButton.disabled;
    bottomNext.disabled = nextButton.disabled;
    bottomPager.hidden = page.rows.length < 20;
    clearButton.disabled = !filtersActive(q);
  }

  function emptyState() {
    const newButton = (text) => h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/new') }, text, ' ', kbd('N'));
    if (filtersActive(q)) {
      return h('div', { class: 'empty', testid: 'list-empty' },
        h('h2', null, 'No incidents match these filters'),
        h('p', null, 'Change or clear the filters to see more.'),
        h('div', { class: 'empty-actions' },
          h('button', { type: 'button', class: 'btn', onclick: clearFilters }, 'Clear filters'),
          newButton('New incident')));
    }
    const known = store.state.info ? store.state.info.incident_count : 0;
    if (known > 0) {
      return h('div', { class: 'empty', testid: 'list-empty' },
        h('h2', null, 'No open incidents'),
        h('p', null, 'Every incident on this desk is closed. Choose “Show: All” or “Closed” to look at them, or log a new one.'),
        h('div', { class: 'empty-actions' }, newButton('New incident')));
    }
    return h('div', { class: 'empty', testid: 'list-empty' },
      h('h2', null, 'No incidents yet'),
      h('p', null, 'When someone reports a problem, log it here. Its priority follows from impact and urgency, and every step you take is kept on its timeline.'),
      h('div', { class: 'empty-actions' },
        newButton('Log the first incident'),
        h('a', { class: 'btn btn-quiet', href: '#/settings/services' }, 'Set up services, teams and people')),
      h('p', { class: 'muted small' }, 'Shortcuts: ', kbd('N'), ' new incident · ', kbd('/'), ' search · ', kbd('↑'), ' ', kbd('↓'), ' move between rows · ', kbd('Enter'), ' open.'));
  }

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    const mine = ++seq;
    const asked = performance.now();
    try {
      const result = await api.listIncidents(toQuery(q));
      const answered = performance.now();
      if (disposed || mine !== seq) return;
      // A page past the end (rows were closed or deleted meanwhile): step back.
      if (result.rows.length === 0 && result.total > 0 && q.offset > 0) {
        q.offset = Math.max(0, Math.floor((result.total - 1) / store.PAGE_SIZE) * store.PAGE_SIZE);
        again = true;
      } else {
        if (result.total === 0 && !filtersActive(q)) {
          try { await store.loadInfo(); } catch (e) { /* the empty state copes */ }
          if (disposed || mine !== seq) return;
        }
        page = result;
        clear(errorSlot);
        renderPage();
        markRendered(answered - asked, performance.now() - answered);
      }
    } catch (error) {
      if (disposed) return;
      replace(errorSlot, h('div', { class: 'form-error', role: 'alert', testid: 'list-error' }, error.message));
    } finally {
      loading = false;
      if (again && !disposed) { again = false; load(); }
    }
  }

  // The render marker: set in the frame that paints the new page (see the header), with where
  // the time went: the core's answer (query + bridge), building the rows, waiting for the frame.
  let renderSeq = 0;
  function markRendered(fetchMs, renderMs) {
    const n = ++renderSeq;
    const rendered = performance.now();
    requestAnimationFrame(() => {
      if (disposed) return;
      const now = performance.now();
      view.setAttribute('data-fetch-ms', fetchMs.toFixed(1));
      view.setAttribute('data-render-ms', renderMs.toFixed(1));
      view.setAttribute('data-frame-ms', (now - rendered).toFixed(1));
      view.setAttribute('data-rendered-at', now.toFixed(2));
      view.setAttribute('data-render-seq', String(n));
    });
  }

  function rows() {
    return [...tbody.querySelectorAll('[data-id]')];
  }

  function focusRow(index, scroll = true) {
    const all = rows();
    if (!all.length) return;
    const row = all[Math.max(0, Math.min(all.length - 1, index))];
    row.focus({ preventScroll: !scroll });
  }

  // Ages tick without asking the core again.
  const ticker = setInterval(() => { if (page) renderPage(); }, 30000);
  // SLA countdowns tick every second on the page's one shared timer.
  const tickOff = onTick(tickBadges);

  // Reference data changed (settings): refresh the filter choices in place, keep the values.
  const storeOff = store.subscribe(() => {
    const lists = {
      category_id: recordItems(store.categories()),
      service_id: recordItems(store.services()),
      assignee_id: recordItems(store.people()),
      team_id: recordItems(store.teams()),
    };
    for (const [key, items] of Object.entries(lists)) {
      const el = controls[key];
      if (!el) continue;
      const value = el.value;
      while (el.options.length > 1) el.remove(1);
      for (const item of items) el.add(new Option(item.label, item.value));
      el.value = value;
    }
  });

  load();
  if (params.focusSearch) searchInput.focus();

  return {
    unmount() {
      disposed = true;
      clearInterval(ticker);
      tickOff();
      clearTimeout(textTimer);
      storeOff();
    },
    onDeskChanged() {
      load();
    },
    focusSearch() {
      searchInput.focus();
      searchInput.select();
    },
    onEscape(e) {
      if (e.target === searchInput && searchInput.value) {
        searchInput.value = '';
        setFilter('text', '');
        return true;
      }
      return false;
    },
    onKey(e) {
      const all = rows();
      const index = all.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' || e.key === 'j') {
        focusRow(index < 0 ? 0 : index + 1);
        return true;
      }
      if (e.key === 'ArrowUp' || e.key === 'k') {
        if (index <= 0) { if (index === 0) searchInput.focus(); return true; }
        focusRow(index - 1);
        return true;
      }
      if (e.key === 'PageDown' || e.key === ']') { turn(1); return true; }
      if (e.key === 'PageUp' || e.key === '[') { turn(-1); return true; }
      return false;
    },
  };
}
