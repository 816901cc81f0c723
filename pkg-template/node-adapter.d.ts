import type { IncomingMessage, ServerResponse } from "node:http";

export interface NodeListenerOptions {
  /** The public origin the deliveries are sent to, when the server sits behind a proxy. */
  baseUrl?: string;
}

/**
 * `http.createServer(toNodeListener(handler))`, `app.post("/webhook", express.raw({ type: "*\/*" }),
 * toNodeListener(handler))`: a listener of node:http's request (Express's and Fastify's raw ones are those) for a
 * WebhookHandler. The body goes on as its raw bytes, unless a body parser already read it (then an X-Hub-Signature
 * cannot verify: mount `express.raw({ type: "*\/*" })` for that route).
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options?: NodeListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
