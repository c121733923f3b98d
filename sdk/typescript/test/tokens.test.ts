// Token sources against a local fake token endpoint (api.test.ts has them against the real one).
import { afterEach, describe, expect, it } from "vitest";
import { clientCredentials, jwtExpiry, memberToken } from "../src/index.js";
import { json, localServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function jwt(payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", typ: "at+jwt" })}.${part(payload)}.signature`;
}

describe("token sources", () => {
  it("posts the client-credentials and member grants as forms, and retries the token endpoint's 429", async () => {
    let n = 0;
    server = await localServer((_req, res, i) =>
      i === 0 ? json(res, 429, { status: 429 }, { "Retry-After": "0" }) : json(res, 200, { access_token: `t${++n}`, token_type: "Bearer", expires_in: 600 }),
    );
    const credentials = clientCredentials({ baseUrl: `${server.url}/`, clientId: "rc_1", clientSecret: "s e+cret", scope: "rewards.read" });

    expect(await credentials.token()).toBe("t1");
    expect(await credentials.memberToken("alice")).toMatchObject({ accessToken: "t2" });
    expect(server.requests.map((r) => r.url)).toEqual(["/connect/token", "/connect/token", "/connect/token"]);
    expect(server.requests[1]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(server.requests[1]!.body))).toEqual({
      grant_type: "client_credentials",
      client_id: "rc_1",
      client_secret: "s e+cret",
      scope: "rewards.read",
    });
    expect(Object.fromEntries(new URLSearchParams(server.requests[2]!.body))).toEqual({
      grant_type: "urn:rewards:grant-type:member",
      client_id: "rc_1",
      client_secret: "s e+cret",
      member_id: "alice",
    });
  });

  it("renews at half the lifetime of a short-lived token, and does not cache a failure", async () => {
    let clock = 1_000_000;
    let n = 0;
    server = await localServer((_req, res, i) =>
      i === 1 ? json(res, 400, { error: "invalid_request" }) : json(res, 200, { access_token: `t${++n}`, expires_in: 60 }),
    );
    const credentials = clientCredentials({ baseUrl: server.url, clientId: "c", clientSecret: "s", now: () => clock, retry: false });
    expect(await credentials.token()).toBe("t1");
    clock += 29_000;
    expect(await credentials.token()).toBe("t1");
    clock += 1_000; // half of 60 s: renewed (the default margin, 60 s, would renew at once)
    await expect(credentials.token()).rejects.toMatchObject({ status: 400, title: "invalid_request" });
    expect(await credentials.token()).toBe("t2");
  });

  it("uses an app's initial member token until its exp, then asks the backend", async () => {
    let clock = Date.parse("2026-11-30T12:00:00Z");
    const exp = clock / 1_000 + 600;
    const asked: number[] = [];
    const source = memberToken({
      initialToken: jwt({ sub: "alice", exp }),
      fetchToken: async () => {
        asked.push(clock);
        return jwt({ sub: "alice", exp: clock / 1_000 + 600, n: asked.length });
      },
      now: () => clock,
    });
    const first = await source.token();
    expect(jwtExpiry(first)).toBe(exp * 1_000);
    clock += 9 * 60_000 - 1; // a minute before exp
    expect(await source.token()).toBe(first);
    clock += 1;
    expect(await source.token()).not.toBe(first);
    expect(asked).toHaveLength(1);
    expect(await source.token({ forceRefresh: true })).not.toBe(first);
    expect(asked).toHaveLength(2);
    expect(jwtExpiry("not-a-jwt")).toBeUndefined();
  });
});
