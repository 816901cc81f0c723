/** What the adapter reads of Node's request: node:http's IncomingMessage (and Express's, with `body` and `originalUrl`). */
export interface NodeRequest extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  socket?: { encrypted?: boolean };
}

/** What the adapter writes to: node:http's ServerResponse. */
export interface NodeResponse {
  headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}

export interface NodeListenerOptions {
  /** The public origin the deliveries are sent to, when the server sits behind a proxy. */
  baseUrl?: string;
}

/** `http.createServer(toNodeListener(handler))`, `app.post("/webhook", toNodeListener(handler))`. */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options?: NodeListenerOptions,
): (req: NodeRequest, res: NodeResponse) => Promise<void>;
