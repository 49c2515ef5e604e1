import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluateAcl } from "../../src/analysis/filters.js";
import { parseIpv4 } from "../../src/model/net.js";
import type { NetworkAcl } from "../../src/model/types.js";

const acl = (entries: NetworkAcl["entries"]): NetworkAcl => ({ id: "acl-1", region: "r", ownerId: "o", tags: [], vpcId: "vpc-1", isDefault: false, associations: [], entries: [...entries, { ruleNumber: 32767, egress: false, protocol: "-1", ruleAction: "deny", cidrBlock: "0.0.0.0/0" }] });
const ip = parseIpv4("52.219.60.10")!;

test("the lowest-numbered matching rule decides each port", () => {
  const a = acl([
    { ruleNumber: 200, egress: false, protocol: "6", ruleAction: "allow", cidrBlock: "0.0.0.0/0", portRange: { from: 1024, to: 65535 } },
    { ruleNumber: 100, egress: false, protocol: "6", ruleAction: "deny", cidrBlock: "52.219.0.0/16", portRange: { from: 40000, to: 40010 } },
  ]);
  const v = evaluateAcl(a, false, ip, "tcp", { from: 32768, to: 61000 });
  assert.equal(v.allowed, false);
  assert.deepEqual(v.segments.map((s) => [s.from, s.to, s.action, s.ruleNumber]), [[32768, 39999, "allow", 200], [40000, 40010, "deny", 100], [40011, 61000, "allow", 200]]);
  assert.equal(v.rule["ruleNumber"], 100);
  assert.equal(evaluateAcl(a, false, parseIpv4("8.8.8.8")!, "tcp", { from: 32768, to: 61000 }).allowed, true, "the deny is for 52.219/16 only");
});

test("half an ephemeral range is a failure, and only ports nobody claimed fall to *", () => {
  const a = acl([{ ruleNumber: 100, egress: false, protocol: "6", ruleAction: "allow", cidrBlock: "0.0.0.0/0", portRange: { from: 1024, to: 32767 } }]);
  const v = evaluateAcl(a, false, ip, "tcp", { from: 32768, to: 61000 });
  assert.equal(v.allowed, false);
  assert.equal(v.rule["ruleNumber"], "*");
  assert.equal(evaluateAcl(a, false, ip, "tcp", { from: 2000, to: 3000 }).allowed, true);
  assert.equal(evaluateAcl(a, false, ip, "udp", { from: 2000, to: 3000 }).allowed, false, "a tcp rule does not admit udp");
});
