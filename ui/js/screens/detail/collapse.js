// screens/detail/collapse.js — long free text (a pasted log in a description, a long note) shown
// folded to its first lines with "Show all" / "Show less", so one 20,000-character text does not
// push the SLA panel and the timeline thousands of pixels down.

import { h } from '../../dom.js';

/** Text longer than this many characters, or with more lines than LINES, starts folded. */
const CHARS = 600;
const LINES = 8;

/**
 * `text` in an element of `className` (e.g. 'prose'); folded with a toggle when it is long.
 * `testid` names the text element; the toggle is `<testid>-toggle`.
 */
export function collapsible(text, { className = 'prose', testid = null, tag = 'div' } = {}) {
  const value = text || '';
  const long = value.length > CHARS || value.split('\n').length > LINES;
  const body = h(tag, { class: [className, long && 'is-collapsed'], testid, 'data-collapsed': long ? 'true' : null }, value);
  if (!long) return body;
  const showAll = `Show all (${value.length.toLocaleString('en-GB')} characters)`;
  const toggle = h('button', {
    type: 'button',
    class: 'btn btn-quiet btn-small collapse-toggle',
    testid: testid ? `${testid}-toggle` : null,
    'aria-expanded': 'false',
    onclick: () => {
      const open = body.classList.toggle('is-collapsed') === false;
      body.setAttribute('data-collapsed', open ? 'false' : 'true');
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Show less' : showAll;
    },
  }, showAll);
  return h('div', { class: 'collapsible' }, body, toggle);
}
