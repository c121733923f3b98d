// The generated types stay what the committed OpenAPI document generates, and the package builds and loads as plain ESM.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPLAYABLE_OPERATIONS } from "../src/index.js";

const run = promisify(execFile);
const sdk = join(import.meta.dirname, "..");
const bin = (name: string) => join(sdk, "node_modules", ".bin", name);

describe("contract", { timeout: 180_000 }, () => { // tsc and openapi-typescript on a busy machine
  it("src/generated/rewards.v1.ts is what openapi-typescript makes of openapi/rewards.v1.json (run `npm run generate`)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rewards-sdk-drift-"));
    try {
      const out = join(dir, "rewards.v1.ts");
      await run(bin("openapi-typescript"), [join(sdk, "../../openapi/rewards.v1.json"), "-o", out], { cwd: sdk });
      const regenerated = await readFile(out, "utf8");
      const committed = await readFile(join(sdk, "src/generated/rewards.v1.ts"), "utf8");
      expect(committed === regenerated, "the generated types differ from the document: run `npm run generate` in sdk/typescript").toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("src/generated/events.ts is what scripts/generate-events.mjs makes of the document (run `npm run generate`)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rewards-sdk-events-"));
    try {
      const out = join(dir, "events.ts");
      await run(process.execPath, [join(sdk, "scripts/generate-events.mjs"), join(sdk, "../../openapi/rewards.v1.json"), out], { cwd: sdk });
      const committed = await readFile(join(sdk, "src/generated/events.ts"), "utf8");
      expect(committed === (await readFile(out, "utf8")), "the event map differs from the document: run `npm run generate` in sdk/typescript").toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("retries after a lost answer exactly the POSTs the document says are replayed by Idempotency-Key (and the batch)", async () => {
    const document = JSON.parse(await readFile(join(sdk, "../../openapi/rewards.v1.json"), "utf8")) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const declared = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.parameters?.some((p) => p.in === "header" && p.name === "Idempotency-Key"))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    // activities:batch carries a key per item in its body, so a repeat replays every item.
    const batch = "POST /v1/programs/{programId}/activities:batch";
    expect(document.paths["/v1/programs/{programId}/activities:batch"]?.post).toBeDefined();
    expect([...REPLAYABLE_OPERATIONS].sort()).toEqual([...declared, batch].sort());
  });

  it("type-checks (sources and tests, with the tests' @ts-expect-error lines)", async () => {
    const result = await run(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"], { cwd: sdk }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe("");
  });

  it("builds with tsc (npm run build) into ESM with declarations that Node loads by the package's exports", async () => {
    await rm(join(sdk, "dist"), { recursive: true, force: true });
    await run(bin("tsc"), ["-p", "tsconfig.build.json"], { cwd: sdk });
    const script = `const m = await import("@rewards/sdk"); const w = await import("@rewards/sdk/webhooks");
      console.log(JSON.stringify([typeof m.createRewardsClient, typeof m.clientCredentials, typeof m.RewardsProblemError, typeof m.verifyWebhook, typeof w.verifyWebhook]));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: sdk });
    expect(JSON.parse(stdout)).toEqual(["function", "function", "function", "undefined", "function"]);
    await expect(readFile(join(sdk, "dist/index.d.ts"), "utf8")).resolves.toContain("createRewardsClient");
  });
});
