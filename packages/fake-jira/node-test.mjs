// useFake(): the fake Jira in a node:test file, started before the file's tests, reset before each, closed after them.
import { after, before, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startFakeJira } from "./server.mjs";

/**
 * Registers hooks that start a fake Jira before the file's tests (`startFakeJira(options)`), reset it before each
 * test (unless `reset` is false) and, after them all, check that it never answered off-spec (unless `selfCheck` is
 * false) and close it. Call it at the top level of a test file; hooks run in the order they were registered, so a
 * `beforeEach` registered before this call (one that sets the clock `now` reads, say) runs before the reset.
 * @param {import("./server.mjs").FakeOptions & { reset?: boolean, selfCheck?: boolean }} [options]
 * @returns {Awaited<ReturnType<typeof startFakeJira>>} a stand-in for the fake that forwards to it once it has
 *   started: use it in hooks and tests, not at the top level
 */
export function useFake({ reset = true, selfCheck = true, ...options } = {}) {
  let fake;
  before(async () => {
    fake = await startFakeJira(options);
  });
  if (reset) beforeEach(() => fake.reset());
  after(async () => {
    try {
      if (selfCheck && fake) assert.deepEqual(fake.selfCheckFailures, [], "the fake answered something off-spec");
    } finally {
      await fake?.close();
    }
  });
  return new Proxy({}, {
    get(_, key) {
      if (!fake) throw new Error(`the fake Jira starts in a before() hook: .${String(key)} was read too early`);
      return fake[key];
    },
    set(_, key, value) {
      fake[key] = value;
      return true;
    },
  });
}
