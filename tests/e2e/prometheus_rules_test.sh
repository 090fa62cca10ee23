#!/usr/bin/env bash
# deploy/prometheus: promtool accepts the rules (check rules) and every alert
# fires and stays quiet where its unit tests say (test rules).
source "$(dirname "$0")/lib.sh"

rules=$rf/deploy/prometheus
cp "$rules/secretsync-rules.yml" "$rules/secretsync-rules_test.yml" "$T/"
check "promtool check rules accepts the rules" promtool check rules "$T/secretsync-rules.yml"
check "promtool test rules passes" bash -c "cd '$T' && promtool test rules secretsync-rules_test.yml"
# The unit tests cover every alert of the rules file.
for alert in $(sed -n 's/^ *- alert: //p' "$T/secretsync-rules.yml"); do
  check "alert $alert has a unit test" grep -q "alertname: $alert\$" "$T/secretsync-rules_test.yml"
done
# A broken rule is caught: with the max-age comparison turned round, the tests fail.
mkdir -p "$T/broken"
sed 's/secretsync_secret_age_seconds > secretsync_secret_max_age_seconds/secretsync_secret_age_seconds < secretsync_secret_max_age_seconds/' \
  "$T/secretsync-rules.yml" >"$T/broken/secretsync-rules.yml"
cp "$T/secretsync-rules_test.yml" "$T/broken/"
check "a reversed rule fails promtool test rules" bash -c "cd '$T/broken' && ! promtool test rules secretsync-rules_test.yml >/dev/null 2>&1"
finish
