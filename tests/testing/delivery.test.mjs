// jira-webhooks/testing's signedDelivery, from the packed package: each kind of signature verifies with the package's
// own createWebhookHandler and verifyDelivery; headers, claims and bodies are Jira's; the Connect qsh is the package's
// and atlassian-jwt's on awkward URLs; a forged or altered delivery is refused; wrong options are TypeErrors.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as jwt from "atlassian-jwt";
import { APP, KEYS, SITE, loadKit, recordingHandler } from "./common.mjs";

let kit, lib;
before(async () => ({ kit, lib } = await loadKit()), { timeout: 60_000 });

const URL_ = `${APP}/webhooks/jira`;
const KINDS = ["oauth", "connect", "hmac"];
/** The site a delivery of each kind belongs to: the tenant's clientKey, the cloudId claim, the payload's origin. */
const SITE_OF = { connect: KEYS.connect.clientKey, oauth: KEYS.oauth.cloudId, hmac: SITE };

test("each kind verifies with createWebhookHandler and verifyDelivery; the handler gets the delivery as it was sent", async () => {
  for (const kind of KINDS) {
    const { handler, seen } = recordingHandler(lib);
    const options = {
      url: URL_, event: "jira:issue_updated", id: `d-${kind}`, retry: 2, flow: "Secondary", matchedWebhookIds: [7, 9],
      payload: { issue: { key: "ABC-9", fields: { summary: "Edited" } } }, [kind]: KEYS[kind],
    };
    const res = await handler(await kit.signedDelivery(options));
    assert.equal(res.status, 204, `${kind}: ${await res.text()}`);
    assert.equal(seen.length, 1, kind);
    const { payload, delivery } = seen[0];
    assert.deepEqual({ id: delivery.id, site: delivery.site, retry: delivery.retry, flow: delivery.flow, event: delivery.event, matched: delivery.matchedWebhookIds },
      { id: `d-${kind}`, site: SITE_OF[kind], retry: 2, flow: "Secondary", event: "jira:issue_updated", matched: [7, 9] }, kind);
    assert.equal(payload.issue.key, "ABC-9");
    assert.equal(payload.issue.fields.summary, "Edited");
    assert.equal(payload.issue.fields.project.key, "ABC", "the rest of the issue is filled in");
    if (kind === "connect") assert.equal(delivery.clientKey, KEYS.connect.clientKey);

    const verified = await lib.verifyDelivery(await kit.signedDelivery(options), { [kind]: kind === "connect"
      ? { baseUrl: APP, sharedSecret: async () => KEYS.connect.sharedSecret } : kind === "oauth" ? { clientSecret: KEYS.oauth.clientSecret } : KEYS.hmac });
    assert.equal(verified.id, `d-${kind}`, kind);
    assert.equal(verified.site, SITE_OF[kind], kind);
  }
});

test("headers and claims are Jira's: identifier, retry only after the first attempt, flow, JSON; HS256 JWTs with the documented claims", async () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const first = await kit.signedDelivery({ url: URL_, event: "jira:issue_created", id: "id-1", now, oauth: { ...KEYS.oauth, user: "acct-1" } });
  assert.equal(first.method, "POST");
  assert.equal(first.url, URL_);
  assert.equal(first.headers.get("content-type"), "application/json");
  assert.equal(first.headers.get("x-atlassian-webhook-identifier"), "id-1");
  assert.equal(first.headers.get("x-atlassian-webhook-flow"), "Primary");
  assert.equal(first.headers.get("x-atlassian-webhook-retry"), null, "no Retry header on the first attempt");
  const bearer = first.headers.get("authorization").replace(/^Bearer /, "");
  assert.deepEqual(jwt.decodeSymmetric(bearer, KEYS.oauth.clientSecret, jwt.SymmetricAlgorithm.HS256),
    { iss: SITE, sub: "acct-1", iat: now / 1000, exp: now / 1000 + 180, context: { cloudId: KEYS.oauth.cloudId } });
  assert.deepEqual(JSON.parse(Buffer.from(bearer.split(".")[0], "base64url")), { typ: "JWT", alg: "HS256" });
  const noCloud = await kit.signedDelivery({ url: URL_, event: "jira:issue_created", oauth: { clientSecret: KEYS.oauth.clientSecret } });
  assert.equal("context" in jwt.decodeSymmetric(noCloud.headers.get("authorization").slice(7), KEYS.oauth.clientSecret, jwt.SymmetricAlgorithm.HS256), false);

  const retried = await kit.signedDelivery({ url: `${URL_}?tenant=a`, event: "jira:issue_created", retry: 3, now, connect: KEYS.connect });
  assert.equal(retried.headers.get("x-atlassian-webhook-retry"), "3");
  const token = retried.headers.get("authorization").replace(/^JWT /, "");
  const claims = jwt.decodeSymmetric(token, KEYS.connect.sharedSecret, jwt.SymmetricAlgorithm.HS256);
  assert.deepEqual(Object.keys(claims), ["iss", "iat", "exp", "qsh"]);
  assert.equal(claims.iss, KEYS.connect.clientKey);
  assert.equal(claims.exp - claims.iat, 180);
  assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", "/webhooks/jira?tenant=a"), false, ""));
  assert.equal(claims.qsh, lib.queryStringHash("POST", `${URL_}?tenant=a`, APP));

  const hmac = await kit.signedDelivery({ url: URL_, event: "comment_created", hmac: KEYS.hmac });
  const body = await hmac.clone().text();
  assert.equal(hmac.headers.get("x-hub-signature"), `sha256=${createHmac("sha256", KEYS.hmac.secret).update(body).digest("hex")}`);
  assert.equal(hmac.headers.get("authorization"), null);
});

