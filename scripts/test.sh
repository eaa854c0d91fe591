#!/usr/bin/env bash
# Runs every project's tests through Nx, then prints the real totals as the last line.
set -u
cd "$(dirname "$0")/.."
rm -rf .test-results && mkdir -p .test-results
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# One project at a time: the integration suites start nats-server and ipmi_sim
# processes and the machine has two cores.
npx nx run-many -t test --parallel=1 --outputStyle=stream "$@"
rc=$?
# The container test (image build, docker-compose up, kills; about 10-15 min) needs root and
# installs Debian's Docker engine. It is part of every run; SWITCHBOARD_CONTAINER_TESTS=0 leaves
# it out of a quick local run, and the summary then says so.
if [ "${SWITCHBOARD_CONTAINER_TESTS:-1}" != 0 ]; then
  bash deploy/test/run-containers.sh || rc=1
fi
# House rules count as checks in the totals: a lint or format failure fails the run.
for check in lint format:check; do
  if npm run -s "$check" >".test-results/$check.log" 2>&1; then
    echo pass >".test-results/${check/:/-}.check"
  else
    cat ".test-results/$check.log"
    echo fail >".test-results/${check/:/-}.check"
  fi
done
node scripts/test-summary.js .test-results || rc=1
exit $rc
