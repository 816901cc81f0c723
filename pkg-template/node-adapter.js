// Node's HTTP servers (node:http, Express, Fastify's raw handlers) speak (req, res), not Request/Response: this
// turns a WebhookHandler (or any (Request) => Promise<Response>) into a (req, res) listener. The body is handed on
// as the stream of its raw bytes (the handler reads it within its size limit and verifies signatures on the bytes),
// unless a body parser already read it.
import { Readable } from "node:stream";

/** The body as the client sent it: the stream of raw bytes when nothing has read it yet. */
function bodyOf(req) {
  const parsed = req.body;
  if (parsed instanceof Uint8Array) return parsed; // express.raw(): the bytes
  if (typeof parsed === "string") return parsed; // express.text(): the text
  // A body parser already turned it into an object: JWTs still verify, an X-Hub-Signature cannot (mount the
  // route with express.raw({ type: "*/*" }) for that).
  if (parsed !== undefined) return JSON.stringify(parsed);
  return Readable.toWeb(req);
}

/**
 * `http.createServer(toNodeListener(handler))`, `app.post("/webhook", express.raw({ type: "*\/*" }), toNodeListener(handler))`.
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
      const body = method === "GET" || method === "HEAD" ? undefined : bodyOf(req);
      const init = { method, headers, body, duplex: "half" };
      const response = await handler(new Request(new URL(req.originalUrl ?? req.url ?? "/", origin), init));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
}
