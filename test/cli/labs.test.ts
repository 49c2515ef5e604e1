// The seed labs, end to end through the vpclab command itself (a real process, its JSON output).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DigResult, Trace } from "../../src/analysis/types.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/main.js");

function vpclab(data: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const json = <T>(r: { out: string }): T => JSON.parse(r.out) as T;
const lab = (name: string): string => join(ROOT, "examples", name);
const fresh = (): string => mkdtempSync(join(tmpdir(), "vpclab-cli-"));

test("lab 1: a gateway endpoint for S3", () => {
  const d = fresh();
  assert.equal(vpclab(d, "apply", lab("lab1-gateway-endpoint.yaml")).code, 0);

  // Step 2: from the public instance, public S3 addresses that rotate; 443 goes out the internet gateway.
  const q1 = json<DigResult>(vpclab(d, "dig", "--from", "public-instance", "s3.ap-northeast-2.amazonaws.com", "--output", "json"));
  const q2 = json<DigResult>(vpclab(d, "dig", "--from", "public-instance", "s3.ap-northeast-2.amazonaws.com", "--output", "json"));
  assert.equal(q1.source.kind, "aws-public");
  assert.notEqual(q1.answers[0]!.value, q2.answers[0]!.value, "repeated queries rotate");
  let t = json<Trace>(vpclab(d, "trace", "--from", "public-instance", "--to", "s3.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  assert.equal(t.reachable, true);
  assert.ok(t.forward.some((h) => h.component.type === "internet-gateway"));

  // Step 3: the private instance resolves the same public addresses, but has no route.
  const priv = json<DigResult>(vpclab(d, "dig", "--from", "private-instance", "s3.ap-northeast-2.amazonaws.com", "--output", "json"));
  assert.deepEqual(new Set(priv.answers.map((a) => a.value)), new Set(q1.answers.map((a) => a.value)));
  const blocked = vpclab(d, "trace", "--from", "private-instance", "--to", "s3.ap-northeast-2.amazonaws.com:443", "--output", "json");
  assert.equal(blocked.code, 1, "exit status 1 when not reachable");
  t = json<Trace>(blocked);
  assert.equal(t.reachable, false);
  assert.deepEqual(t.explanations.map((e) => e.code), ["NO_ROUTE_TO_DESTINATION"]);
  assert.equal(t.explanations[0]!.component.name, "private-rt");
  assert.match(t.explanations[0]!.message, /subnet has no path/);

  // Step 4: the endpoint adds pl-... -> vpce-... to both tables; both instances now use it; DNS is unchanged.
  assert.equal(vpclab(d, "apply", lab("lab1-step4-add-endpoint.yaml")).code, 0);
  for (const from of ["private-instance", "public-instance"]) {
    t = json<Trace>(vpclab(d, "trace", "--from", from, "--to", "s3.ap-northeast-2.amazonaws.com:443", "--output", "json"));
    assert.equal(t.reachable, true, from);
    const route = t.forward.find((h) => h.component.type === "route-table")!;
    assert.equal(route.rule?.["destination"], "pl-78a54011");
    assert.match(String(route.rule?.["target"]), /^vpce-/);
    assert.equal(t.destination.component?.id, "com.amazonaws.ap-northeast-2.s3");
  }
  assert.ok(t.notes.some((n) => n.code === "MORE_SPECIFIC_ROUTE"), "the public instance's prefix-list route beats 0.0.0.0/0");
  assert.equal(json<DigResult>(vpclab(d, "dig", "--from", "private-instance", "s3.ap-northeast-2.amazonaws.com", "--output", "json")).source.kind, "aws-public");

  // Step 5: S3 in another Region does not use the endpoint.
  t = json<Trace>(vpclab(d, "trace", "--from", "private-instance", "--to", "s3.us-east-1.amazonaws.com:443", "--output", "json"));
  assert.deepEqual(t.explanations.map((e) => e.code), ["NO_ROUTE_TO_DESTINATION"]);
  assert.ok(t.notes.some((n) => n.code === "ENDPOINT_REGION_MISMATCH"));
  assert.match(t.explanations[0]!.fix ?? "", /gateway endpoints serve their own Region only/);
  t = json<Trace>(vpclab(d, "trace", "--from", "public-instance", "--to", "s3.us-east-1.amazonaws.com:443", "--output", "json"));
  assert.equal(t.reachable, true);
  assert.ok(t.forward.some((h) => h.component.type === "internet-gateway"));
});

test("lab 2: an interface endpoint with private DNS", () => {
  const d = fresh();
  assert.equal(vpclab(d, "apply", lab("lab2-interface-endpoint.yaml")).code, 0);
  let dig = json<DigResult>(vpclab(d, "dig", "--from", "private-instance", "cloudformation.ap-northeast-2.amazonaws.com", "--output", "json"));
  assert.equal(dig.source.kind, "aws-public", "before: public addresses");
  assert.equal(json<Trace>(vpclab(d, "trace", "--from", "private-instance", "--to", "cloudformation.ap-northeast-2.amazonaws.com:443", "--output", "json")).reachable, false);

  assert.equal(vpclab(d, "apply", lab("lab2-step3-add-endpoint.yaml")).code, 0);
  dig = json<DigResult>(vpclab(d, "dig", "--from", "private-instance", "cloudformation.ap-northeast-2.amazonaws.com", "--output", "json"));
  assert.equal(dig.source.kind, "private-dns");
  assert.ok(dig.answers.every((a) => /^10\.0\.[12]\.\d+$/.test(a.value)), "the endpoint ENIs' private IPs");
  assert.equal(dig.answers.length, 2);
  const epId = dig.source.component!.id;
  const show = vpclab(d, "show").out;
  assert.ok(show.includes(epId));
  const suffixName = new RegExp(`${epId}-[a-z0-9]{8}\\.cloudformation\\.ap-northeast-2\\.vpce\\.amazonaws\\.com`);
  const t = json<Trace>(vpclab(d, "trace", "--from", "private-instance", "--to", "cloudformation.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  assert.equal(t.reachable, true);
  assert.ok(t.forward.some((h) => h.component.type === "vpc-endpoint" && h.component.id === epId));
  // The regional and zonal vpce.amazonaws.com names answer too; `vpclab show` lists them under the endpoint.
  const entries = show.split("\n").map((l) => l.trim()).filter((l) => l.includes(".vpce.amazonaws.com"));
  assert.equal(entries.length, 3, "regional + one zonal name per AZ");
  assert.match(entries[0]!, suffixName);
  const regional = json<DigResult>(vpclab(d, "dig", "--from", "private-instance", entries[0]!, "--output", "json"));
  assert.deepEqual(regional.answers.map((a) => a.value).sort(), dig.answers.map((a) => a.value).sort());
  const zonal = entries.find((n) => n.includes("-ap-northeast-2c."))!;
  assert.deepEqual(json<DigResult>(vpclab(d, "dig", "--from", "private-instance", zonal, "--output", "json")).answers.map((a) => a.value), [dig.answers.map((a) => a.value).find((ip) => ip.startsWith("10.0.2."))]);

  assert.equal(vpclab(d, "apply", lab("lab2-step5-remove-443.yaml")).code, 0);
  const after = json<Trace>(vpclab(d, "trace", "--from", "private-instance", "--to", "cloudformation.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  assert.equal(after.reachable, false);
  assert.deepEqual(after.explanations.map((e) => e.code), ["ENI_SG_RULES_MISMATCH"]);
  assert.ok(after.forward.some((h) => h.component.type === "security-group-ingress" && h.verdict === "block"));
  assert.match(after.explanations[0]!.message, /no inbound rule allowing tcp\/443/);
});

test("lab 5: every setting that blocks, in one answer", () => {
  const d = fresh();
  assert.equal(vpclab(d, "apply", lab("lab5-troubleshooting.yaml")).code, 0);
  for (const to of ["s3.ap-northeast-2.amazonaws.com:443", "secretsmanager.ap-northeast-2.amazonaws.com:443"]) {
    assert.equal(json<Trace>(vpclab(d, "trace", "--from", "app", "--to", to, "--output", "json")).reachable, true, to);
  }
  assert.equal(vpclab(d, "apply", lab("lab5-broken.yaml")).code, 0);
  const s3 = json<Trace>(vpclab(d, "trace", "--from", "app", "--to", "s3.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  assert.deepEqual(s3.explanations.map((e) => e.code), ["ENI_SG_RULES_MISMATCH", "SUBNET_ACL_RESTRICTION"]);
  assert.match(s3.explanations[1]!.message, /32768-61000/);
  const secrets = json<Trace>(vpclab(d, "trace", "--from", "app", "--to", "secretsmanager.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  // All four mistakes: the walk goes on to the endpoint's ENI as if private DNS answered, so the
  // endpoint's own security group is checked as well as the app's.
  assert.deepEqual(secrets.explanations.map((e) => e.code), ["PRIVATE_DNS_REQUIRES_VPC_DNS_ATTRIBUTES", "ENI_SG_RULES_MISMATCH", "ENI_SG_RULES_MISMATCH", "SUBNET_ACL_RESTRICTION"]);
  assert.deepEqual(secrets.explanations.filter((e) => e.code === "ENI_SG_RULES_MISMATCH").map((e) => e.component.name), ["app-sg", "secrets-endpoint-sg"]);
  assert.match(secrets.destination.ip, /^10\.20\.2\.\d+$/, "the endpoint's address, not the public one");
  const text = vpclab(d, "trace", "--from", "app", "--to", "secretsmanager.ap-northeast-2.amazonaws.com:443").out;
  assert.match(text, /NOT REACHABLE: 4 settings block this path/);
  assert.match(text, /fix: aws ec2 modify-vpc-attribute/);
  // STS shares public addresses with Secrets Manager in the catalog: the fix must not send the
  // user to the Secrets Manager endpoint.
  const sts = json<Trace>(vpclab(d, "trace", "--from", "app", "--to", "sts.ap-northeast-2.amazonaws.com:443", "--output", "json"));
  const noRoute = sts.explanations.find((e) => e.code === "NO_ROUTE_TO_DESTINATION");
  assert.match(noRoute?.fix ?? "", /interface endpoint for com\.amazonaws\.ap-northeast-2\.sts/);
  assert.doesNotMatch(noRoute?.fix ?? "", /vpce-/);
});

/** For `vpclab curl`: asynchronous, since the real web server answering it lives in this process. */
function vpclabAsync(data: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

test("lab 3: your own service through PrivateLink, two accounts, as lab files", async () => {
  const page = "<html><h1>Endpoint Service Web Server 1</h1></html>\n";
  const server = http.createServer((_req, res) => res.end(page));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  try {
    const d = fresh();
    // The example's web server is 127.0.0.1:8080; here it is wherever the test's server listens.
    const provider = join(d, "lab3-provider.yaml");
    writeFileSync(provider, readFileSync(lab("lab3-provider.yaml"), "utf8").replace("127.0.0.1:8080", `127.0.0.1:${(server.address() as AddressInfo).port}`));
    const applied = vpclab(d, "apply", provider, lab("lab3-consumer.yaml"));
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, /endpoint service web-svc \(com\.amazonaws\.vpce\.ap-northeast-2\.vpce-svc-[0-9a-f]{17}\)/);
    assert.match(applied.out, /endpoint web-endpoint \(vpce-[0-9a-f]+\), pendingAcceptance/);
    const shown = json<{ vpcEndpoints: { dnsEntries: { dnsName: string }[] }[] }>(vpclab(d, "show", "--output", "json"));
    const name = shown.vpcEndpoints[0]!.dnsEntries[0]!.dnsName;

    // Step 3: the endpoint waits for the provider; the trace says so, and what to run.
    // Traces run asynchronously here: they ask the real server (in this process) whether the target is healthy.
    let t = json<Trace>(await vpclabAsync(d, "trace", "--from", "consumer-instance", "--to", `${name}:80`, "--output", "json"));
    assert.equal(t.reachable, false);
    assert.deepEqual(t.explanations.map((e) => e.code), ["VPCE_CONNECTION_PENDING_ACCEPTANCE"]);
    assert.match(t.explanations[0]!.fix ?? "", /accept-vpc-endpoint-connections/);
    assert.equal((await vpclabAsync(d, "curl", "--from", "consumer-instance", `http://${name}/`)).code, 7, "no connection yet");

    // Step 4: the provider accepts; step 5: a private address of VPC1, and the real page through the NLB.
    assert.equal(vpclab(d, "apply", lab("lab3-step4-accept.yaml")).code, 0);
    const dig = json<DigResult>(vpclab(d, "dig", "--from", "consumer-instance", name, "--output", "json"));
    assert.ok(dig.answers.length === 2 && dig.answers.every((a) => /^10\.0\.[12]\.\d+$/.test(a.value)), JSON.stringify(dig.answers));
    t = json<Trace>(await vpclabAsync(d, "trace", "--from", "consumer-instance", "--to", `${name}:80`, "--output", "json"));
    assert.equal(t.reachable, true, JSON.stringify(t.explanations));
    for (const type of ["vpc-endpoint", "vpc-endpoint-service", "load-balancer", "listener", "target-group"]) {
      assert.ok(t.forward.some((h) => h.component.type === type), type);
    }
    const curl = await vpclabAsync(d, "curl", "--from", "consumer-instance", `http://${name}/`);
    assert.equal(curl.code, 0, curl.err);
    assert.equal(curl.out, page);

    // Step 7: PrivateLink is one-way.
    const back = json<Trace>(vpclab(d, "trace", "--from", "web-server", "--to", "10.0.1.10:22", "--output", "json"));
    assert.equal(back.reachable, false);
    assert.ok(back.explanations.some((e) => e.code === "PRIVATELINK_ONE_WAY"));
    assert.match(vpclab(d, "apply", provider, lab("lab3-consumer.yaml"), lab("lab3-step4-accept.yaml")).out, /no changes/);
  } finally {
    server.close();
  }
});

test("bad input: clear errors, exit status 2, nothing changed", () => {
  const d = fresh();
  const empty = vpclab(d, "trace", "--from", "x", "--to", "y");
  assert.equal(empty.code, 2);
  assert.match(empty.err, /the world is empty: apply a lab file first/);
  assert.equal(vpclab(d, "apply", lab("lab1-gateway-endpoint.yaml")).code, 0);
  const before = vpclab(d, "show").out;
  let r = vpclab(d, "trace", "--from", "nobody", "--to", "s3.ap-northeast-2.amazonaws.com:443");
  assert.equal(r.code, 2);
  assert.match(r.err, /no instance, network interface or on-premises network named 'nobody'/);
  r = vpclab(d, "trace", "--from", "private-instance", "--to", "s3.ap-northeast-2.amazonaws.com:99999");
  assert.equal(r.code, 2);
  for (const [to, why] of [["1.2.3.4:abc", /'abc' is not a port/], ["1.2.3.4:0", /out of range/], ["10.0.1.103:22", /own address/]] as const) {
    r = vpclab(d, "trace", "--from", "private-instance", "--to", to);
    assert.equal(r.code, 2, to);
    assert.match(r.err, why);
  }
  r = vpclab(d, "dig", "--from", "private-instance", "a.example", "b.example");
  assert.equal(r.code, 2, "a second name is not silently ignored");
  r = vpclab(d, "show", "--json");
  assert.equal(r.code, 2);
  assert.match(r.err, /did you mean --output json/);
  const shown = JSON.parse(vpclab(d, "show", "--output", "json").out) as { vpcs: { cidrBlock: string }[] };
  assert.equal(shown.vpcs[0]!.cidrBlock, "10.0.0.0/16");
  r = vpclab(join(d, "vpclab.db"), "show");
  assert.equal(r.code, 2);
  assert.match(r.err, /is not a directory/);
  r = vpclab(d, "apply", join(ROOT, "no-such-file.yaml"));
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read/);
  r = vpclab(d, "frobnicate");
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.err, /at .*\.js:\d+/, "no stack traces for user mistakes");
  assert.equal(vpclab(d, "show").out, before);
});

test("a data directory that does not hold a world is a user error, not a crash", () => {
  const d = fresh();
  writeFileSync(join(d, "vpclab.db"), "{ not a database, and longer than a SQLite header is: ".repeat(4));
  const r = vpclab(d, "show");
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot open .*vpclab\.db.*vpclab reset/);
  assert.equal(vpclab(d, "reset").code, 0);
  assert.equal(vpclab(d, "show").code, 0);
});
