// Runs `syncWebhooks` and `keepAlive`: the core (lifecycle::sync::Lifecycle, through the `Run` of
// src/js/lifecycle.rs) says which call comes next and reads each answer; this performs the calls. Runs of one
// client and URL are serialized: a second sync waits for the first, so two never plan from the same list.
import { drive } from "./call.js";
import { lifecycleChecks } from "./validators.js";

// The lifecycle's validators join the client's (the client build does not ship them).
lifecycleChecks();

/** Runs `run` to its end; resolves to its result or rejects with its error. */
async function runLifecycle(run, session, signal) {
  try {
    for (;;) {
      const call = run.next(Date.now(), session);
      if (call === undefined) return run.result();
      try {
        const answer = await drive(call, session, signal);
        run.on_call(call, answer);
      } finally {
        call.free();
      }
    }
  } finally {
    run.free();
  }
}

/**
 * Runs `run` after every earlier run of the session under `key` has settled: within one process, two syncs of one
 * client and URL never plan from the same list. (Across processes, see the README: a lease row, a Durable Object.)
 */
export function runSerialized(run, session, signal, key) {
  return serialized(session.queue, key, () => runLifecycle(run, session, signal));
}

/** Runs `work` after every earlier work of `key` in `queue` has settled. */
function serialized(queue, key, work) {
  const before = queue.get(key) ?? Promise.resolve();
  const result = before.then(work, work);
  const tail = result.then(undefined, () => {});
  queue.set(key, tail);
  tail.then(() => {
    if (queue.get(key) === tail) queue.delete(key);
  });
  return result;
}
