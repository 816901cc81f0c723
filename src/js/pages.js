// Walks the pages of a listing for `for await`: the core (engine::Items, through the `Pager` of src/js/pages.rs)
// says which item comes next and which page to fetch; this hands out the items and fetches the pages.
import { perform } from "./call.js";

const DONE = -1, FETCH = -2;

/** An async iterator over the items of `pager`'s pages. `next()` calls made at once are answered in order. */
export function iterate(pager, session, signal) {
  let items = [];
  let tail = Promise.resolve();
  async function step() {
    for (;;) {
      const next = pager.next(session);
      if (next === DONE) return { value: undefined, done: true };
      if (next !== FETCH) return { value: items[next], done: false };
      const page = await perform(pager.fetch(), session, signal);
      const values = page.values;
      pager.on_page(values.length, page.startAt ?? NaN, page.maxResults ?? NaN, page.total ?? NaN,
        page.isLast == null ? NaN : +page.isLast, values[values.length - 1]?.failureTime ?? NaN);
      items = page.values;
    }
  }
  return {
    next() {
      const result = tail.then(step, step);
      tail = result.then(undefined, () => {});
      return result;
    },
    async return(value) {
      return { value, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
