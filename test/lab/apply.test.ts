import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyLab, LabFileError } from "../../src/lab/apply.js";
import { World } from "../../src/model/world.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const lab1 = readFileSync(`${EXAMPLES}lab1-gateway-endpoint.yaml`, "utf8");

function fails(world: World, text: string, pattern: RegExp): void {
  const before = JSON.stringify(world.toSnapshot());
  assert.throws(() => applyLab(world, text, "lab.yaml"), (e: unknown) => {
    assert.ok(e instanceof LabFileError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
  assert.equal(JSON.stringify(world.toSnapshot()), before, "the world is untouched");
}

test("apply is idempotent: a second apply changes nothing", () => {
  const first = applyLab(new World(), lab1, "lab1.yaml");
  assert.ok(first.created.length >= 9);
  const second = applyLab(first.world, lab1, "lab1.yaml");
  assert.deepEqual(second.created, []);
  assert.deepEqual(second.changed, []);
  assert.deepEqual(second.world.toSnapshot(), first.world.toSnapshot());
});

test("a seed gives the same ids, byte for byte", () => {
  const a = applyLab(new World(), lab1, "lab1.yaml").world.toSnapshot();
  const b = applyLab(new World(), lab1, "lab1.yaml").world.toSnapshot();
  assert.deepEqual(a, b);
});

test("errors point at the file, line and key, and leave the world as it was", () => {
  const world = applyLab(new World(), lab1, "lab1.yaml").world;
  fails(world, "region: ap-northeast-2\nvpcs:\n  v: { cidr: 10.0.0.0/16\n", /^lab\.yaml:\d+:\d+: invalid YAML/);
  fails(world, "region: ap-northeast-2\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    colour: blue\n", /^lab\.yaml:5:5: vpcs\.v\.colour: unknown key 'colour'/);
  fails(world, "region: ap-northeast-2\nvpcs:\n  v:\n    cidr: 10.0.0.0/33\n", /^lab\.yaml:4:5: vpcs\.v\.cidr: InvalidParameterValue: Value \(10\.0\.0\.0\/33\)/);
  fails(world, "region: ap-northeast-2\nsubnets:\n  overlap: { vpc: lab-vpc, cidr: 10.0.1.128/25 }\n", /^lab\.yaml:3:\d+: subnets\.overlap\.cidr: InvalidSubnet\.Conflict: The CIDR '10\.0\.1\.128\/25' conflicts with another subnet/);
  fails(world, "region: ap-northeast-2\nsubnets:\n  s: { vpc: no-such-vpc, cidr: 10.0.9.0/24 }\n", /subnets\.s\.vpc: no vpc named 'no-such-vpc'/);
  fails(world, "region: mars-north-1\n", /region: unknown region 'mars-north-1'/);
  fails(world, "region: ap-northeast-2\nvpcs:\n  lab-vpc: { cidr: 10.9.0.0/16 }\n", /a VPC's CIDR cannot change/);
  // A later step failing undoes the earlier ones in the same file.
  fails(world, "region: ap-northeast-2\nvpcs:\n  new-vpc: { cidr: 10.5.0.0/16 }\nsubnets:\n  bad: { vpc: new-vpc, cidr: 10.6.0.0/24 }\n", /InvalidSubnet\.Range/);
  assert.ok(![...world.vpcs.values()].some((v) => v.tags.some((t) => t.value === "new-vpc")));
});

test("security group rules in the file replace the group's rules", () => {
  const base = applyLab(new World(), lab1, "lab1.yaml").world;
  const next = applyLab(base, "region: ap-northeast-2\nsecurityGroups:\n  instance-sg:\n    vpc: lab-vpc\n    ingress: [{ protocol: tcp, port: 443, cidr: 10.0.0.0/16 }]\n", "x.yaml");
  assert.deepEqual(next.changed, ["security group instance-sg: rules updated"]);
  const sg = [...next.world.securityGroups.values()].find((g) => g.groupName === "instance-sg")!;
  assert.deepEqual(sg.rules.filter((r) => !r.isEgress).map((r) => `${r.fromPort} ${r.cidrIpv4}`), ["443 10.0.0.0/16"]);
});

const TWO_VPCS = `
region: ap-northeast-2
vpcs:
  v: { cidr: 10.0.0.0/16, dnsHostnames: true }
  w: { cidr: 10.1.0.0/16 }
internetGateways:
  igw: { vpc: v }
subnets:
  a: { vpc: v, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  b: { vpc: v, cidr: 10.0.2.0/24, az: ap-northeast-2c }
routeTables:
  rt: { vpc: v, subnets: [a] }
  ingress-rt: { vpc: v, edge: [igw] }
securityGroups:
  app: { vpc: v, ingress: [{ protocol: tcp, port: 22, cidr: 0.0.0.0/0 }] }
networkAcls:
  acl:
    vpc: v
    subnets: [b]
    inbound: [{ rule: 100, protocol: tcp, ports: 443, cidr: 0.0.0.0/0 }]
    outbound: [{ rule: 100, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0 }]
endpoints:
  sts: { vpc: v, service: com.amazonaws.ap-northeast-2.sts, type: Interface, subnets: [a, b], securityGroups: [app], privateDns: true, policy: null }
`;

test("a named resource does not move to another VPC: a clear error at the key, not a crash", () => {
  const world = applyLab(new World(), TWO_VPCS, "base.yaml").world;
  fails(world, "region: ap-northeast-2\nrouteTables:\n  rt: { vpc: w, main: true }\n", /routeTables\.rt\.vpc: 'rt' exists in vpc-[0-9a-f]+; it cannot move to another VPC/);
  fails(world, "region: ap-northeast-2\nsecurityGroups:\n  app: { vpc: w, ingress: [] }\n", /securityGroups\.app\.vpc: 'app' exists in vpc-/);
  fails(world, "region: ap-northeast-2\nnetworkAcls:\n  acl: { vpc: w }\n", /networkAcls\.acl\.vpc/);
  fails(world, "region: ap-northeast-2\nnetworkAcls:\n  w-acl: { vpc: w, subnets: [a] }\n", /networkAcls\.w-acl\.subnets\.0: subnet 'a' is in vpc-[0-9a-f]+, not in vpc-/);
});

test("an omitted list leaves that setting as it is; declared changes are reported", () => {
  const base = applyLab(new World(), TWO_VPCS, "base.yaml");
  const rt = [...base.world.routeTables.values()].find((t) => t.tags.some((x) => x.value === "ingress-rt"))!;
  assert.ok(rt.associations.some((a) => a.gatewayId?.startsWith("igw-")), "edge association with the internet gateway");
  const again = applyLab(base.world, "region: ap-northeast-2\nnetworkAcls:\n  acl: { vpc: v, subnets: [b] }\nendpoints:\n  sts: { vpc: v, service: com.amazonaws.ap-northeast-2.sts, type: Interface, privateDns: false }\nsecurityGroups:\n  app: { vpc: v, description: x }\n", "again.yaml");
  const acl = [...again.world.networkAcls.values()].find((a) => a.tags.some((x) => x.value === "acl"))!;
  assert.equal(acl.entries.length, 4, "the ACL keeps its rules");
  const ep = [...again.world.vpcEndpoints.values()][0]!;
  assert.equal(ep.networkInterfaceIds.length, 2, "the endpoint keeps its ENIs");
  assert.equal(ep.privateDnsEnabled, false);
  const sg = [...again.world.securityGroups.values()].find((g) => g.groupName === "app")!;
  assert.equal(sg.rules.filter((r) => !r.isEgress).length, 1, "the group keeps its rules");
  assert.deepEqual(again.changed, [`endpoint sts (${ep.id})`]);
  const changedAcl = applyLab(again.world, "region: ap-northeast-2\nnetworkAcls:\n  acl:\n    vpc: v\n    subnets: [a]\n    inbound: []\n", "acl.yaml");
  assert.deepEqual(changedAcl.changed, ["network ACL acl: rules updated", "subnet a uses network ACL acl"]);
  // An instance declared again without its groups keeps them.
  const withInstance = applyLab(changedAcl.world, "region: ap-northeast-2\ninstances:\n  i: { subnet: a, securityGroups: [app] }\n", "i.yaml");
  const again2 = applyLab(withInstance.world, "region: ap-northeast-2\ninstances:\n  i: { subnet: a }\n", "i2.yaml");
  assert.deepEqual(again2.changed, []);
  const inst = [...again2.world.instances.values()][0]!;
  assert.equal(again2.world.securityGroups.get(again2.world.networkInterfaces.get(inst.networkInterfaceId)!.groupIds[0]!)!.groupName, "app");
});
