// dom.js — builds DOM nodes without HTML strings. Incident text comes from users and monitoring
// tools, so every piece of text becomes a text node (textContent); nothing here ever touches
// innerHTML (DESIGN principle 8, strict CSP).

// Properties that must be set after the children exist (a <select>'s value needs its options).
const LATE_PROPS = new Set(['value', 'checked', 'selected', 'indeterminate']);

/**
 * h('tag', {class, testid, onclick, value, ...attributes}, ...children)
 * - `class` may be a string or an array (falsy entries skipped)
 * - `testid` sets data-testid
 * - `on<event>` functions become listeners
 * - `value`, `checked`, `selected` are set as properties
 * - null/undefined/false attributes are skipped, `true` sets an empty attribute
 * - children: nodes, strings/numbers (as text), arrays, null/false (skipped)
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const late = [];
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key === 'testid') {
        el.setAttribute('data-testid', value);
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (LATE_PROPS.has(key)) {
        late.push([key, value]);
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  for (const [key, value] of late) el[key] = value;
  return el;
}

/** Appends children (nodes, text, nested arrays); null/false/undefined are skipped. */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child of `el`. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/**
 * Sets the children of `el` like replace(), but keeps every existing child that is equal
 * (isEqualNode) to its new counterpart. A reload that changed nothing leaves the DOM alone, so
 * focus, selection and references held by tests or assistive tech stay valid.
 */
export function patch(el, ...children) {
  const next = [...append(document.createDocumentFragment(), children).childNodes];
  next.forEach((node, i) => {
    const old = el.childNodes[i];
    if (!old) el.appendChild(node);
    else if (!old.isEqualNode(node)) el.replaceChild(node, old);
  });
  while (el.childNodes.length > next.length) el.removeChild(el.lastChild);
  return el;
}

/** An <option>. */
export function option(value, label, selected = false) {
  return h('option', { value: value === null || value === undefined ? '' : String(value), selected }, label);
}

/** Generates ids unique within the page, for label/for pairs. */
let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A priority pill: label and colour together, never colour alone. With `label` ("P1 Critical")
 * it reads "P1 Critical"; without, just "P1" (dense lists) and `title` gives the full label.
 */
export function priorityPill(priority, label, testid, title) {
  return h(
    'span',
    { class: ['pill', `prio-${priority}`], testid, 'data-value': priority, title: title || label || priority },
    h('span', { class: 'pill-code' }, priority),
    label && label !== priority ? h('span', { class: 'pill-label' }, label.replace(/^P\d\s*/, '')) : null,
  );
}

/** A status badge with its text. */
export function statusBadge(status, label, testid) {
  return h('span', { class: ['status', `status-${status}`], testid, 'data-value': status }, label || status);
}

/** A keyboard hint. */
export function kbd(key) {
  return h('kbd', null, key);
}
