#!/usr/bin/env bash
# Bazel's --workspace_status_command (.bazelrc): the commit the binaries are
# built from, for `--version`. STABLE_ keys re-run only the one genrule that
# reads them (//lib/base:build_info_values) when the commit changes.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi
echo "STABLE_SECRETSYNC_COMMIT $commit"
# The commit's date in RFC 2822, for the Debian changelog (deploy/debian).
when=$(git log -1 --format=%cD 2>/dev/null) || when=
echo "STABLE_SECRETSYNC_COMMIT_DATE ${when:-Thu, 01 Jan 1970 00:00:00 +0000}"
