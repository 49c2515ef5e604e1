// One real HTTP/1.1 exchange with a backend, for `vpclab curl`: the request as the client would
// send it to the name it asked for (Host header, path), sent to the real server's address.
// The outcome tells a backend that never accepted (down: try another target) from one that
// failed mid-way, as curl's exit codes do.
import http from "node:http";
import type { Backend } from "../model/backends.js";

export interface HttpSpec {
  method: string;
  /** Path and query, as in the URL. */
  path: string;
  /** In order, as given; Host among them. */
  headers: [string, string][];
  body?: Buffer;
  connectTimeoutMs: number;
  /** The whole exchange; 0 for no limit. */
  maxTimeMs: number;
}

export interface HttpHead { status: number; statusText: string; httpVersion: string; rawHeaders: string[] }

export type HttpOutcome =
  | { kind: "done"; head: HttpHead }
  /** Never connected: refused, unreachable, or no answer within connectTimeoutMs. */
  | { kind: "down"; code: string }
  /** Connected, then it went wrong: curl's 52 (empty reply), 56 (receive failure) or 28 (timeout). */
  | { kind: "failed"; exit: 28 | 52 | 56; message: string };

/** Sends the request; the head goes to onHead, then every body chunk to onBody, as they come. */
export function exchange(backend: Backend, spec: HttpSpec, onHead: (h: HttpHead) => void, onBody: (chunk: Buffer) => void): Promise<HttpOutcome> {
  return new Promise((done) => {
    let connected = false;
    let settled = false;
    let overall: NodeJS.Timeout | undefined;
    const finish = (o: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      done(o);
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of spec.headers) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    const req = http.request({
      host: backend.host, port: backend.port, method: spec.method, path: spec.path, headers,
      // A fresh connection per request, closed after it: curl's behaviour, and no pooled socket keeps the CLI alive.
      agent: false, setHost: false,
    });
    if (spec.maxTimeMs > 0) {
      overall = setTimeout(() => {
        finish(connected ? { kind: "failed", exit: 28, message: `Operation timed out after ${spec.maxTimeMs} milliseconds` } : { kind: "down", code: "ETIMEDOUT" });
        req.destroy();
      }, spec.maxTimeMs);
    }
    req.on("socket", (s) => {
      s.setTimeout(spec.connectTimeoutMs, () => {
        if (connected) return;
        finish({ kind: "down", code: "ETIMEDOUT" });
        req.destroy();
      });
      s.once("connect", () => {
        connected = true;
        s.setTimeout(0);
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (!connected) return finish({ kind: "down", code: e.code ?? e.message });
      finish(e.code === "ECONNRESET" && e.message === "socket hang up"
        ? { kind: "failed", exit: 52, message: "Empty reply from server" }
        : { kind: "failed", exit: 56, message: `Failure when receiving data from the peer (${e.code ?? e.message})` });
    });
    req.on("response", (res) => {
      const head: HttpHead = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", httpVersion: res.httpVersion, rawHeaders: res.rawHeaders };
      onHead(head);
      res.on("data", (chunk: Buffer) => onBody(chunk));
      res.on("end", () => finish({ kind: "done", head }));
      res.on("aborted", () => finish({ kind: "failed", exit: 56, message: "Failure when receiving data from the peer (the connection closed mid-body)" }));
      res.on("error", (e) => finish({ kind: "failed", exit: 56, message: `Failure when receiving data from the peer (${e.message})` }));
    });
    req.end(spec.body);
  });
}

/** The head as curl -i prints it. */
export function headText(h: HttpHead): string {
  const lines = [`HTTP/${h.httpVersion} ${h.status} ${h.statusText}`];
  for (let i = 0; i + 1 < h.rawHeaders.length; i += 2) lines.push(`${h.rawHeaders[i]}: ${h.rawHeaders[i + 1]}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}
