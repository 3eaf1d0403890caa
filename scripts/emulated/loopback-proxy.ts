/**
 * A loopback-only HTTP forward proxy for the emulated tier. The AWS provider prefixes the S3 Control endpoint's host
 * with the account id (`http://111122223333.127.0.0.1:PORT/...`); that name resolves nowhere, and asking the machine's
 * resolver would send the lookup off the machine. Terraform and the provider get `HTTP_PROXY`/`HTTPS_PROXY` pointing
 * here (Go sends requests for 127.0.0.1 itself directly, everything else through the proxy): a request for a host that
 * is loopback by its name alone (`127.0.0.1`, `localhost`, or a name ending in `.127.0.0.1`/`.localhost`) goes to
 * 127.0.0.1 on the same port, with its Host header kept (moto reads the account from it). Anything else is refused with
 * 403 and never looked up; the refusals are counted so the tier can report them. CONNECT (HTTPS) is always refused.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackProxy {
  readonly url: string;
  /** Hosts refused so far (a non-loopback name or a CONNECT), in order. */
  readonly refused: readonly string[];
  close(): Promise<void>;
}

/** True when `hostname` names this machine by its text alone: no lookup is needed to know it. */
export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "127.0.0.1" || h === "localhost" || h === "[::1]" || h.endsWith(".127.0.0.1") || h.endsWith(".localhost");
}

/**
 * The parts of a proxy request's absolute URL. Parsed by hand: WHATWG `URL` reads `111122223333.127.0.0.1` as an IPv4
 * address (its last label is numeric) and rejects it, which is exactly the host this proxy exists for.
 */
export function parseProxyTarget(url: string): { scheme: string; hostname: string; port: string; path: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/:?#]+|\[[^\]]+\])(?::(\d+))?([/?][^#]*)?$/i.exec(url);
  if (!m) return undefined;
  const path = m[4] ?? "/";
  return { scheme: m[1].toLowerCase(), hostname: m[2], port: m[3] ?? "", path: path.startsWith("/") ? path : `/${path}` };
}

/** Starts the proxy on a free 127.0.0.1 port. */
export function startLoopbackProxy(): Promise<LoopbackProxy> {
  const refused: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const target = parseProxyTarget(req.url ?? "");
    if (!target) {
      res.writeHead(400, { "content-type": "text/plain" }).end("loopback proxy: only absolute http:// URLs\n");
      return;
    }
    const host = target.port ? `${target.hostname}:${target.port}` : target.hostname;
    if (target.scheme !== "http" || !isLoopbackName(target.hostname)) {
      refused.push(host);
      res.writeHead(403, { "content-type": "text/plain" }).end(`loopback proxy: ${host} is not a loopback name; refused without a lookup\n`);
      return;
    }
    const upstream = http.request({ host: "127.0.0.1", port: target.port || 80, method: req.method, path: target.path, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`loopback proxy: ${e.message}\n`);
    });
    req.pipe(upstream);
  });
  server.on("connect", (req, socket) => {
    refused.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        refused,
        close: () =>
          new Promise<void>((r) => {
            agent.destroy();
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
