#!/usr/bin/env bash
# On the controller: `source_archive.sh SOURCE OUT` writes the repository's HEAD commit as
# OUT/wifidesa-<commit>.tar.gz (once per commit; git archive of one commit is always the same
# bytes, so a second run copies nothing) and prints its path. Uncommitted changes are not
# deployed.
set -euo pipefail
source_dir=$1 out_dir=$2
commit=$(git -C "$source_dir" rev-parse --short=12 HEAD)
archive="$out_dir/wifidesa-$commit.tar.gz"
mkdir -p "$out_dir"
if [ ! -f "$archive" ]; then
  git -C "$source_dir" archive --format=tar.gz --output="$archive.partial" HEAD
  mv "$archive.partial" "$archive"
fi
echo "$archive"
