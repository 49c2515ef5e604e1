// Who may connect to an endpoint service: the principals its owner allows (accounts, IAM users
// and roles, AWS services, or everyone), and what that means for a vpclab caller, which is an
// account. A principal that may not connect sees the service exactly as if it did not exist.
import { AwsError } from "../model/errors.js";
import type { VpcEndpointService } from "../model/types.js";
import { type Ctx, get } from "./context.js";

export type AllowedPrincipal = VpcEndpointService["allowedPrincipals"][number];

/**
 * The principal forms the PrivateLink guide lists ("Manage permissions"): an account root,
 * a role, a user, or "*"; plus AWS service principals, which the console accepts. ARNs with a
 * path are not supported (ModifyVpcEndpointServicePermissions, API reference) and, like any
 * other form, are InvalidPrincipal with AWS's observed message.
 */
const FORMS: [RegExp, AllowedPrincipal["principalType"]][] = [
  [/^\*$/, "All"],
  [/^arn:aws:iam::\d{12}:root$/, "Account"],
  [/^arn:aws:iam::\d{12}:user\/[\w+=,.@-]{1,64}$/, "User"],
  [/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/, "Role"],
  [/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/, "Service"],
];

export function principalType(principal: string): AllowedPrincipal["principalType"] {
  const form = FORMS.find(([re]) => re.test(principal));
  if (!form) throw new AwsError("InvalidPrincipal", `Invalid Principal: '${principal}'`);
  return form[1];
}

/**
 * Whether a vpclab caller (an account) may see and connect to the service. The owner always
 * may. vpclab has no IAM identities: every caller of an account stands for all of its
 * principals, so a user or role allowed in an account lets that account's callers in
 * (on AWS only that user or role could connect; docs/FIDELITY.md). Service principals and
 * removed principals let no account in.
 */
export function mayConnect(svc: VpcEndpointService, account: string): boolean {
  if (svc.ownerId === account) return true;
  return svc.allowedPrincipals.some((p) =>
    p.principalType === "All" || ((p.principalType === "Account" || p.principalType === "User" || p.principalType === "Role") && p.principal.split(":")[4] === account));
}

/**
 * ModifyVpcEndpointServicePermissions: the principals added (with their servicePermissionId).
 * Every principal is checked before any change. Adding one already there changes nothing;
 * removing one that is not there is refused. Removing a principal does not touch connections
 * already made ("Manage permissions", PrivateLink guide).
 */
export function modifyServicePermissions(ctx: Ctx, input: { serviceId: string; addAllowedPrincipals?: string[]; removeAllowedPrincipals?: string[] }): AllowedPrincipal[] {
  const svc = get(ctx, "endpointServices", input.serviceId);
  const add = [...new Set(input.addAllowedPrincipals ?? [])];
  const remove = [...new Set(input.removeAllowedPrincipals ?? [])];
  const types = add.map(principalType);
  remove.forEach(principalType);
  const both = add.find((p) => remove.includes(p));
  if (both !== undefined) throw new AwsError("InvalidParameterCombination", `The principal '${both}' cannot be both added and removed.`);
  const missing = remove.find((p) => !svc.allowedPrincipals.some((a) => a.principal === p));
  if (missing !== undefined) throw new AwsError("InvalidParameter", `The principal '${missing}' is not allowed on ${svc.id}, so it cannot be removed.`);

  svc.allowedPrincipals = svc.allowedPrincipals.filter((a) => !remove.includes(a.principal));
  const added: AllowedPrincipal[] = [];
  add.forEach((principal, i) => {
    if (svc.allowedPrincipals.some((a) => a.principal === principal)) return;
    const p: AllowedPrincipal = { principal, principalType: types[i]!, servicePermissionId: ctx.world.ids.next("vpce-svc-perm") };
    svc.allowedPrincipals.push(p);
    added.push({ ...p });
  });
  return added;
}

/** The services in the caller's Region that the caller may see: AWS answers InvalidServiceName for the others. */
export function visibleEndpointServices(ctx: Ctx): VpcEndpointService[] {
  return [...ctx.world.endpointServices.values()].filter((svc) => svc.region === ctx.region && svc.serviceState === "Available" && mayConnect(svc, ctx.account));
}
