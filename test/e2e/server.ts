// A vpclab API server in this test process, on a free port, with state in memory or in a
// temporary data directory; and AWS SDK clients pointed at it as a given account.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type Running, startServer } from "../../src/cli/up.js";

// The SDK's notice that its 2027 releases need Node 22 says nothing about these tests.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

export interface TestServer extends Running { endpoint: string; data: string }

export async function startTestServer(opts: { data?: string; ephemeral?: boolean } = {}): Promise<TestServer> {
  const data = opts.data ?? join(mkdtempSync(join(tmpdir(), "vpclab-e2e-")), "data");
  const running = await startServer({ port: 0, host: "127.0.0.1", data, ephemeral: opts.ephemeral ?? true, region: "us-east-1", out: () => undefined });
  return { ...running, endpoint: `http://127.0.0.1:${running.port}`, data };
}

export const REGION = "ap-northeast-2";

function credentials(account: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: account, secretAccessKey: "x" };
}

export function ec2(server: { endpoint: string }, account = "111111111111", region = REGION): EC2Client {
  return new EC2Client({ endpoint: server.endpoint, region, credentials: credentials(account), maxAttempts: 1 });
}

export function elbv2(server: { endpoint: string }, account = "111111111111", region = REGION): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({ endpoint: server.endpoint, region, credentials: credentials(account), maxAttempts: 1 });
}

/** The AWS error code a rejected SDK call carried. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { name?: string; Code?: string }).Code ?? (e as Error).name;
  }
  throw new Error("expected the call to fail");
}

/** Asserts the call fails with `code` (and `message`, when given) and that the stored world is exactly as before. */
export async function refused(server: TestServer, call: () => Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  const before = JSON.stringify(server.store.load().toSnapshot());
  let caught: unknown;
  try {
    await call();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected ${code}`);
  const err = caught as { Code?: string; name: string; message: string };
  assert.equal(err.Code ?? err.name, code, err.message);
  if (typeof message === "string") assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  assert.equal(JSON.stringify(server.store.load().toSnapshot()), before, `a failed call (${code}) must change nothing`);
}
