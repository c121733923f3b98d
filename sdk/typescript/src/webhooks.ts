/**
 * Standard Webhooks (https://www.standardwebhooks.com) verification for Node receivers, with `node:crypto` only.
 * A separate entry point (`@rewards/sdk/webhooks`) so that browser bundles of the client never pull in `node:crypto`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Request headers as Node (`req.headers`), the Fetch API (`Headers`) or a plain object gives them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** The endpoint's secret(s), `whsec_` + base64 as the API shows them; give both while a rotation keeps the old one valid. */
  secret: string | readonly string[];
  /** The raw body exactly as received (not re-serialised JSON). */
  payload: string | Uint8Array;
  headers: WebhookHeaders;
  /** Largest accepted distance between `webhook-timestamp` and now, either way (default 300 s, as the specification says). */
  toleranceSeconds?: number;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/** A verified delivery. */
export interface VerifiedWebhook<T = unknown> {
  /** `webhook-id`: the message id, the same on every retry of a delivery (use it to drop duplicates). */
  id: string;
  /** `webhook-timestamp`. */
  timestamp: Date;
  /** The body parsed as JSON. */
  event: T;
}

export type WebhookVerificationCode =
  | "missing_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "invalid_secret"
  | "no_matching_signature"
  | "invalid_payload";

/** A delivery that is not proven to come from Rewards: answer it with 400/401 and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
  ) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/**
 * Verifies a Standard Webhooks delivery: `webhook-signature` must hold a `v1,<base64 HMAC-SHA256>` of
 * `<webhook-id>.<webhook-timestamp>.<body>` under one of the secrets (several signatures may be listed, space-separated),
 * and `webhook-timestamp` must be within the tolerance of now. Returns the parsed event; throws WebhookVerificationError.
 *
 * @example
 * app.post("/rewards-webhook", express.raw({ type: "application/json" }), (req, res) => {
 *   const { id, event } = verifyWebhook({ secret: process.env.REWARDS_WEBHOOK_SECRET!, payload: req.body, headers: req.headers });
 *   res.sendStatus(204);
 * });
 */
export function verifyWebhook<T = unknown>(options: VerifyWebhookOptions): VerifiedWebhook<T> {
  const id = header(options.headers, "webhook-id");
  const timestampText = header(options.headers, "webhook-timestamp");
  const signatures = header(options.headers, "webhook-signature");
  if (!id || !timestampText || !signatures) {
    throw new WebhookVerificationError("missing_headers", "webhook-id, webhook-timestamp and webhook-signature are required.");
  }
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError("invalid_timestamp", "webhook-timestamp is not a number of seconds.");
  }
  const timestamp = Number(timestampText);
  const now = Math.floor((options.now ?? Date.now)() / 1_000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (timestamp < now - tolerance) throw new WebhookVerificationError("timestamp_too_old", "webhook-timestamp is too old.");
  if (timestamp > now + tolerance) throw new WebhookVerificationError("timestamp_too_new", "webhook-timestamp is in the future.");

  const payload = typeof options.payload === "string" ? Buffer.from(options.payload, "utf8") : Buffer.from(options.payload);
  const given = signatures
    .split(" ")
    .map((s) => s.split(","))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] === "v1")
    .map(([, value]) => Buffer.from(value, "base64"));
  const secrets = typeof options.secret === "string" ? [options.secret] : options.secret;
  if (secrets.length === 0) throw new WebhookVerificationError("invalid_secret", "No secret to verify with.");
  const matched = secrets.some((secret) => {
    const expected = sign(secretKey(secret), id, timestampText, payload);
    return given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
  if (!matched) throw new WebhookVerificationError("no_matching_signature", "No signature matches the payload.");

  let event: T;
  try {
    event = JSON.parse(payload.toString("utf8")) as T;
  } catch {
    throw new WebhookVerificationError("invalid_payload", "The payload is not JSON.");
  }
  return { id, timestamp: new Date(timestamp * 1_000), event };
}

/**
 * The `webhook-signature` value for a payload (`v1,<base64>`), as Rewards signs it: for testing a receiver.
 *
 * @example
 * const signature = signWebhook({ secret: "whsec_…", id: "msg_1", timestamp: Math.floor(Date.now() / 1000), payload: body });
 */
export function signWebhook(options: { secret: string; id: string; timestamp: number; payload: string | Uint8Array }): string {
  const payload = typeof options.payload === "string" ? Buffer.from(options.payload, "utf8") : Buffer.from(options.payload);
  return `v1,${sign(secretKey(options.secret), options.id, String(options.timestamp), payload).toString("base64")}`;
}

function sign(key: Buffer, id: string, timestamp: string, payload: Buffer): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`, "utf8").update(payload).digest();
}

function secretKey(secret: string): Buffer {
  const base64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new WebhookVerificationError("invalid_secret", "The secret is not whsec_ followed by base64.");
  }
  return Buffer.from(base64, "base64");
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}
