import type { Transport } from "./jira_webhooks.js";

/** The part of `@forge/api`'s `api.asApp()` / `api.asUser()` the transport uses. */
export interface ForgeRequester {
  requestJira(route: unknown, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{
    status: number;
    headers: { get(name: string): string | null };
    text(): Promise<string>;
  }>;
}

/** Forge functions: `new JiraWebhooks({ auth: { type: "none" }, transport: forgeTransport(api.asApp(), assumeTrustedRoute) })`. */
export function forgeTransport(requester: ForgeRequester, assumeTrustedRoute: (path: string) => unknown): Transport;

/** Forge Custom UI: `new JiraWebhooks({ auth: { type: "none" }, transport: bridgeTransport(requestJira) })`. */
export function bridgeTransport(
  requestJira: (path: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
    status: number;
    headers: { get(name: string): string | null };
    text(): Promise<string>;
  }>,
): Transport;
