#!/usr/bin/env bash
# Seed lab 3 (your own service through PrivateLink) with aws-cli and two accounts: a provider
# (111111111111) offers a real local web server behind an internal network load balancer as an
# endpoint service; a consumer (222222222222) reaches it through an interface endpoint.
# Run from the vpclab checkout, with `npm start` running: bash examples/awscli/lab3.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
provider() { AWS_ACCESS_KEY_ID=111111111111 aws "$@"; }
consumer() { AWS_ACCESS_KEY_ID=222222222222 aws "$@"; }
az_a=ap-northeast-2a az_c=ap-northeast-2c

step "1. provider: a real web server, an instance standing for it, behind an internal NLB"
# The real server: any program listening on loopback. The instance's vpclab:backend tag tells
# vpclab that traffic reaching the instance is really delivered there.
port_file=$(mktemp)
node -e '
  const server = require("http").createServer((req, res) => { res.setHeader("content-type", "text/html"); res.end("<html><h1>Endpoint Service Web Server 1</h1></html>\n"); });
  server.listen(0, "127.0.0.1", () => require("fs").writeFileSync(process.argv[1], String(server.address().port)));
' "$port_file" &
web_pid=$!
trap 'kill $web_pid 2>/dev/null || true' EXIT
until [ -s "$port_file" ]; do sleep 0.1; done
web_port=$(cat "$port_file")
echo "the web server listens on 127.0.0.1:$web_port"

vpc2=$(provider ec2 create-vpc --cidr-block 10.1.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=provider-vpc}]' --query Vpc.VpcId --output text)
p_a=$(provider ec2 create-subnet --vpc-id "$vpc2" --cidr-block 10.1.1.0/24 --availability-zone $az_a --query Subnet.SubnetId --output text)
p_c=$(provider ec2 create-subnet --vpc-id "$vpc2" --cidr-block 10.1.2.0/24 --availability-zone $az_c --query Subnet.SubnetId --output text)
web_sg=$(provider ec2 create-security-group --group-name web-sg --description "80 from the load balancer nodes" --vpc-id "$vpc2" --query GroupId --output text)
# Targets behind PrivateLink see the load balancer nodes' private addresses, which are in the VPC.
provider ec2 authorize-security-group-ingress --group-id "$web_sg" --protocol tcp --port 80 --cidr 10.1.0.0/16 >/dev/null
web=$(provider ec2 run-instances --image-id ami-12345678 --instance-type t3.micro --subnet-id "$p_a" --security-group-ids "$web_sg" \
  --tag-specifications "ResourceType=instance,Tags=[{Key=Name,Value=web-server},{Key=vpclab:backend,Value=127.0.0.1:$web_port}]" \
  --query 'Instances[0].InstanceId' --output text)
nlb=$(provider elbv2 create-load-balancer --name web-nlb --type network --scheme internal --subnets "$p_a" "$p_c" \
  --query 'LoadBalancers[0].LoadBalancerArn' --output text)
tg=$(provider elbv2 create-target-group --name web-tg --protocol TCP --port 80 --vpc-id "$vpc2" --target-type instance \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
provider elbv2 register-targets --target-group-arn "$tg" --targets "Id=$web"
provider elbv2 create-listener --load-balancer-arn "$nlb" --protocol TCP --port 80 --default-actions "Type=forward,TargetGroupArn=$tg" >/dev/null
provider elbv2 describe-target-health --target-group-arn "$tg" --query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text

step "2. provider: an endpoint service for the NLB, acceptance required, open to the consumer's account"
svc=$(provider ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns "$nlb" --acceptance-required \
  --query ServiceConfiguration.ServiceId --output text)
service_name=$(provider ec2 describe-vpc-endpoint-service-configurations --service-ids "$svc" --query 'ServiceConfigurations[0].ServiceName' --output text)
provider ec2 modify-vpc-endpoint-service-permissions --service-id "$svc" --add-allowed-principals arn:aws:iam::222222222222:root >/dev/null
echo "service name: $service_name"

step "3. consumer: an interface endpoint to that service waits in pendingAcceptance, and the trace says why"
vpc1=$(consumer ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=consumer-vpc}]' --query Vpc.VpcId --output text)
consumer ec2 modify-vpc-attribute --vpc-id "$vpc1" --enable-dns-hostnames
c_a=$(consumer ec2 create-subnet --vpc-id "$vpc1" --cidr-block 10.0.1.0/24 --availability-zone $az_a --query Subnet.SubnetId --output text)
c_c=$(consumer ec2 create-subnet --vpc-id "$vpc1" --cidr-block 10.0.2.0/24 --availability-zone $az_c --query Subnet.SubnetId --output text)
ep_sg=$(consumer ec2 create-security-group --group-name endpoint-sg --description "80 and 22 from the VPC" --vpc-id "$vpc1" --query GroupId --output text)
consumer ec2 authorize-security-group-ingress --group-id "$ep_sg" --ip-permissions \
  'IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=10.0.0.0/16}]' 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/16}]' >/dev/null
consumer ec2 run-instances --image-id ami-12345678 --instance-type t3.micro --subnet-id "$c_a" \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=consumer-instance}]' >/dev/null
ep=$(consumer ec2 create-vpc-endpoint --vpc-id "$vpc1" --vpc-endpoint-type Interface --service-name "$service_name" \
  --subnet-ids "$c_a" "$c_c" --security-group-ids "$ep_sg" --no-private-dns-enabled --query VpcEndpoint.VpcEndpointId --output text)
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].State' --output text
ep_name=$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].DnsEntries[0].DnsName' --output text)
$VPCLAB trace --from consumer-instance --to "$ep_name:80" || true

step "4. provider: accepts the connection; the endpoint becomes available"
provider ec2 describe-vpc-endpoint-connections --filters "Name=service-id,Values=$svc" \
  --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointOwner,VpcEndpointState]' --output text
provider ec2 accept-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$ep" --query 'Unsuccessful' --output text
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].State' --output text

step "5. consumer: the endpoint's name answers a private address of VPC1, and curl gets the real page"
$VPCLAB dig --from consumer-instance "$ep_name"
$VPCLAB trace --from consumer-instance --to "$ep_name:80"
$VPCLAB curl --from consumer-instance "http://$ep_name/"

step "6. PrivateLink is one-way: the provider's web server cannot open a connection to the consumer"
consumer_ip=$(consumer ec2 describe-instances --filters Name=tag:Name,Values=consumer-instance --query 'Reservations[0].Instances[0].PrivateIpAddress' --output text)
$VPCLAB trace --from web-server --to "$consumer_ip:22" || true

step "7. clean-up order: the NLB is in use by the service, and the service has a live connection"
provider elbv2 delete-load-balancer --load-balancer-arn "$nlb" 2>&1 || true
provider ec2 delete-vpc-endpoint-service-configurations --service-ids "$svc" --query 'Unsuccessful[].Error.Code' --output text
provider ec2 reject-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$ep" --query 'Unsuccessful' --output text
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].State' --output text
provider ec2 delete-vpc-endpoint-service-configurations --service-ids "$svc" --query 'Unsuccessful' --output text
provider elbv2 delete-load-balancer --load-balancer-arn "$nlb"
consumer ec2 delete-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'Unsuccessful' --output text
echo "clean"
