#!/usr/bin/env bash
# Seed lab 1 (a gateway endpoint for S3) with aws-cli against a running `vpclab up`, step by step.
# Run from the vpclab checkout: bash examples/awscli/lab1.sh   (then lab2.sh builds on it)
set -euo pipefail
source "$(dirname "$0")/env.sh"

step "1. a VPC with a public and a private subnet, an instance in each"
vpc=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=lab}]' --query Vpc.VpcId --output text)
pub=$(aws ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.0.0/24 --availability-zone ap-northeast-2a --query Subnet.SubnetId --output text)
priv=$(aws ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --availability-zone ap-northeast-2a --query Subnet.SubnetId --output text)
igw=$(aws ec2 create-internet-gateway --query InternetGateway.InternetGatewayId --output text)
aws ec2 attach-internet-gateway --internet-gateway-id "$igw" --vpc-id "$vpc"
pub_rt=$(aws ec2 create-route-table --vpc-id "$vpc" --query RouteTable.RouteTableId --output text)
aws ec2 create-route --route-table-id "$pub_rt" --destination-cidr-block 0.0.0.0/0 --gateway-id "$igw" >/dev/null
aws ec2 associate-route-table --route-table-id "$pub_rt" --subnet-id "$pub" >/dev/null
priv_rt=$(aws ec2 create-route-table --vpc-id "$vpc" --query RouteTable.RouteTableId --output text)
aws ec2 associate-route-table --route-table-id "$priv_rt" --subnet-id "$priv" >/dev/null
aws ec2 run-instances --image-id ami-12345678 --instance-type t3.micro \
  --network-interfaces "DeviceIndex=0,SubnetId=$pub,AssociatePublicIpAddress=true" \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=public-instance}]' --query 'Instances[0].PublicIpAddress' --output text
aws ec2 run-instances --image-id ami-12345678 --instance-type t3.micro --subnet-id "$priv" --private-ip-address 10.0.1.103 \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=private-instance}]' --query 'Instances[0].PrivateIpAddress' --output text
echo "vpc $vpc  public $pub ($pub_rt)  private $priv ($priv_rt)"

step "2. from the public instance: public S3 addresses (rotating), and 443 goes out the internet gateway"
$VPCLAB dig --from public-instance s3.ap-northeast-2.amazonaws.com
$VPCLAB dig --from public-instance s3.ap-northeast-2.amazonaws.com
$VPCLAB trace --from public-instance --to s3.ap-northeast-2.amazonaws.com:443

step "3. from the private instance: the same answer, but no route"
$VPCLAB trace --from private-instance --to s3.ap-northeast-2.amazonaws.com:443 || true

step "4. a gateway endpoint for S3 on both route tables"
aws ec2 create-vpc-endpoint --vpc-id "$vpc" --service-name com.amazonaws.ap-northeast-2.s3 --route-table-ids "$pub_rt" "$priv_rt" \
  --query 'VpcEndpoint.[VpcEndpointId,VpcEndpointType,State]' --output text
aws ec2 describe-route-tables --route-table-ids "$pub_rt" "$priv_rt" \
  --query 'RouteTables[].Routes[?DestinationPrefixListId].[DestinationPrefixListId,GatewayId,State]' --output text
$VPCLAB trace --from private-instance --to s3.ap-northeast-2.amazonaws.com:443
$VPCLAB trace --from public-instance --to s3.ap-northeast-2.amazonaws.com:443

step "5. S3 in another Region does not use the endpoint"
$VPCLAB trace --from private-instance --to s3.us-east-1.amazonaws.com:443 || true
$VPCLAB trace --from public-instance --to s3.us-east-1.amazonaws.com:443
