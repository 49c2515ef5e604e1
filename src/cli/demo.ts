// vpclab demo: lab 1 (a gateway endpoint for S3) from start to finish, in memory, so that a
// new user sees what vpclab answers before building anything.
import { fileURLToPath } from "node:url";
import { MemoryStore } from "../state/store.js";
import { applyCommand } from "./apply.js";
import { digCommand } from "./dig.js";
import { traceCommand } from "./trace.js";
import { bold } from "./render.js";

export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

export function demoCommand(out: (s: string) => void): void {
  const store = new MemoryStore();
  const step = (title: string): void => out(`\n${bold(`━━ ${title}`)}\n`);
  step("Lab 1: a VPC with a public and a private subnet (examples/lab1-gateway-endpoint.yaml)");
  applyCommand(store, [`${EXAMPLES}lab1-gateway-endpoint.yaml`], out);
  step("dig s3.ap-northeast-2.amazonaws.com from the private instance: public addresses");
  digCommand(store, "private-instance", ["s3.ap-northeast-2.amazonaws.com"], false, out);
  step("trace from the private instance to S3 on 443: no route");
  traceCommand(store, { from: "private-instance", to: "s3.ap-northeast-2.amazonaws.com:443", json: false }, out);
  step("add a gateway endpoint for S3 on both route tables (examples/lab1-step4-add-endpoint.yaml)");
  applyCommand(store, [`${EXAMPLES}lab1-step4-add-endpoint.yaml`], out);
  step("the same trace now goes through the endpoint");
  traceCommand(store, { from: "private-instance", to: "s3.ap-northeast-2.amazonaws.com:443", json: false }, out);
  step("S3 in another Region does not use the endpoint");
  traceCommand(store, { from: "private-instance", to: "s3.us-east-1.amazonaws.com:443", json: false }, out);
  out(`\nNext: 'npx vpclab apply examples/lab1-gateway-endpoint.yaml', then 'npx vpclab trace --from private-instance --to s3.ap-northeast-2.amazonaws.com:443'.`);
}
