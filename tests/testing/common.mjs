// Shared by the kit's tests: the packed package installed in a consumer project, its testing kit and lifecycle
// entry imported from there (as a user's test imports them), and the secret test values the tests sign with.
import { installPackage } from "../support/pack.mjs";
import { importFromConsumer } from "../runtimes/common.mjs";

export const APP = "https://app.example.com";
export const SITE = "https://your-domain.atlassian.net";
export const DAY_MS = 86_400_000;
export const KEYS = {
  connect: { clientKey: "tenant-7f3a", sharedSecret: "tenant-shared-secret-for-tests", baseUrl: APP },
  oauth: { clientSecret: "oauth-client-secret-9b1c", cloudId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" },
  hmac: { secret: "hmac-webhook-secret-5d2e" },
};

let loaded;
/**
 * The installed package's `jira-webhooks/testing` (kit) and `jira-webhooks/lifecycle` (lib), once per process.
 * @returns {Promise<{ kit: any, lib: any, dir: string, tmp: string }>}
 */
export function loadKit() {
  loaded ??= (async () => {
    const { dir, tmp } = await installPackage();
    const entry = await importFromConsumer(dir, `testing-kit-${process.pid}.mjs`,
      `export * as kit from "jira-webhooks/testing";\nexport * as lib from "jira-webhooks/lifecycle";\n`);
    return { kit: entry.kit, lib: entry.lib, dir, tmp };
  })();
  return loaded;
}

/** A handler that verifies all three kinds with KEYS and records what it handled. */
export function recordingHandler(lib, extra = {}) {
  const seen = [];
  const handler = lib.createWebhookHandler({
    connect: { baseUrl: APP, sharedSecret: async (clientKey) => (clientKey === KEYS.connect.clientKey ? KEYS.connect.sharedSecret : undefined) },
    oauth: { clientSecret: KEYS.oauth.clientSecret },
    hmac: { secret: KEYS.hmac.secret },
    on: { "*": (payload, delivery) => void seen.push({ payload, delivery }) },
    ...extra,
  });
  return { handler, seen };
}
