// Lab 1 and the spec's endpoint validation errors through boto3 (Python), against a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestServer } from "./server.js";
import { ROOT } from "./process.js";

interface Seen {
  gatewayRoute: { DestinationPrefixListId: string; GatewayId: string; State: string; Origin: string }[];
  endpointState: string;
  prefixLists: string[];
  vpcPages: number[];
  idempotent: boolean;
  unsuccessful: [string, string][];
  routesAfterDelete: unknown[];
  errors: Record<string, string | null>;
  caller: string;
}

test("boto3: lab 1, paginators, idempotency and every endpoint validation error by code", async () => {
  const server = await startTestServer();
  try {
    // Asynchronous on purpose: the server runs in this process and must keep answering.
    const { stdout } = await promisify(execFile)("python3", [join(ROOT, "test/e2e/boto3_lab.py"), server.endpoint], { encoding: "utf8" });
    const seen = JSON.parse(stdout) as Seen;
    assert.equal(seen.endpointState, "available");
    assert.deepEqual(seen.gatewayRoute.map((r) => [r.DestinationPrefixListId, r.State, r.Origin]), [["pl-78a54011", "active", "CreateRoute"]]);
    assert.match(seen.gatewayRoute[0]!.GatewayId, /^vpce-/);
    assert.deepEqual(seen.prefixLists, ["pl-78a54011"]);
    assert.deepEqual(seen.vpcPages, [5, 3]);
    assert.equal(seen.idempotent, true);
    assert.deepEqual(seen.errors, {
      missingVpc: "InvalidVpcID.NotFound",
      malformedVpc: "InvalidVpcID.Malformed",
      unknownService: "InvalidServiceName",
      routeTablesOnInterface: "InvalidParameter",
      duplicateRoute: "RouteAlreadyExists",
      twoSubnetsOneAz: "DuplicateSubnetsInSameZone",
      privateDnsWithoutAttributes: "InvalidParameter",
      missingEndpoint: "InvalidVpcEndpointId.NotFound",
      badPolicy: "InvalidPolicyDocument",
      badType: "InvalidVpcEndpointType",
      dryRun: "DryRunOperation",
      otherAccount: "InvalidVpcID.NotFound",
      tokenMismatch: "IdempotentParameterMismatch",
      conflictingPrivateDns: "InvalidParameter",
    });
    assert.equal(seen.unsuccessful.length, 1);
    assert.match(seen.unsuccessful[0]![1], /NotFound/);
    assert.deepEqual(seen.routesAfterDelete, [], "deleting a gateway endpoint takes its routes with it");
    assert.equal(seen.caller, "111111111111");
  } finally {
    await server.close();
  }
});
