// A tiny HTTP server on a free loopback port, for what the real API cannot be made to do on demand (429, 5xx, dropped
// connections, event streams before their routes exist).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string; at: number }[];
  close(): Promise<void>;
}

export async function localServer(
  handler: (req: IncomingMessage, res: ServerResponse, index: number, body: string) => void | Promise<void>,
): Promise<LocalServer> {
  const requests: LocalServer["requests"] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const index = requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: Date.now() }) - 1;
    await handler(req, res, index, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
  res.end(JSON.stringify(body));
}
