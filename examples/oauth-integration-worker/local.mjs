// Runs this Worker locally in Miniflare 4 (workerd with local D1, Queues, Durable Objects and cron), built the way
// `wrangler deploy` builds it, with this repository's jira-webhooks package: the Connect example's runner, pointed
// at this folder. Used by fleet.mjs and tests/fleet/. Repository-only, like fleet.mjs.
import { fileURLToPath } from "node:url";
import { startWorker } from "../connect-app-worker/local.mjs";

export const APP_DIR = fileURLToPath(new URL(".", import.meta.url));

/**
 * Starts the Worker in Miniflare.
 * @param {{ vars?: Record<string, string>, consumers?: Record<string, object>, log?: boolean, port?: number,
 *   stdio?: (stdout: import("node:stream").Readable, stderr: import("node:stream").Readable) => void }} [options]
 */
export const startApp = (options = {}) => startWorker({ appDir: APP_DIR, ...options });
