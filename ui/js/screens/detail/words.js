// screens/detail/words.js — the labels the detail shows for the core's values. They come from the
// core's one vocabulary (`reference_data().vocabulary`, `{group: {value: label}}`) so the window
// keeps no label tables of its own; where a desk's core predates the vocabulary, the shared
// helpers' current wording (or the raw value) stands in.

import * as store from '../../store.js';

/**
 * The label of `value` in vocabulary `group`; `fallback(value)` (the label the window used before
 * the vocabulary existed) when the core sends none, else the value itself.
 */
export function label(group, value, fallback) {
  if (value === null || value === undefined) return '';
  const vocabulary = store.state.ref && store.state.ref.vocabulary;
  const words = vocabulary && vocabulary[group];
  if (words && typeof words[value] === 'string' && words[value]) return words[value];
  if (fallback) {
    const text = fallback(value);
    if (text) return text;
  }
  return String(value);
}

/** A count of repeats as people say it: "once", "2 times". */
export function times(n) {
  return n === 1 ? 'once' : `${n} times`;
}
