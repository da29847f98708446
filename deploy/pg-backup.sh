#!/bin/sh
# A base backup of the hotline PostgreSQL cluster (docs/deploy.md "Backups"), checked with its
# manifest. Together with the WAL archive (archive_command on the primary) it restores to any
# moment after it: see pg-restore.sh. Run as the postgres user (or one with REPLICATION).
#   pg-backup.sh -d "host=/run/postgresql port=5432 user=postgres" -o /srv/backup
# Writes OUT/base-YYYYmmddTHHMMSS/ (plain format, WAL of the backup included) and prints it.
set -eu
conninfo="" out=""
while getopts "d:o:" opt; do
  case "$opt" in
    d) conninfo="$OPTARG" ;;
    o) out="$OPTARG" ;;
    *) echo "usage: $0 -d CONNINFO -o OUTDIR" >&2; exit 2 ;;
  esac
done
[ -n "$conninfo" ] && [ -n "$out" ] || { echo "usage: $0 -d CONNINFO -o OUTDIR" >&2; exit 2; }
bindir="${PG_BINDIR:-$(pg_config --bindir)}"
dir="$out/base-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$out"
# -X stream: the WAL written during the backup is in it, so it is consistent on its own;
# -c fast: start at once instead of waiting for the next checkpoint.
"$bindir/pg_basebackup" -d "$conninfo" -D "$dir" -Fp -X stream -c fast \
  --manifest-checksums=SHA256 >&2
"$bindir/pg_verifybackup" -q "$dir" >&2
echo "$dir"
