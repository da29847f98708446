#!/bin/sh
# Restores a base backup (pg-backup.sh) into a new data directory and sets it to replay the WAL
# archive up to a moment, then promote (docs/deploy.md "Backups"). Run as the postgres user.
#   pg-restore.sh -b /srv/backup/base-... -a /srv/wal-archive -D /srv/pg-restored \
#       [-t "2026-12-07 10:15:00+08" | -n RESTORE_POINT_NAME]
# Without -t or -n it replays the whole archive. Start the server on the directory afterwards
# (pg_ctl -D DIR start); it replays, promotes and accepts writes.
set -eu
base="" archive="" data="" target_time="" target_name=""
while getopts "b:a:D:t:n:" opt; do
  case "$opt" in
    b) base="$OPTARG" ;;
    a) archive="$OPTARG" ;;
    D) data="$OPTARG" ;;
    t) target_time="$OPTARG" ;;
    n) target_name="$OPTARG" ;;
    *) echo "usage: $0 -b BASE -a ARCHIVE -D NEWDATADIR [-t TIME | -n NAME]" >&2; exit 2 ;;
  esac
done
[ -n "$base" ] && [ -n "$archive" ] && [ -n "$data" ] ||
  { echo "usage: $0 -b BASE -a ARCHIVE -D NEWDATADIR [-t TIME | -n NAME]" >&2; exit 2; }
[ -e "$data" ] && { echo "$data exists; a restore never overwrites" >&2; exit 2; }
bindir="${PG_BINDIR:-$(pg_config --bindir)}"
"$bindir/pg_verifybackup" -q -n "$base" >&2
cp -a "$base" "$data"
chmod 700 "$data"
rm -f "$data/postmaster.pid" "$data/backup_manifest"
{
  echo "restore_command = 'cp \"$archive/%f\" \"%p\"'"
  echo "recovery_target_action = 'promote'"
  [ -n "$target_time" ] && echo "recovery_target_time = '$target_time'"
  [ -n "$target_name" ] && echo "recovery_target_name = '$target_name'"
  # The restored server must not archive into the old server's archive.
  echo "archive_mode = off"
} >> "$data/postgresql.auto.conf"
touch "$data/recovery.signal"
echo "$data"
