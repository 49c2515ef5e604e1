// The HTTP front: reads a Query request (form body or query string), picks the service from the
// SigV4 credential scope (falling back to who knows the Action), the account from the access key
// and the Region from the scope, and hands a typed call to the engine. Signatures are not checked.
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { MODELS, type ServiceName, hasOperation } from "../protocol/shapes.js";
import { renderError } from "../protocol/xml.js";
import type { Engine } from "./engine.js";

export const DEFAULT_ACCOUNT = "000000000000";
/** Larger bodies are refused: the biggest real EC2 request (a policy document plus lists) is far smaller. */
const MAX_BODY = 1 << 20;

const SIGNING_NAMES: Record<string, ServiceName> = { ec2: "ec2", elasticloadbalancing: "elbv2", sts: "sts", iam: "iam" };

export interface Credentials { accessKeyId?: string; region?: string; service?: string }

/** The access key, Region and service of a SigV4 credential scope: AKID/DATE/REGION/SERVICE/aws4_request. */
export function credentialScope(req: IncomingMessage, query: URLSearchParams): Credentials {
  const header = req.headers.authorization ?? "";
  const scope = /Credential=([^,\s]+)/.exec(header)?.[1] ?? query.get("X-Amz-Credential") ?? undefined;
  if (!scope) return {};
  const [accessKeyId, , region, service] = scope.split("/");
  return { ...(accessKeyId ? { accessKeyId } : {}), ...(region ? { region } : {}), ...(service ? { service } : {}) };
}

/** A 12-digit access key id is that account (the LocalStack convention); any other key is the default account. */
export function accountFor(accessKeyId: string | undefined): string {
  return accessKeyId !== undefined && /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
}

function serviceFor(creds: Credentials, action: string): ServiceName {
  const named = creds.service ? SIGNING_NAMES[creds.service] : undefined;
  if (named) return named;
  for (const name of ["ec2", "elbv2", "sts", "iam"] as const) {
    if (hasOperation(MODELS[name], action)) return name;
  }
  return "ec2";
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // Past the limit the rest is read and dropped, so that the client gets its 413 answer
      // instead of a reset connection (which SDKs would retry).
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface ServerOptions { engine: Engine; defaultRegion: string; log?: (line: string) => void }

export function createApiServer(opts: ServerOptions): Server {
  const log = opts.log ?? ((l: string) => console.error(l));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/_vpclab/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "running", service: "vpclab" }));
      return;
    }
    const body = req.method === "POST" ? await readBody(req) : "";
    const creds = credentialScope(req, url.searchParams);
    const params = new URLSearchParams(body ?? "");
    for (const [k, v] of url.searchParams) params.append(k, v);
    const action = params.get("Action") ?? "";
    const service = serviceFor(creds, action);
    const send = (status: number, xml: string): void => {
      res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId }).end(xml);
    };
    if (body === undefined) {
      send(413, renderError(MODELS[service], "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY} bytes.`, requestId, 413));
      return;
    }
    if (action === "") {
      send(400, renderError(MODELS[service], "MissingAction", "The request must contain the parameter Action", requestId, 400));
      return;
    }
    const reply = opts.engine.handle({ service, action, account: accountFor(creds.accessKeyId), region: creds.region ?? opts.defaultRegion, params }, requestId);
    send(reply.status, reply.body);
  };
  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`InternalError outside the pipeline: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/xml;charset=UTF-8" });
      res.end(renderError(MODELS.ec2, "InternalError", "An internal error has occurred", "", 500));
    });
  });
}
