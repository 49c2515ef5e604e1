#!/usr/bin/env bash
# Seed lab 2 (an interface endpoint with private DNS) with aws-cli, on the VPC lab1.sh built.
# Run from the vpclab checkout after lab1.sh: bash examples/awscli/lab2.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
name=cloudformation.ap-northeast-2.amazonaws.com

vpc=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab --query 'Vpcs[0].VpcId' --output text)
priv=$(aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" Name=cidr-block,Values=10.0.1.0/24 --query 'Subnets[0].SubnetId' --output text)
instance=$(aws ec2 describe-instances --filters Name=tag:Name,Values=private-instance Name=instance-state-name,Values=running --query 'Reservations[0].Instances[0].InstanceId' --output text)

step "1. DNS resolution and DNS hostnames on the VPC (one attribute per call, as on AWS)"
aws ec2 modify-vpc-attribute --vpc-id "$vpc" --enable-dns-support
aws ec2 modify-vpc-attribute --vpc-id "$vpc" --enable-dns-hostnames
read -r dns_host dns_port < <($VPCLAB dns-address "$vpc" | head -1)
echo "the VPC's resolver answers on $dns_host port $dns_port"

step "2. before: public addresses, and no path"
$VPCLAB dig --from private-instance "$name"
$VPCLAB trace --from private-instance --to "$name:443" || true

step "3. an interface endpoint in the private subnet, a security group allowing 443 from the VPC, private DNS on"
sg=$(aws ec2 create-security-group --group-name endpoint-sg --description "443 from the VPC" --vpc-id "$vpc" --query GroupId --output text)
aws ec2 authorize-security-group-ingress --group-id "$sg" --protocol tcp --port 443 --cidr 10.0.0.0/16 >/dev/null
ep=$(aws ec2 create-vpc-endpoint --vpc-id "$vpc" --vpc-endpoint-type Interface --service-name com.amazonaws.ap-northeast-2.cloudformation \
  --subnet-ids "$priv" --security-group-ids "$sg" --private-dns-enabled --query VpcEndpoint.VpcEndpointId --output text)
aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].DnsEntries[].DnsName' --output text

step "4. after: the name answers the endpoint ENI's private IP, from the VPC's own resolver"
if command -v dig >/dev/null; then
  dig @"$dns_host" -p "$dns_port" +short "$name"
  regional=$(aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].DnsEntries[0].DnsName' --output text)
  dig @"$dns_host" -p "$dns_port" +short "$regional"
fi
$VPCLAB dig --from private-instance "$name"
$VPCLAB trace --from private-instance --to "$name:443"

step "5. without 443 in the endpoint's security group, the trace stops there and says so"
aws ec2 revoke-security-group-ingress --group-id "$sg" --protocol tcp --port 443 --cidr 10.0.0.0/16 >/dev/null
$VPCLAB trace --from private-instance --to "$name:443" || true

step "the same question to the Reachability Analyzer API"
nip=$(aws ec2 create-network-insights-path --source "$instance" --destination "$ep" --protocol tcp --destination-port 443 \
  --query NetworkInsightsPath.NetworkInsightsPathId --output text)
aws ec2 start-network-insights-analysis --network-insights-path-id "$nip" \
  --query 'NetworkInsightsAnalysis.[Status,NetworkPathFound,Explanations[].ExplanationCode]' --output json
