#!/usr/bin/env bash
# Power a node on: an EC2 instance, through the AWS CLI. Credentials are the CLI's own (the
# controller user's ~/.aws, or the instance role of the machine the controller runs on).
set -euo pipefail

: "${ec2_id:?node ${name} has no ec2_id attribute (its EC2 instance id)}"
: "${aws_region:?node ${name} has no aws_region attribute}"

exec aws ec2 start-instances --instance-ids "$ec2_id" --region "$aws_region"
