// The ELBv2 wire through @aws-sdk/client-elastic-load-balancing-v2 and aws-cli: Result wrappers,
// member lists, ErrorResponse bodies, the service picked from the SigV4 scope.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateLoadBalancerCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbv2, errorCode, startTestServer } from "../e2e/server.js";

test("ELBv2: empty lists, NotFound for named load balancers and target groups, validation errors", async () => {
  const server = await startTestServer();
  try {
    const client = elbv2(server);
    assert.deepEqual((await client.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await client.send(new DescribeTargetGroupsCommand({}))).TargetGroups, []);
    assert.equal(await errorCode(client.send(new DescribeLoadBalancersCommand({ Names: ["web"] }))), "LoadBalancerNotFound");
    assert.equal(await errorCode(client.send(new DescribeTargetGroupsCommand({ Names: ["web"] }))), "TargetGroupNotFound");
    assert.equal(await errorCode(client.send(new DescribeLoadBalancersCommand({ PageSize: 500 }))), "ValidationError");
    assert.equal(await errorCode(client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ["not-an-arn"] }))), "ValidationError");
    assert.equal(await errorCode(client.send(new CreateLoadBalancerCommand({ Name: "web", Subnets: ["subnet-12345678"] }))), "InvalidAction");

    const run = promisify(execFile);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: "ap-northeast-2", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" };
    const { stdout } = await run("aws", ["--endpoint-url", server.endpoint, "--output", "json", "elbv2", "describe-load-balancers"], { env, encoding: "utf8" });
    assert.deepEqual(JSON.parse(stdout), { LoadBalancers: [] });
    const failed = await run("aws", ["--endpoint-url", server.endpoint, "elbv2", "describe-load-balancers", "--names", "web"], { env, encoding: "utf8" }).then(() => "", (e: { stderr: string }) => e.stderr);
    assert.match(failed, /\(LoadBalancerNotFound\).*One or more load balancers not found/);
  } finally {
    await server.close();
  }
});
