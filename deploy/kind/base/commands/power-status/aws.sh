#!/usr/bin/env bash
# Show whether a node is powered on: an EC2 instance, through the AWS CLI, in OpenFlight's words
# (ON, OFF, PENDING, STOPPING). Credentials are the CLI's own (the controller user's ~/.aws, or
# the instance role of the machine the controller runs on). Native `platform: aws` nodes need
# none of this: `mctl power status` reads them through the SDK.
set -euo pipefail

: "${ec2_id:?node ${name} has no ec2_id attribute (its EC2 instance id)}"
region="${aws_region:-${region:-}}"
: "${region:?node ${name} has no region (or aws_region) attribute}"

state=$(aws ec2 describe-instances --instance-ids "$ec2_id" --region "$region" \
  --query 'Reservations[0].Instances[0].State.Name' --output text)
case "$state" in
  running) echo ON ;;
  stopped) echo OFF ;;
  pending) echo PENDING ;;
  stopping | shutting-down) echo STOPPING ;;
  *) echo "unknown state: $state" >&2; exit 1 ;;
esac
