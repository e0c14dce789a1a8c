// screens/detail/words.js — the labels the detail shows for the core's values. They come from the
// core's one vocabulary (`reference_data().vocabulary`, `{group: {value: label}}`) so the window
// keeps no label tables of its own; a value the vocabulary does not name is shown as it is.

import * as store from '../../store.js';

/** The label of `value` in vocabulary `group`, or the value itself when the core names none. */
export function label(group, value) {
  if (value === null || value === undefined) return '';
  const vocabulary = store.state.ref && store.state.ref.vocabulary;
  const words = vocabulary && vocabulary[group];
  if (words && typeof words[value] === 'string' && words[value]) return words[value];
  return String(value);
}

/** A count of repeats as people say it: "once", "2 times". */
export function times(n) {
  return n === 1 ? 'once' : `${n} times`;
}
