// `hotline backup` and `hotline verify` (docs/deploy.md "Backups"): an online, consistent copy
// of a SQLite store taken while the server writes, and the checks that a copy can be served.
// app/main.cc forwards `hotline backup ...` / `hotline verify ...` here (argv[0] is then the
// subcommand). Exit 0 on success (verify: a sound store), 1 on a failed backup or a store with
// problems (each printed on stdout), 2 on usage errors.
// Thread-safety: not reentrant; call from one thread.
#pragma once

namespace hotline {

int RunBackupCli(int argc, char** argv);
int RunVerifyCli(int argc, char** argv);

}  // namespace hotline
