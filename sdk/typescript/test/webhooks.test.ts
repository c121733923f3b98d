// The webhook verifier against the Standard Webhooks specification's example and an independent implementation
// (the `standardwebhooks` npm package, a devDependency only).
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, WebhookVerificationError } from "../src/webhooks.js";

// The specification's example (also the reference libraries' test vector).
const spec = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const atSpecTime = () => spec.timestamp * 1_000;

function specHeaders(signature = spec.signature, timestamp = spec.timestamp) {
  return { "webhook-id": spec.id, "webhook-timestamp": String(timestamp), "webhook-signature": signature };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e.code;
    throw e;
  }
  return undefined;
}

describe("webhook verifier", () => {
  it("signs and verifies the specification's example", () => {
    expect(signWebhook({ secret: spec.secret, id: spec.id, timestamp: spec.timestamp, payload: spec.payload })).toBe(spec.signature);
    const verified = verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: specHeaders(), now: atSpecTime });
    expect(verified).toEqual({ id: spec.id, timestamp: new Date(spec.timestamp * 1_000), event: { test: 2432232314 } });
  });

  it("accepts what the standardwebhooks package signs, and the package accepts what it signs", () => {
    for (let i = 0; i < 20; i++) {
      const secret = `whsec_${randomBytes(24 + i).toString("base64")}`;
      const id = `msg_${randomBytes(8).toString("hex")}`;
      const now = new Date();
      const timestamp = Math.floor(now.getTime() / 1_000);
      const payload = JSON.stringify({ type: "tier.changed", data: { memberId: "alice", tier: "Silver", note: "é✓ \u2028" }, n: i });
      const theirs = new Webhook(secret).sign(id, now, payload);

      expect(verifyWebhook({ secret, payload, headers: { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": theirs } }).event)
        .toEqual(JSON.parse(payload));
      const ours = signWebhook({ secret, id, timestamp, payload });
      expect(ours).toBe(theirs);
      expect(new Webhook(secret).verify(payload, { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": ours }))
        .toEqual(JSON.parse(payload));
    }
  });

  it("accepts any one matching signature of several, and any one of several secrets (rotation)", () => {
    const wrong = "v1,bm9wZQ==";
    const otherVersion = "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    expect(
      verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: specHeaders(`${wrong} ${otherVersion} ${spec.signature}`), now: atSpecTime }).id,
    ).toBe(spec.id);

    const newSecret = `whsec_${randomBytes(32).toString("base64")}`;
    // During a rotation the API sends both signatures; a receiver that knows either secret accepts the delivery.
    const both = `${signWebhook({ secret: newSecret, id: spec.id, timestamp: spec.timestamp, payload: spec.payload })} ${spec.signature}`;
    expect(verifyWebhook({ secret: newSecret, payload: spec.payload, headers: specHeaders(both), now: atSpecTime }).id).toBe(spec.id);
    expect(verifyWebhook({ secret: [newSecret, spec.secret], payload: spec.payload, headers: specHeaders(), now: atSpecTime }).id).toBe(spec.id);
    expect(codeOf(() => verifyWebhook({ secret: newSecret, payload: spec.payload, headers: specHeaders(), now: atSpecTime }))).toBe(
      "no_matching_signature",
    );
    expect(codeOf(() => verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: specHeaders(`${wrong} ${otherVersion}`), now: atSpecTime }))).toBe(
      "no_matching_signature",
    );
  });

  it("refuses a changed body, id or timestamp", () => {
    const verify = (payload: string, headers: Record<string, string>) =>
      codeOf(() => verifyWebhook({ secret: spec.secret, payload, headers, now: atSpecTime }));
    expect(verify('{"test": 2432232315}', specHeaders())).toBe("no_matching_signature");
    expect(verify(spec.payload, { ...specHeaders(), "webhook-id": "msg_other" })).toBe("no_matching_signature");
    expect(verify(spec.payload, specHeaders(spec.signature, spec.timestamp + 1))).toBe("no_matching_signature");
  });

  it("refuses a timestamp more than 5 minutes away, either way", () => {
    const at = (offsetSeconds: number) => () => (spec.timestamp + offsetSeconds) * 1_000;
    const verify = (now: () => number) => codeOf(() => verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: specHeaders(), now }));
    expect(verify(at(300))).toBeUndefined();
    expect(verify(at(-300))).toBeUndefined();
    expect(verify(at(301))).toBe("timestamp_too_old");
    expect(verify(at(-301))).toBe("timestamp_too_new");
  });

  it("refuses missing headers, a malformed timestamp and a malformed secret", () => {
    const { "webhook-signature": _, ...unsigned } = specHeaders();
    expect(codeOf(() => verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: unsigned, now: atSpecTime }))).toBe("missing_headers");
    expect(
      codeOf(() => verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: { ...specHeaders(), "webhook-timestamp": "1614265330.5" }, now: atSpecTime })),
    ).toBe("invalid_timestamp");
    expect(codeOf(() => verifyWebhook({ secret: "whsec_not base64!", payload: spec.payload, headers: specHeaders(), now: atSpecTime }))).toBe("invalid_secret");
  });

  it("reads Fetch Headers, Node's lower-case headers and any-case plain objects, and byte payloads", () => {
    const fetchHeaders = new Headers({ "Webhook-Id": spec.id, "Webhook-Timestamp": String(spec.timestamp), "Webhook-Signature": spec.signature });
    expect(verifyWebhook({ secret: spec.secret, payload: spec.payload, headers: fetchHeaders, now: atSpecTime }).id).toBe(spec.id);
    const mixedCase = { "Webhook-ID": spec.id, "WEBHOOK-TIMESTAMP": String(spec.timestamp), "webhook-signature": [spec.signature] };
    expect(verifyWebhook({ secret: spec.secret, payload: Buffer.from(spec.payload), headers: mixedCase, now: atSpecTime }).id).toBe(spec.id);
  });
});
