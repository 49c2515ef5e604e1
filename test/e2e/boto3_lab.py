"""Seed lab 1 and the endpoint validation errors through boto3, against a running vpclab.

Run by test/e2e/boto3.test.ts with the endpoint as argv[1]; prints one JSON object with what it saw.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]


def client(account):
    return boto3.client("ec2", endpoint_url=endpoint, region_name="ap-northeast-2",
                        aws_access_key_id=account, aws_secret_access_key="x")


def code(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


ec2 = client("111111111111")
seen = {}
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
pub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="ap-northeast-2a")["Subnet"]["SubnetId"]
priv = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-northeast-2a")["Subnet"]["SubnetId"]
priv_c = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="ap-northeast-2c")["Subnet"]["SubnetId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=rt, SubnetId=pub)
ep = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.s3", RouteTableIds=[rt])["VpcEndpoint"]
routes = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"]
seen["gatewayRoute"] = [r for r in routes if r.get("DestinationPrefixListId")]
seen["endpointState"] = ep["State"]
seen["prefixLists"] = [p["PrefixListId"] for p in ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.ap-northeast-2.s3"]}])["PrefixLists"]]

# Paginators work the way boto3 users page through results.
for i in range(7):
    ec2.create_vpc(CidrBlock=f"10.{i + 1}.0.0/16")
pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
seen["vpcPages"] = [len(p["Vpcs"]) for p in pages]

# The validation errors of the spec, by code.
sg = ec2.create_security_group(GroupName="ep", Description="endpoint", VpcId=vpc)["GroupId"]
errors = {
    "missingVpc": code(ec2.create_vpc_endpoint, VpcId="vpc-0123456789abcdef0", ServiceName="com.amazonaws.ap-northeast-2.s3"),
    "malformedVpc": code(ec2.create_vpc_endpoint, VpcId="vpc-x", ServiceName="com.amazonaws.ap-northeast-2.s3"),
    "unknownService": code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.nosuch"),
    "routeTablesOnInterface": code(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.ec2", RouteTableIds=[rt], SubnetIds=[priv]),
    "duplicateRoute": code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.s3", RouteTableIds=[rt]),
    "twoSubnetsOneAz": code(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.ec2", SubnetIds=[pub, priv], PrivateDnsEnabled=False),
    "privateDnsWithoutAttributes": code(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.ec2", SubnetIds=[priv], SecurityGroupIds=[sg], PrivateDnsEnabled=True),
    "missingEndpoint": code(ec2.describe_vpc_endpoints, VpcEndpointIds=["vpce-0123456789abcdef0"]),
    "badPolicy": code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.dynamodb", PolicyDocument="{not json"),
    "badType": code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.ap-northeast-2.s3", VpcEndpointType="Sideways"),
    "dryRun": code(ec2.create_vpc, CidrBlock="10.9.0.0/16", DryRun=True),
    "otherAccount": code(client("222222222222").describe_vpcs, VpcIds=[vpc]),
}
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
first = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.logs", SubnetIds=[priv], PrivateDnsEnabled=True, ClientToken="tok-1")["VpcEndpoint"]
again = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.logs", SubnetIds=[priv], PrivateDnsEnabled=True, ClientToken="tok-1")["VpcEndpoint"]
seen["idempotent"] = first["VpcEndpointId"] == again["VpcEndpointId"]
errors["tokenMismatch"] = code(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.logs", SubnetIds=[priv_c], ClientToken="tok-1")
errors["conflictingPrivateDns"] = code(ec2.create_vpc_endpoint, VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.ap-northeast-2.logs", SubnetIds=[priv_c], PrivateDnsEnabled=True)
deleted = ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"], "vpce-0123456789abcdef0"])
seen["unsuccessful"] = [(u["ResourceId"], u["Error"]["Code"]) for u in deleted["Unsuccessful"]]
seen["routesAfterDelete"] = [r for r in ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"] if r.get("DestinationPrefixListId")]
seen["errors"] = errors
seen["caller"] = boto3.client("sts", endpoint_url=endpoint, region_name="ap-northeast-2", aws_access_key_id="111111111111", aws_secret_access_key="x").get_caller_identity()["Account"]
print(json.dumps(seen, default=str))
