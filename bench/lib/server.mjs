// The bench's canned Jira: a minimal node:http server that answers the webhook endpoints with precomputed,
// spec-valid JSON (no validation, no routing library), so the clients' own costs are what the bench sees.
// Run as a child process (its own core): `fork("server.mjs")` -> sends { ports: { string, numeric } } over IPC.
// Port "string" sends expirationDate as Jira's date strings; port "numeric" as the spec's int64 milliseconds.
// GET /__stats answers { requests, connections } for that port (connections shows keep-alive at work).
import http from "node:http";
import { registrationResult, webhookPage } from "./fixtures.mjs";

const JSON_HEADERS = { "content-type": "application/json;charset=UTF-8", "x-arequestid": "bench-0" };

function serve(numericDates) {
  const page = Buffer.from(JSON.stringify(webhookPage(100, { numericDates })));
  const registered = Buffer.from(JSON.stringify(registrationResult(5)));
  const stats = { requests: 0, connections: 0 };
  const send = (res, status, body) => {
    res.writeHead(status, { ...JSON_HEADERS, "content-length": body.length });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const path = req.url.split("?")[0];
    if (path === "/__stats") return send(res, 200, Buffer.from(JSON.stringify(stats)));
    stats.requests++;
    const finish = () => {
      if (/^\/rest\/api\/[23]\/webhook$/.test(path)) {
        if (req.method === "GET") return send(res, 200, page);
        if (req.method === "POST") return send(res, 200, registered);
      }
      send(res, 404, Buffer.from('{"errorMessages":["not found"],"errors":{}}'));
    };
    if (req.method === "GET") {
      req.resume();
      finish();
    } else {
      req.on("data", () => {});
      req.on("end", finish);
    }
  });
  server.on("connection", () => stats.connections++);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

const ports = { string: await serve(false), numeric: await serve(true) };
if (process.send) process.send({ ports });
else console.log(JSON.stringify({ ports }));
// Stops with its parent: the IPC channel closes when the parent exits.
process.on("disconnect", () => process.exit(0));
