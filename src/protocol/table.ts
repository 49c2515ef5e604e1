// The action table: every API action vpclab serves, by service and AWS name.
import type { ActionTable } from "./actions.js";
import { EC2_ACTIONS } from "./ec2/index.js";
import { ELBV2_ACTIONS } from "./elbv2/index.js";
import { STS_ACTIONS } from "./sts.js";
import { IAM_ACTIONS } from "./iam/index.js";

export const ACTIONS: Record<"ec2" | "elbv2" | "sts" | "iam", ActionTable> = {
  ec2: EC2_ACTIONS,
  elbv2: ELBV2_ACTIONS,
  sts: STS_ACTIONS,
  iam: IAM_ACTIONS,
};
