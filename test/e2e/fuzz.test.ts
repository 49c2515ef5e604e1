// Thousands of malformed and random requests: no 5xx, no crash, and the server still answers
// correctly afterwards. Requests are drawn from the service model itself (right and wrong types,
// unknown members, broken list indexes) plus raw garbage, from a seeded generator so a failure
// can be replayed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MODELS, type ServiceModel, type Shape } from "../../src/protocol/shapes.js";
import { ACTIONS } from "../../src/protocol/table.js";
import { startTestServer } from "./server.js";
import { rng } from "../../bench/common.js";


const rand = rng(Number(process.env["FUZZ_SEED"] ?? 20261123));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const ids = ["vpc-", "subnet-", "rtb-", "sg-", "acl-", "igw-", "eni-", "i-", "vpce-", "nat-", "eipalloc-", "pcx-", "pl-", "nip-", "nia-"];
/** Values that reach deep into validation: ids that exist, ids that don't, CIDRs good and bad. */
const known: string[] = [];
function scalar(shape: Shape): string {
  const r = rand();
  if (r < 0.15) return pick(["", " ", "-1", "0", "99999999999999999999", "true", "null", "%00", "\u00ff\u0000", "x".repeat(3000), "*", "${x}", "<a>&"]);
  if (r < 0.3 && known.length > 0) return pick(known);
  if (shape.enum && rand() < 0.7) return pick(shape.enum);
  switch (shape.type) {
    case "integer": case "long": return String(Math.floor(rand() * 70000) - 5);
    case "boolean": return rand() < 0.5 ? "true" : "false";
    case "timestamp": return new Date(Math.floor(rand() * 2e12)).toISOString();
    default: return pick([
      `${pick(ids)}${Math.floor(rand() * 1e8).toString(16).padStart(8, "0")}`, `10.${Math.floor(rand() * 4)}.${Math.floor(rand() * 4)}.0/${pick([16, 24, 28, 32, 8])}`,
      "10.0.1.103", "0.0.0.0/0", "com.amazonaws.ap-northeast-2.s3", "com.amazonaws.ap-northeast-2.cloudformation", "com.amazonaws.us-east-1.s3",
      "ap-northeast-2a", "tcp", "udp", "-1", "Interface", "Gateway", "vpc", "subnet", "{\"Statement\":[]}", "{bad json", "default", "Name",
    ]);
  }
}

function fill(model: ServiceModel, shapeName: string, prefix: string, out: [string, string][], depth: number): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === "structure") {
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const required = shape.required?.includes(name);
      if (!required && rand() < 0.6) continue;
      if (depth > 4) continue;
      const wire = ref.queryName ?? (ref.locationName ? ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1) : name);
      fill(model, ref.shape, prefix ? `${prefix}.${wire}` : wire, out, depth + 1);
    }
  } else if (shape.type === "list") {
    const n = Math.floor(rand() * 3) + (rand() < 0.1 ? 0 : 1);
    for (let i = 1; i <= n; i++) fill(model, shape.member!.shape, `${prefix}.${rand() < 0.05 ? pick(["0", "x", "-1", "1.5"]) : i}`, out, depth + 1);
  } else if (shape.type === "map") {
    out.push([`${prefix}.entry.1.key`, "k"], [`${prefix}.entry.1.value`, scalar(model.shapes[shape.value!.shape]!)]);
  } else {
    out.push([prefix, scalar(shape)]);
  }
  if (rand() < 0.02) out.push([`${prefix}.Bogus${Math.floor(rand() * 9)}`, "x"]);
}

test("fuzz: thousands of malformed and random requests, no 5xx, no crash", async () => {
  const server = await startTestServer();
  const count = Number(process.env["FUZZ_REQUESTS"] ?? 4000);
  const failures: string[] = [];
  const auth = (account: string, service: string): string => `AWS4-HMAC-SHA256 Credential=${account}/20261123/ap-northeast-2/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  const statuses = new Map<number, number>();
  try {
    for (let n = 0; n < count; n++) {
      const kind = rand();
      let body: string | Uint8Array;
      let headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization: auth(pick(["111111111111", "222222222222", "AKIAEXAMPLE"]), "ec2") };
      let method = "POST";
      if (kind < 0.8) {
        const service = rand() < 0.9 ? "ec2" : pick(["elbv2", "sts"] as const);
        const model = MODELS[service];
        const implemented = Object.keys(ACTIONS[service]);
        const action = implemented.length > 0 && rand() < 0.9 ? pick(implemented) : pick(model.allOperations);
        const params: [string, string][] = [["Action", action], ["Version", rand() < 0.9 ? model.metadata.apiVersion : "1999-01-01"]];
        const input = model.operations[action]?.input?.shape;
        if (input) fill(model, input, "", params, 0);
        body = new URLSearchParams(params).toString();
        if (service !== "ec2") headers.authorization = auth("111111111111", service === "elbv2" ? "elasticloadbalancing" : "sts");
      } else if (kind < 0.9) {
        body = pick(["Action=", "Action", "=", "&&&", "Action=CreateVpc&CidrBlock=%ZZ", "Action=CreateVpc&CidrBlock.1=x", "Action=DescribeVpcs&Filter.1.Value.1=x", "Action=CreateVpc&CidrBlock=10.0.0.0/16&CidrBlock=10.1.0.0/16", "Action=DescribeVpcs&MaxResults=5&NextToken=garbage"]);
        headers = pick([headers, {}, { authorization: "garbage" }, { authorization: "AWS4-HMAC-SHA256 Credential=/////" }]);
      } else {
        body = Uint8Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256));
        method = pick(["POST", "PUT", "GET", "DELETE"]);
      }
      const res = await fetch(server.endpoint + (method === "GET" ? "/?Action=DescribeVpcs&Version=2016-11-15&Bogus=1" : "/"), { method, headers, ...(method === "GET" ? {} : { body }) });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${res.status} for ${typeof body === "string" ? body.slice(0, 400) : "<binary>"}: ${text.slice(0, 300)}`);
      const created = /<(?:vpcId|subnetId|groupId|routeTableId|vpcEndpointId|internetGatewayId|networkAclId|instanceId|networkInsightsPathId)>([^<]+)</.exec(text);
      if (created && res.status === 200) known.push(created[1]!);
    }
    assert.deepEqual(failures, [], `${failures.length} server errors (statuses ${JSON.stringify([...statuses])})`);
    // An oversized body is answered 413, not a reset connection a client would retry.
    const big = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=${"x".repeat(2 << 20)}` });
    assert.equal(big.status, 413);
    assert.match(await big.text(), /<Code>RequestEntityTooLarge<\/Code>/);
    // Still serving, still right.
    const res = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("333333333333", "ec2") }, body: "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16" });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<vpcId>vpc-[0-9a-f]{17}<\/vpcId>/);
  } finally {
    await server.close();
  }
});
