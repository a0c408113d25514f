#!/usr/bin/env bash
# `make deploy` (AWS) and `make localstack-deploy` (LocalStack): build, deploy, open the timetable for sale,
# upload the web app, then smoke-test the stack through its public URLs (read-only on AWS).
set -euo pipefail
target=${1:?usage: deploy.sh aws|localstack}
cd "$(dirname "$0")/../.."
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-central-1}

case "$target" in
  aws)
    sam=.venv-sam/bin/sam; config=default; stack=trainbook-dev; smoke_flags=(--read-only) ;;
  localstack)
    # samlocal wraps sam with LocalStack's endpoint; the stack's own clients find it by AWS_ENDPOINT_URL.
    .venv-sam/bin/pip install --quiet "aws-sam-cli-local==1.*" awscli-local
    export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost:4566}
    export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
    sam=.venv-sam/bin/samlocal; config=localstack; stack=trainbook-local; smoke_flags=() ;;
  *) echo "unknown target $target (aws or localstack)"; exit 2 ;;
esac

"$sam" build --build-dir .aws-sam/build
"$sam" deploy --config-env "$config"

# The stack's outputs as shell variables: ApiUrl, WebSocketUrl, EventsTableName, WebAppBucketName, WebAppUrl...
eval "$(.venv/bin/python - "$stack" <<'PY'
import shlex, sys, boto3
stack = boto3.client("cloudformation").describe_stacks(StackName=sys.argv[1])["Stacks"][0]
for output in stack.get("Outputs", []):
    print(f"{output['OutputKey']}={shlex.quote(output['OutputValue'])}")
PY
)"

EVENTS_TABLE=$EventsTableName .venv/bin/trainbook publish-timetable --days 30

if [ -n "${WebAppBucketName:-}" ] && [ -d frontend/dist ]; then
  .venv-sam/bin/pip install --quiet awscli
  # Hashed assets are immutable; index.html is always revalidated so a deploy shows at once.
  .venv-sam/bin/aws s3 sync frontend/dist "s3://$WebAppBucketName" --delete --exclude index.html \
    --cache-control "public, max-age=31536000, immutable"
  .venv-sam/bin/aws s3 cp frontend/dist/index.html "s3://$WebAppBucketName/index.html" --cache-control "no-cache"
  if [ -n "${WebAppDistributionId:-}" ]; then
    .venv-sam/bin/aws cloudfront create-invalidation --distribution-id "$WebAppDistributionId" --paths "/index.html"
  fi
fi

ws_flags=()
[ -n "${WebSocketUrl:-}" ] && ws_flags=(--ws "$WebSocketUrl")
.venv/bin/trainbook smoke --api "$ApiUrl" "${ws_flags[@]}" "${smoke_flags[@]}"
echo "deployed: API $ApiUrl${WebAppUrl:+, web app $WebAppUrl}"
