#!/usr/bin/env bash
# On the controller: `wheelhouse_archive.sh WHEELHOUSE OUT` writes the wheelhouse directory as
# one tar, OUT/wheelhouse-<digest of its listing>.tar (the same wheels give the same name and
# bytes, so a second run copies nothing), and prints its path. One file crosses to the server
# instead of a checksum round trip per wheel.
set -euo pipefail
house=$1 out_dir=$2
digest=$(cd "$house" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -c1-16)
archive="$out_dir/wheelhouse-$digest.tar"
mkdir -p "$out_dir"
if [ ! -f "$archive" ]; then
  tar -C "$house" --sort=name --owner=0 --group=0 --numeric-owner -cf "$archive.partial" .
  mv "$archive.partial" "$archive"
fi
echo "$archive"
