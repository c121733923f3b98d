// The throwaway API that scripts/test starts, and the data each test file creates in it (its own program).
import { randomUUID } from "node:crypto";
import { clientCredentials, createRewardsClient, ok, type ClientCredentials } from "../src/index.js";

export const baseUrl = requiredEnv("REWARDS_TEST_URL");

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with sdk/typescript/scripts/test, which starts an API and Redis`);
  return value;
}

/** The operator's client (creates programs and their clients). */
export function operator() {
  return createRewardsClient({
    baseUrl,
    auth: clientCredentials({
      baseUrl,
      clientId: requiredEnv("REWARDS_TEST_ADMIN_ID"),
      clientSecret: requiredEnv("REWARDS_TEST_ADMIN_SECRET"),
    }),
  });
}

/** A new program (unique id) with a `review` rule (50 points, once per target) and a `share` rule, and a brand backend client. */
export async function newProgram(): Promise<{ programId: string; clientId: string; clientSecret: string; backend: ClientCredentials }> {
  const programId = `sdk-${randomUUID().slice(0, 8)}`;
  const admin = operator();
  await ok(
    admin.POST("/v1/programs", {
      body: {
        id: programId,
        name: "SDK tests",
        timeZone: "Europe/Paris",
        rules: { review: { points: 50, uniquePerTarget: true }, share: { points: 10 } },
        tiers: [{ name: "Bronze", minLifetimePoints: 0 }],
      },
    }),
  );
  const client = await ok(
    admin.POST("/v1/programs/{programId}/clients", {
      params: { path: { programId } },
      body: { name: "sdk-backend", scopes: ["rewards.activities", "rewards.read", "rewards.perks"] },
    }),
  );
  const backend = clientCredentials({ baseUrl, clientId: client.clientId!, clientSecret: client.clientSecret! });
  return { programId, clientId: client.clientId!, clientSecret: client.clientSecret!, backend };
}
