// screens/detail/words.js — counts in the words people use on the detail ("reopened once"). The
// labels of the core's values come from its vocabulary through store.label, not from here.

/** A count of repeats as people say it: "once", "2 times". */
export function times(n) {
  return n === 1 ? 'once' : `${n} times`;
}
