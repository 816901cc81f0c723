// The Node entry of the fake Jira: the core (core.mjs, runtime-neutral) with the heavy validators injected
// (openapi-backend + ajv against Atlassian's OpenAPI documents, Atlassian's JQL grammar, atlassian-jwt's qsh, ajv for
// test input), served over node:http on 127.0.0.1.
import http from "node:http";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import * as jwt from "atlassian-jwt";
import { getSpecs } from "./spec.mjs";
import { checkJql, matchJql } from "./jql.mjs";
import { createFakeJira, MAX_REQUEST_BYTES } from "./core.mjs";
import { SCHEMAS } from "./schemas.mjs";

export * from "./core.mjs";
export { checkJql, matchJql } from "./jql.mjs";
/** The path of seed.json (6 webhooks and 4 failed deliveries on top of the default accounts). */
export const SEED_PATH = fileURLToPath(new URL("./seed.json", import.meta.url));

/** What `errorsText` calls the value, per schema. */
const DATA_VARS = { seed: "seed", failures: "failures", emit: "event", fault: "fault" };
let deps;

/**
 * The core's dependencies in Node, made once per process: specs, JQL, ajv validators and atlassian-jwt's qsh.
 * @returns {Promise<import("./core.mjs").CoreDeps>}
 */
export function nodeDeps() {
  deps ??= (async () => {
    const ajv = new Ajv({ allErrors: true });
    const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]));
    return {
      specs: await getSpecs(),
      jql: { checkJql, matchJql },
      validate: (name, value) => (validators[name](value) ? null : ajv.errorsText(validators[name].errors, { dataVar: DATA_VARS[name] })),
      qsh: ({ method, url, pathname, query }, baseUrl) =>
        jwt.createQueryStringHash(url === undefined ? { method, pathname, query } : jwt.fromMethodAndUrl(method, url), false, baseUrl),
    };
  })();
  return deps;
}

/**
 * @typedef {import("./core.mjs").FakeOptions & { port?: number }} FakeOptions port: 0 (the default) is any free port
 */

/**
 * Starts the fake on 127.0.0.1: the core's `handle` served over node:http.
 * @param {FakeOptions} [options]
 */
export async function startFakeJira({ port = 0, ...options } = {}) {
  const fake = createFakeJira(options, await nodeDeps());
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req, MAX_REQUEST_BYTES + 1); // one byte more than allowed: the core answers 413
      const request = new Request(new URL(req.url, fake.url), {
        method: req.method,
        headers: Object.entries(req.headers).flatMap(([k, v]) => [v].flat().map((x) => [k, x])),
        ...(body.length && req.method !== "GET" && req.method !== "HEAD" && { body }),
      });
      const response = await fake.handle(request);
      if (response.type === "error") return req.socket.destroy(); // a `reset` fault
      res.writeHead(response.status, [...response.headers].flat());
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      console.error("fake Jira (Node entry) internal error:", e);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" }).end(`fake Jira internal error: ${e.message}`);
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", backlog: 2048 }, resolve); // 1,000 concurrent clients in the load test
  });
  fake.port = server.address().port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  /** Stops the deliveries in flight and the server. */
  fake.close = async () => {
    fake.stop();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  };
  return fake;
}

/** Reads a request body, at most `limit` bytes (the rest is left unread). */
async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    chunks.push(c);
    size += c.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