test("the body is shaped like Jira's for every event the package knows; given parts are kept, the rest filled in", async () => {
  const events = lib.webhookEvents();
  assert.ok(events.length >= 20);
  for (const event of events) {
    const body = await (await kit.signedDelivery({ url: URL_, event, hmac: KEYS.hmac })).json();
    assert.equal(body.webhookEvent, event);
    assert.equal(typeof body.timestamp, "number");
    assert.deepEqual(body.matchedWebhookIds, [10000]);
    const parts = event.startsWith("sprint_") ? ["sprint"] : event.startsWith("jira:version_") ? ["version"]
      : event.startsWith("comment_") ? ["comment", "issue"] : event.startsWith("issue_property_") ? ["property", "issue"] : ["issue", "user"];
    for (const part of parts) assert.equal(typeof body[part], "object", `${event}: ${part}`);
    if (parts.includes("issue")) {
      assert.match(body.issue.self, /^https:\/\/your-domain\.atlassian\.net\/rest\/api\/2\/issue\/\d+$/, event);
      assert.equal(body.issue.fields.project.key, "DEMO", event);
    }
    if (event.startsWith("jira:issue_")) assert.equal(body.issue_event_type_name, event === "jira:issue_updated" ? "issue_updated" : `issue_${event.split("_")[1]}`);
    assert.equal(event === "jira:issue_updated", "changelog" in body, event);
  }
  const custom = await (await kit.signedDelivery({
    url: URL_, event: "jira:issue_created", site: "https://acme.atlassian.net", matchedWebhookIds: [],
    payload: { issue: { key: "OPS-3", fields: { customfield_10014: "EPIC" } }, timestamp: 5, extra: { kept: true } }, hmac: KEYS.hmac,
  })).json();
  assert.equal(custom.issue.key, "OPS-3");
  assert.equal(custom.issue.fields.customfield_10014, "EPIC");
  assert.equal(custom.issue.fields.project.key, "OPS");
  assert.equal(custom.issue.self, "https://acme.atlassian.net/rest/api/2/issue/10001");
  assert.deepEqual([custom.timestamp, custom.extra, custom.matchedWebhookIds], [5, { kept: true }, []]);

  // `body`: the exact bytes, signed as they are (HMAC over them, and the handler reads them back).
  const exact = '{"webhookEvent":"jira:issue_created","issue":{"key":"ÉÈ-1","fields":{"summary":"naïve ✓"}},"matchedWebhookIds":[1]}';
  const req = await kit.signedDelivery({ url: URL_, body: exact, hmac: KEYS.hmac });
  assert.equal(await req.clone().text(), exact);
  const { handler, seen } = recordingHandler(lib);
  assert.equal((await handler(req)).status, 204);
  assert.equal(seen[0].payload.issue.fields.summary, "naïve ✓");
});

