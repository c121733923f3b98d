// Reads {secret, headers, body} lines (JSON, one per line) on stdin and prints "ok" or "refused: <reason>" for each, using
// the Standard Webhooks reference library (https://github.com/standard-webhooks/standard-webhooks, npm standardwebhooks).
import { Webhook } from "standardwebhooks";
import { createInterface } from "node:readline";

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { secret, headers, body } = JSON.parse(line);
  try {
    new Webhook(secret).verify(body, headers);
    console.log("ok");
  } catch (e) {
    console.log("refused: " + e.message);
  }
}
