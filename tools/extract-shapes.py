#!/usr/bin/env python3
"""Extracts the wire shapes of the AWS APIs vpclab serves from botocore's service models.

Keeps names, types, member/location names, list wrappers, required members and enums; leaves the
documentation behind. Writes src/protocol/models/<service>.json. Run it again when an action is
added to OPERATIONS below (the list is what vpclab implements, plus names of all real actions
so that an unimplemented real action is told apart from a made-up one).
"""
import gzip, json, os, sys
import botocore

ROOT = os.path.join(os.path.dirname(botocore.__file__), "data")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "protocol", "models")

SERVICES = {
    "ec2": ("ec2/2016-11-15", [
        "CreateVpc", "DeleteVpc", "DescribeVpcs", "ModifyVpcAttribute", "DescribeVpcAttribute",
        "CreateSubnet", "DeleteSubnet", "DescribeSubnets", "ModifySubnetAttribute",
        "CreateRouteTable", "DeleteRouteTable", "DescribeRouteTables", "CreateRoute", "ReplaceRoute",
        "DeleteRoute", "AssociateRouteTable", "DisassociateRouteTable", "ReplaceRouteTableAssociation",
        "EnableVgwRoutePropagation", "DisableVgwRoutePropagation",
        "CreateInternetGateway", "DeleteInternetGateway", "DescribeInternetGateways",
        "AttachInternetGateway", "DetachInternetGateway",
        "AllocateAddress", "ReleaseAddress", "DescribeAddresses",
        "CreateNatGateway", "DeleteNatGateway", "DescribeNatGateways",
        "CreateVpnGateway", "DescribeVpnGateways", "AttachVpnGateway",
        "CreateSecurityGroup", "DeleteSecurityGroup", "DescribeSecurityGroups",
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "DescribeSecurityGroupRules",
        "CreateNetworkAcl", "DeleteNetworkAcl", "DescribeNetworkAcls", "CreateNetworkAclEntry",
        "ReplaceNetworkAclEntry", "DeleteNetworkAclEntry", "ReplaceNetworkAclAssociation",
        "RunInstances", "DescribeInstances", "TerminateInstances", "StopInstances", "StartInstances",
        "DescribeNetworkInterfaces", "CreateNetworkInterface", "DeleteNetworkInterface",
        "ModifyNetworkInterfaceAttribute",
        "DescribeAvailabilityZones", "DescribeRegions",
        "CreateVpcEndpoint", "ModifyVpcEndpoint", "DescribeVpcEndpoints", "DeleteVpcEndpoints",
        "DescribeVpcEndpointServices", "DescribePrefixLists", "DescribeManagedPrefixLists",
        "GetManagedPrefixListEntries",
        "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "DeleteVpcPeeringConnection",
        "DescribeVpcPeeringConnections",
        "CreateTags", "DeleteTags", "DescribeTags",
        "CreateNetworkInsightsPath", "DescribeNetworkInsightsPaths", "DeleteNetworkInsightsPath",
        "StartNetworkInsightsAnalysis", "DescribeNetworkInsightsAnalyses", "DeleteNetworkInsightsAnalysis",
        "CreateVpcEndpointServiceConfiguration", "ModifyVpcEndpointServiceConfiguration",
        "DescribeVpcEndpointServiceConfigurations", "DeleteVpcEndpointServiceConfigurations",
        "ModifyVpcEndpointServicePayerResponsibility", "StartVpcEndpointServicePrivateDnsVerification",
        "ModifyVpcEndpointServicePermissions", "DescribeVpcEndpointServicePermissions",
        "AcceptVpcEndpointConnections", "RejectVpcEndpointConnections", "DescribeVpcEndpointConnections",
        "CreateVpcEndpointConnectionNotification", "ModifyVpcEndpointConnectionNotification",
        "DescribeVpcEndpointConnectionNotifications", "DeleteVpcEndpointConnectionNotifications",
    ]),
    "elbv2": ("elbv2/2015-12-01", []),
    "sts": ("sts/2011-06-15", ["GetCallerIdentity"]),
    "iam": ("iam/2010-05-08", [
        "CreateUser", "GetUser", "ListUsers", "DeleteUser",
        "CreateRole", "GetRole", "ListRoles", "DeleteRole", "UpdateAssumeRolePolicy",
        "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
        "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
        "CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy",
        "CreatePolicyVersion", "GetPolicyVersion", "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion",
        "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies",
        "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
    ]),
    "s3": ("s3/2006-03-01", [
        "CreateBucket", "DeleteBucket", "ListBuckets", "HeadBucket", "GetBucketLocation",
        "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy",
    ]),
    "dynamodb": ("dynamodb/2012-08-10", [
        "CreateTable", "DescribeTable", "DeleteTable", "ListTables",
        "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy",
    ]),
}

KEEP_MEMBER = ("shape", "locationName", "queryName", "flattened", "xmlNamespace")
KEEP_SHAPE = ("type", "required", "enum", "flattened", "min", "max", "timestampFormat")


def load(path):
    with gzip.open(os.path.join(ROOT, path, "service-2.json.gz")) as f:
        return json.load(f)


def reachable(model, ops):
    seen, todo = set(), []
    for name in ops:
        op = model["operations"][name]
        for key in ("input", "output"):
            if key in op:
                todo.append(op[key]["shape"])
        for err in op.get("errors", []):
            todo.append(err["shape"])
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = model["shapes"][name]
        for m in shape.get("members", {}).values():
            todo.append(m["shape"])
        for k in ("member", "key", "value"):
            if k in shape:
                todo.append(shape[k]["shape"])
    return seen


def strip(shape):
    out = {k: shape[k] for k in KEEP_SHAPE if k in shape}
    if "members" in shape:
        out["members"] = {n: {k: m[k] for k in KEEP_MEMBER if k in m} for n, m in shape["members"].items()}
    for k in ("member", "key", "value"):
        if k in shape:
            out[k] = {kk: shape[k][kk] for kk in KEEP_MEMBER if kk in shape[k]}
    return out


def main():
    for service, (path, ops) in SERVICES.items():
        model = load(path)
        ops = ops or sorted(model["operations"])
        shapes = reachable(model, ops)
        doc = {
            "metadata": {k: model["metadata"][k] for k in ("apiVersion", "protocol", "xmlNamespace", "signingName", "endpointPrefix") if k in model["metadata"]},
            "allOperations": sorted(model["operations"]),
            "operations": {n: {k: model["operations"][n][k] for k in ("input", "output") if k in model["operations"][n]} for n in ops},
            "shapes": {n: strip(model["shapes"][n]) for n in sorted(shapes)},
        }
        with open(os.path.join(OUT, f"{service}.json"), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(service, len(ops), "operations", len(shapes), "shapes", file=sys.stderr)


if __name__ == "__main__":
    main()
