// Node's HTTP servers (node:http, Express, Fastify's raw handlers) speak (req, res), not Request/Response: this
// turns a WebhookHandler (or any (Request) => Promise<Response>) into a (req, res) listener.

/** The body as the client sent it: the raw bytes when nothing has read the stream yet. */
async function rawBody(req) {
  if (typeof req.body === "string") return req.body;
  if (req.body instanceof Uint8Array) return new TextDecoder().decode(req.body);
  // A body parser already turned it into an object: JWTs still verify, an X-Hub-Signature cannot (mount the
  // route with express.text({ type: "*/*" }) or express.raw() for that).
  if (req.body !== undefined) return JSON.stringify(req.body);
  const chunks = [];
  for await (const chunk of req) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * `http.createServer(toNodeListener(handler))`, `app.post("/webhook", toNodeListener(handler))`.
 * `options.baseUrl` is the public origin the delivery was sent to, when the server sits behind a proxy
 * (Connect's `qsh` covers the path and query, so the origin only makes the URL whole).
 */
export function toNodeListener(handler, { baseUrl } = {}) {
  return async (req, res) => {
    try {
      const origin = baseUrl ?? `${req.socket?.encrypted ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const method = req.method ?? "POST";
      const body = method === "GET" || method === "HEAD" ? undefined : await rawBody(req);
      const response = await handler(new Request(new URL(req.originalUrl ?? req.url, origin), { method, headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
}
