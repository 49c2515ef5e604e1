// The README's aws-cli walkthrough scripts (examples/awscli/lab1.sh, lab2.sh), run as a user
// runs them, against a running server: each seed-lab step says what the spec says it should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BIN, ROOT, startProcess } from "./process.js";

const run = promisify(execFile);

/** The text between "== N." and the next step header. */
function step(out: string, n: string): string {
  const start = out.indexOf(`== ${n}`);
  assert.ok(start >= 0, `step ${n} ran`);
  const end = out.indexOf("\n== ", start + 3);
  return out.slice(start, end < 0 ? undefined : end);
}

test("examples/awscli: labs 1 and 2 step by step with aws-cli, vpclab and dig", async () => {
  const data = join(mkdtempSync(join(tmpdir(), "vpclab-scripts-")), "data");
  const dnsPort = 20000 + Math.floor(Math.random() * 20000);
  const server = await startProcess(["--data", data, "--dns-port", String(dnsPort)]);
  try {
    const env = { ...process.env, NO_COLOR: "1", VPCLAB_ENDPOINT: server.endpoint, VPCLAB: `${process.execPath} ${BIN} --data ${data} --dns-port ${dnsPort}` };
    const lab1 = (await run("bash", [join(ROOT, "examples/awscli/lab1.sh")], { cwd: ROOT, env, encoding: "utf8" })).stdout;
    assert.match(step(lab1, "2."), /REACHABLE\s*$/);
    assert.match(step(lab1, "3."), /NO_ROUTE_TO_DESTINATION/);
    assert.match(step(lab1, "4."), /pl-78a54011\tvpce-[0-9a-f]{17}\tactive\npl-78a54011\tvpce-[0-9a-f]{17}\tactive/);
    assert.doesNotMatch(step(lab1, "4."), /NOT REACHABLE/);
    assert.match(step(lab1, "5."), /NOT REACHABLE[\s\S]*\nREACHABLE/, "us-east-1: blocked from the private subnet, out the internet gateway from the public one");

    const lab2 = (await run("bash", [join(ROOT, "examples/awscli/lab2.sh")], { cwd: ROOT, env, encoding: "utf8" })).stdout;
    assert.match(step(lab2, "1."), new RegExp(`port ${dnsPort + 1}`));
    assert.match(step(lab2, "2."), /NOT REACHABLE/);
    const ip = /A\t(10\.0\.1\.\d+)/.exec(step(lab2, "4."))?.[1];
    assert.ok(ip, "vpclab dig answers the endpoint's private address");
    if (/\n10\.0\.1\.\d+\n/.test(step(lab2, "4."))) {
      // dig is installed: the real DNS server gave the same address for the name and the regional name.
      assert.equal(step(lab2, "4.").split("\n").filter((l) => l === ip).length, 2);
    }
    assert.match(step(lab2, "4."), /\nREACHABLE/);
    assert.match(step(lab2, "5."), /ENI_SG_RULES_MISMATCH {2}security-group endpoint-sg/);
    assert.match(step(lab2, "the same question"), /"succeeded",\s*false,\s*\[\s*"ENI_SG_RULES_MISMATCH"/);
  } finally {
    await server.stop();
  }
});

test("examples/awscli/lab3.sh: PrivateLink to a real local web server with two accounts, step by step", async () => {
  const data = join(mkdtempSync(join(tmpdir(), "vpclab-lab3-")), "data");
  const server = await startProcess(["--data", data]);
  try {
    const env = { ...process.env, NO_COLOR: "1", VPCLAB_ENDPOINT: server.endpoint, VPCLAB: `${process.execPath} ${BIN} --data ${data}` };
    const out = (await run("bash", [join(ROOT, "examples/awscli/lab3.sh")], { cwd: ROOT, env, encoding: "utf8" })).stdout;
    assert.match(step(out, "1."), /\ni-[0-9a-f]{17}\thealthy\n/, "the target is healthy: its security group admits the NLB nodes and the real server answers");
    const name = /service name: (com\.amazonaws\.vpce\.ap-northeast-2\.vpce-svc-[0-9a-f]{17})/.exec(step(out, "2."))?.[1];
    assert.ok(name, "the service name has AWS's form");
    assert.match(step(out, "3."), /\npendingAcceptance\n/);
    assert.match(step(out, "3."), /NOT REACHABLE: 1 setting blocks this path\n\s+✘ VPCE_CONNECTION_PENDING_ACCEPTANCE/);
    assert.match(step(out, "4."), /\t222222222222\tpendingAcceptance\n(?:[\s\S]*\n)?available\n/, "the provider sees the consumer's pending connection, then the consumer sees it available");
    assert.match(step(out, "5."), /IN\tA\t10\.0\.[12]\.\d+\n/, "the endpoint's name answers an address of the consumer's VPC");
    assert.match(step(out, "5."), /\nREACHABLE\n/);
    assert.match(step(out, "5."), /<html><h1>Endpoint Service Web Server 1<\/h1><\/html>/, "curl got the real page through the endpoint and the NLB");
    assert.match(step(out, "6."), /PRIVATELINK_ONE_WAY/);
    const cleanUp = step(out, "7.");
    assert.match(cleanUp, /ExistingVpcEndpointConnections\n/);
    assert.match(cleanUp, /\nrejected\n/);
    assert.match(cleanUp, /\nclean\n?$/);
    assert.match(out, /ResourceInUse/, "the NLB could not be deleted while the service used it");
  } finally {
    await server.stop();
  }
});
