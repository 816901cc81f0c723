// node --test packages/fake-jira/test/ — what a host of the core (such as jira-webhooks/testing, which runs it in
// memory) sets: the webhook limits, the clock of JWTs apart from the fake's clock, and one event's deliveries sent
// to a fetch of its own, awaited on their own.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { createFakeJira, nodeDeps, LIMIT_MESSAGES, WEBHOOK_LIFETIME_MS } from "../server.mjs";
import { AUTH, CONNECT_APP, CONNECT_SECRET, OAUTH_PREFIX, hooks } from "../helpers.mjs";

const ORIGIN = "https://jira.test";
const json = { "content-type": "application/json" };
const deps = await nodeDeps();
const call = (fake, method, path, { auth = AUTH.connect, body } = {}) =>
  fake.handle(new Request(ORIGIN + path, { method, headers: { authorization: auth, ...(body && json) }, ...(body && { body: JSON.stringify(body) }) }));
const register = async (fake, n, opts = {}) => {
  const res = await call(fake, "POST", `${opts.prefix ?? ""}/rest/api/3/webhook`, { ...opts, body: { ...hooks(n), url: "https://app.example.com/hook" } });
  assert.equal(res.status, 200);
  return (await res.json()).webhookRegistrationResult;
};
/** A Connect JWT for a request, signed now (the real clock) as the client does. */
const connectJwt = (method, path) => {
  const iat = Math.floor(Date.now() / 1000);
  const qsh = jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, path), false, "");
  return `JWT ${jwt.encodeSymmetric({ iss: CONNECT_APP, iat, exp: iat + 180, qsh }, CONNECT_SECRET)}`;
};

describe("webhookLimits", () => {
  it("a Connect app's limit per site and an OAuth 2.0 app's per user are what the host sets; Jira's by default", async () => {
    const fake = createFakeJira({ url: ORIGIN, webhookLimits: { connect: 2, oauth: 1 } }, deps);
    assert.deepEqual(await register(fake, 3), [{ createdWebhookId: 10000 }, { createdWebhookId: 10001 }, { errors: ["Reached the limit of 2 webhooks per app"] }]);
    assert.deepEqual(await register(fake, 2, { auth: AUTH.oauth, prefix: OAUTH_PREFIX }),
      [{ createdWebhookId: 10002 }, { errors: ["Reached the limit of 1 webhooks per user for this app"] }]);
    const jira = createFakeJira({ url: ORIGIN }, deps);
    const results = await register(jira, 6, { auth: AUTH.oauth, prefix: OAUTH_PREFIX });
    assert.deepEqual(results.at(-1), { errors: [LIMIT_MESSAGES.oauth] });
    assert.equal(LIMIT_MESSAGES.oauth, "Reached the limit of 5 webhooks per user for this app");
  });

  it("a limit that is not an integer >= 0, or an unknown kind, is a TypeError", () => {
    for (const webhookLimits of [{ connect: -1 }, { oauth: 1.5 }, { conect: 3 }, { connect: "3" }])
      assert.throws(() => createFakeJira({ webhookLimits }, deps), /webhookLimits must be \{ connect\?, oauth\? \}/, JSON.stringify(webhookLimits));
  });
});

describe("jwtNow: the JWTs' clock apart from the fake's", () => {
  it("with the fake's clock moved on 31 days, a client's fresh Connect JWT is expired, unless jwtNow is the real clock", async () => {
    for (const [jwtNow, status] of [[undefined, 401], [() => Date.now(), 200]]) {
      const fake = createFakeJira({ url: ORIGIN, ...(jwtNow && { jwtNow }) }, deps);
      fake.advanceTime(31 * 86_400_000);
      const res = await call(fake, "GET", "/rest/api/3/webhook", { auth: connectJwt("GET", "/rest/api/3/webhook") });
      assert.equal(res.status, status, `jwtNow ${jwtNow ? "real" : "unset"}: ${await res.text()}`);
    }
  });

  it("deliveries' JWTs are issued on jwtNow while expiry follows the fake's clock", async () => {
    const received = [];
    const fake = createFakeJira({
      url: ORIGIN, jwtNow: () => Date.now(), fetch: async (url, init) => (received.push(init.headers.Authorization), new Response(null, { status: 204 })),
    }, deps);
    await register(fake, 1);
    fake.advanceTime(WEBHOOK_LIFETIME_MS - 60_000); // the webhook is still alive a minute before it expires
    await fake.emit({ event: "jira:issue_created" }).settled;
    assert.equal(received.length, 1);
    const claims = jwt.decodeSymmetric(received[0].replace(/^JWT /, ""), CONNECT_SECRET, jwt.SymmetricAlgorithm.HS256);
    assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 5, `iat ${claims.iat} is the real time`);
    fake.advanceTime(120_000);
    assert.deepEqual(fake.emit({ event: "jira:issue_created" }).deliveries, [], "expired on the fake's clock");
  });

  it("jwtNow that is not a function is a TypeError", () => {
    assert.throws(() => createFakeJira({ jwtNow: 5 }, deps), /jwtNow must be a function/);
  });
});

describe("emit(input, { fetch }): one event's deliveries on their own", () => {
  it("go to that fetch only, retries included; `settled` waits for them alone and stays out of JSON", async () => {
    const fallback = [];
    const fake = createFakeJira({ url: ORIGIN, deliveryRetryDelaysMs: [30], fetch: async (url) => (fallback.push(url), new Response(null, { status: 204 })) }, deps);
    await register(fake, 1);
    const slow = [], fast = [];
    const first = fake.emit({ event: "jira:issue_created" }, {
      fetch: async (url, init) => (slow.push(init.headers["X-Atlassian-Webhook-Retry"] ?? "0"), new Response(null, { status: slow.length < 3 ? 503 : 204 })),
    });
    const second = fake.emit({ event: "jira:issue_created" }, { fetch: async () => (fast.push(1), new Response(null, { status: 204 })) });
    const order = [];
    await Promise.all([first.settled.then(() => order.push("first")), second.settled.then(() => order.push("second"))]);
    assert.deepEqual(order, ["second", "first"], "the second event's delivery settled without waiting for the first one's retries");
    assert.deepEqual(slow, ["0", "1", "2"]);
    assert.deepEqual(fast, [1]);
    assert.deepEqual(fallback, [], "the fake's own fetch sent nothing");
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(first))), ["ok", "deliveries"]);
    assert.deepEqual(fake.deliveries.map((d) => [d.id, d.attempt, d.status]).sort(), [["1", 1, 503], ["1", 2, 503], ["1", 3, 204], ["2", 1, 204]]);

    // Without the option, the fake's fetch; the control route answers as before.
    const res = await fake.handle(new Request(`${ORIGIN}/_fake/events`, { method: "POST", body: JSON.stringify({ event: "jira:issue_created" }) }));
    assert.deepEqual(Object.keys(await res.json()), ["ok", "deliveries"]);
    await fake.deliveriesSettled();
    assert.deepEqual(fallback, ["https://app.example.com/hook"]);
    assert.throws(() => fake.emit({ event: "jira:issue_created" }, { fetch: "nope" }), /emit's fetch must be a function/);
  });
});