test("the Connect qsh is the package's queryStringHash and atlassian-jwt's on awkward URLs, and the handler accepts each", async () => {
  const bases = [APP, `${APP}/`, `${APP}/apps/jira`];
  const paths = [
    "/hook", "/hook/", "/hook?b=2&a=1&a=0", "/hook?jwt=x.y.z&x=1", "/a%26b/c?q=a%2Cb&s=%7E*+&empty=",
    "/x?z=%C3%A9&%C3%A9=1&%F0%9F%98%80=emoji", "/x?name=with%20space&name=plus+sign", "/x?k=%E2%9C%93&K=upper",
  ];
  let n = 0;
  for (const base of bases) {
    const { handler } = recordingHandler(lib, { connect: { baseUrl: base, sharedSecret: async () => KEYS.connect.sharedSecret } });
    for (const path of paths) {
      const url = base.replace(/\/$/, "") + path;
      const req = await kit.signedDelivery({ url, event: "jira:issue_created", id: `q-${n++}`, connect: { ...KEYS.connect, baseUrl: base } });
      const { qsh } = jwt.decodeSymmetric(req.headers.get("authorization").slice(4), KEYS.connect.sharedSecret, jwt.SymmetricAlgorithm.HS256);
      assert.equal(qsh, lib.queryStringHash("POST", url, base), `package: ${url} under ${base}`);
      assert.equal(qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", url), false, base), `atlassian-jwt: ${url} under ${base}`);
      const res = await handler(req);
      assert.equal(res.status, 204, `${url}: ${await res.text()}`);
    }
  }
});

test("a forged or altered delivery is refused: another secret, another path, an edited body, an expired token", async () => {
  const { handler, seen } = recordingHandler(lib);
  const cases = {
    "connect, another secret": kit.signedDelivery({ url: URL_, event: "jira:issue_created", connect: { ...KEYS.connect, sharedSecret: "guessed" } }),
    "oauth, another secret": kit.signedDelivery({ url: URL_, event: "jira:issue_created", oauth: { ...KEYS.oauth, clientSecret: "guessed" } }),
    "hmac, another secret": kit.signedDelivery({ url: URL_, event: "jira:issue_created", hmac: { secret: "guessed" } }),
    "connect, signed for another path": kit.signedDelivery({ url: URL_, event: "jira:issue_created", connect: KEYS.connect })
      .then((r) => new Request(`${APP}/webhooks/other`, { method: "POST", headers: r.headers, body: r.body, duplex: "half" })),
    "hmac, body edited": kit.signedDelivery({ url: URL_, event: "jira:issue_created", hmac: KEYS.hmac })
      .then(async (r) => new Request(URL_, { method: "POST", headers: r.headers, body: (await r.text()).replace("DEMO", "DEMX") })),
    "oauth, expired an hour ago": kit.signedDelivery({ url: URL_, event: "jira:issue_created", now: Date.now() - 3_600_000, oauth: KEYS.oauth }),
    "connect, unknown tenant": kit.signedDelivery({ url: URL_, event: "jira:issue_created", connect: { ...KEYS.connect, clientKey: "someone-else" } }),
  };
  for (const [name, request] of Object.entries(cases)) assert.equal((await handler(await request)).status, 401, name);
  assert.equal(seen.length, 0);
});

test("wrong options are TypeErrors that name them; nothing is signed", async () => {
  const base = { url: URL_, event: "jira:issue_created" };
  const cases = [
    [{ ...base }, /exactly one of oauth/],
    [{ ...base, oauth: KEYS.oauth, hmac: KEYS.hmac }, /exactly one of oauth/],
    [{ ...base, hmac: KEYS.hmac, evnet: "x" }, /unknown option 'evnet'/],
    [{ ...base, url: "/webhooks/jira", hmac: KEYS.hmac }, /url must be an absolute/],
    [{ ...base, connect: { ...KEYS.connect, baseUrl: "https://elsewhere.example.com/app" } }, /is not under the base URL/],
    [{ ...base, connect: { ...KEYS.connect, sharedScret: "x" } }, /connect: unknown option 'sharedScret'/],
    [{ ...base, retry: -1, hmac: KEYS.hmac }, /retry must be an integer >= 0/],
    [{ ...base, flow: "primary", hmac: KEYS.hmac }, /flow must be "Primary" or "Secondary"/],
    [{ ...base, event: "", hmac: KEYS.hmac }, /event must be an event name/],
    [{ ...base, oauth: { clientSecret: "" } }, /oauth.clientSecret/],
    [null, /options must be an object/],
  ];
  for (const [options, message] of cases) await assert.rejects(kit.signedDelivery(options), (e) => e instanceof TypeError && message.test(e.message), JSON.stringify(options));
});
