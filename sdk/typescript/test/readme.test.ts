// The README's examples compile against the SDK as it is (each ```ts block type-checked as an ES module).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const sdk = join(import.meta.dirname, "..");

it("README.md's TypeScript examples type-check", async () => {
  const readme = await readFile(join(sdk, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBe(3);
  // Inside the package, so that node_modules and @types/node resolve; @rewards/sdk maps to the sources.
  const dir = await mkdtemp(join(sdk, ".readme-check-"));
  try {
    const files = await Promise.all(
      blocks.map(async (code, i) => {
        const file = `example-${i + 1}.mts`;
        await writeFile(join(dir, file), `declare function render(entries: unknown[]): void;\n${code}\nexport {};\n`);
        return file;
      }),
    );
    const tsconfig = {
      extends: "../tsconfig.json",
      compilerOptions: {
        noEmit: true,
        rootDir: "..",
        paths: { "@rewards/sdk": ["../src/index.ts"], "@rewards/sdk/webhooks": ["../src/webhooks.ts"] },
        allowImportingTsExtensions: true,
      },
      include: files,
    };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const result = await run(join(sdk, "node_modules/.bin/tsc"), ["-p", dir]).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe("");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 180_000); // tsc on a busy machine
