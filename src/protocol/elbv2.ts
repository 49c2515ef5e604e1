// ELBv2 on the wire. Load balancers and target groups arrive with the PrivateLink provider
// issue; until then none can exist, and the read calls say so truthfully: empty lists, and
// AWS's NotFound errors for anything named. They exercise the Query protocol's member lists,
// Result wrappers and ErrorResponse bodies through the real ELBv2 clients.
import { AwsError } from "../model/errors.js";
import { type ActionTable, as } from "./actions.js";

interface DescribeInput { names?: string[]; loadBalancerArns?: string[]; targetGroupArns?: string[]; loadBalancerArn?: string; pageSize?: number; marker?: string }

function checkPageSize(i: DescribeInput): void {
  if (i.pageSize !== undefined && (i.pageSize < 1 || i.pageSize > 400)) {
    throw new AwsError("ValidationError", `1 validation error detected: Value '${i.pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`);
  }
}

function checkArns(arns: string[] | undefined, kind: "loadbalancer" | "targetgroup"): void {
  for (const arn of arns ?? []) {
    if (!/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:/.test(arn) || !arn.includes(`:${kind}/`)) {
      throw new AwsError("ValidationError", `'${arn}' is not a valid ${kind === "loadbalancer" ? "load balancer" : "target group"} ARN`);
    }
  }
}

export const ELBV2_ACTIONS: ActionTable = {
  DescribeLoadBalancers: {
    mutates: false,
    run: (_ctx, input) => {
      const i = as<DescribeInput>(input);
      checkPageSize(i);
      checkArns(i.loadBalancerArns, "loadbalancer");
      if ((i.names?.length ?? 0) > 0 || (i.loadBalancerArns?.length ?? 0) > 0) {
        throw new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
      }
      return { loadBalancers: [] };
    },
  },
  DescribeTargetGroups: {
    mutates: false,
    run: (_ctx, input) => {
      const i = as<DescribeInput>(input);
      checkPageSize(i);
      checkArns(i.targetGroupArns, "targetgroup");
      checkArns(i.loadBalancerArn === undefined ? undefined : [i.loadBalancerArn], "loadbalancer");
      if (i.loadBalancerArn !== undefined) throw new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
      if ((i.names?.length ?? 0) > 0 || (i.targetGroupArns?.length ?? 0) > 0) {
        throw new AwsError("TargetGroupNotFound", "One or more target groups not found");
      }
      return { targetGroups: [] };
    },
  },
};
