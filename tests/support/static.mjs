// Loopback HTTP for the tests and the bench: a static file server, and a URL where nothing listens.
import http from "node:http";
import { createServer } from "node:net";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

/** Content types by extension (`application/wasm` lets browsers compile the wasm while it streams). */
export const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css",
};

/**
 * A static file server on 127.0.0.1: `pages` first, then the files of `mounts`; anything else is a 404. Every
 * answer has `Cache-Control: no-store`; the query string is ignored.
 * @param {{ mounts?: Record<string, string>, pages?: Record<string, string> }} [options]
 *   mounts: URL path prefix ("/node_modules/jira-webhooks/") -> the folder it serves (nothing outside it);
 *   pages: URL path -> body, typed by its extension (HTML when it has none, e.g. "/")
 * @returns {Promise<{ origin: string, served: [string, number][], close: () => Promise<void> }>}
 *   served: [path, status] of every request, in order (tests may empty it)
 */
export async function startStaticServer({ mounts = {}, pages = {} } = {}) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let body = pages[path];
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (body !== undefined || !path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (file.startsWith(normalize(dir + sep))) body = await readFile(file).catch(() => undefined);
    }
    served.push([path, body === undefined ? 404 : 200]);
    if (body === undefined) return res.writeHead(404).end();
    const type = MIME[extname(path) || (path in pages ? ".html" : "")] ?? "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    served,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** A loopback URL nobody listens on (a port taken, then freed): connections to it are refused. */
export async function refusedUrl() {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}
