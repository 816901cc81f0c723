// The README's Node and Express receiver lines, exactly: tsc --strict with Node's and Express's own types must
// accept them (a defect: the adapter's request type had no property in common with node:http's Socket, TS2769).
import http from "node:http";
import express from "express";
import { createWebhookHandler } from "jira-webhooks/lifecycle";
import { toNodeListener } from "jira-webhooks/node-adapter";

const handler = createWebhookHandler({ oauth: { clientSecret: process.env.ATLASSIAN_CLIENT_SECRET ?? "" }, on: { "*": () => {} } });

// README ("Receive deliveries", Node):
http.createServer(toNodeListener(handler)).listen(3000);

// README ("Receive deliveries", Express): the raw body, so that signatures verify on its bytes.
const app = express();
app.post("/webhook", express.raw({ type: "*/*" }), toNodeListener(handler));
app.listen(3001);

// @ts-expect-error the listener takes node:http's request, not a Fetch Request
toNodeListener(handler)(new Request("https://app.example.com/webhook"), new http.ServerResponse(new http.IncomingMessage(null as never)));
