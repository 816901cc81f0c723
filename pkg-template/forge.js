// Transports for Atlassian Forge, where requests to Jira go through the platform instead of `fetch`.
// Forge authenticates them itself, so use them with `auth: { type: "none" }` and no baseUrl.

function withoutAuthorization(headers) {
  const rest = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "authorization") rest[name] = value;
  }
  return rest;
}

/**
 * Forge functions (`@forge/api`): `forgeTransport(api.asApp(), assumeTrustedRoute)` (or `api.asUser()`).
 * The client percent-encodes every path segment and query value itself, so the trusted route is safe.
 */
export function forgeTransport(requester, assumeTrustedRoute) {
  return ({ method, path, headers, body }) =>
    requester.requestJira(assumeTrustedRoute(path), { method, headers: withoutAuthorization(headers), body });
}

/** Forge Custom UI (`@forge/bridge`): `bridgeTransport(requestJira)`. */
export function bridgeTransport(requestJira) {
  return ({ method, path, headers, body }) => requestJira(path, { method, headers: withoutAuthorization(headers), body });
}
