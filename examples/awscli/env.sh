# What lab1.sh and lab2.sh share: credentials for account 111111111111, the endpoint, and helpers.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-111111111111} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-x}
export AWS_DEFAULT_REGION=ap-northeast-2 AWS_PAGER=""
ENDPOINT=${VPCLAB_ENDPOINT:-http://127.0.0.1:4566}
VPCLAB=${VPCLAB:-npx vpclab}
aws() { command aws --endpoint-url "$ENDPOINT" "$@"; }
step() { printf '\n== %s\n' "$*"; }
