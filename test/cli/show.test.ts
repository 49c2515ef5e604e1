// vpclab show on the provider side of PrivateLink: load balancers and their nodes, listeners,
// endpoint services with their connections, and the events a connection notification recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConnectionNotification } from "../../src/control/connectionNotifications.js";
import { decideConnections } from "../../src/control/endpointConnections.js";
import { createEndpointService } from "../../src/control/endpointServices.js";
import { modifyServicePermissions } from "../../src/control/endpointServicePermissions.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import { freshCtx, vpcWithSubnets } from "../helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/main.js");

function vpclab(data: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("vpclab show lists load balancers, endpoint services with their connections, and what notifications recorded", () => {
  const provider = freshCtx("ap-northeast-2", "111111111111");
  const consumer = { ...provider, account: "222222222222" };
  const p = vpcWithSubnets(provider);
  const lb = createLoadBalancer(provider, { name: "web-nlb", type: "network", scheme: "internal", subnetIds: [p.subnetA] });
  const svc = createEndpointService(provider, { networkLoadBalancerArns: [lb.id], acceptanceRequired: true });
  modifyServicePermissions(provider, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:root"] });
  createConnectionNotification(provider, { serviceId: svc.id, connectionNotificationArn: "arn:aws:sns:ap-northeast-2:111111111111:endpoint-events", connectionEvents: ["Connect", "Accept"] });
  const c = vpcWithSubnets(consumer);
  const ep = createVpcEndpoint(consumer, { vpcId: c.vpcId, serviceName: svc.serviceName, vpcEndpointType: "Interface", subnetIds: [c.subnetA] });
  decideConnections(provider, "accept", svc.id, [ep.id]);

  const dir = mkdtempSync(join(tmpdir(), "vpclab-show-"));
  writeFileSync(join(dir, "world.json"), JSON.stringify(provider.world.toSnapshot()));
  const data = join(dir, "data");
  assert.equal(vpclab(data, "state", "import", join(dir, "world.json")).code, 0);
  const out = vpclab(data, "show").out;
  assert.match(out, new RegExp(`web-nlb +${lb.id.replace(/[/.]/g, "\\$&")}  network  internal  active`));
  assert.match(out, /node 10\.0\.1\.\d+ {2}ap-northeast-2a/);
  assert.match(out, new RegExp(`allowed arn:aws:iam::222222222222:root\\n.*connection ${ep.id} from 222222222222: available`));
  assert.match(out, new RegExp(`Connect  ${ep.id}\\n.*Accept  ${ep.id}`), "the notification recorded Connect, then Accept");
});
