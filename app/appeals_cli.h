// `hotline hotspots` and `hotline duplicates`: the hotspot and duplicate detectors run over
// appeal CSV files such as the shared Teddy 2020 data (docs/hotspots.md). app/main.cc forwards
// `hotline hotspots ...` / `hotline duplicates ...` here (argv[0] is then the subcommand).
// Output on stdout, errors on stderr; exit 0 on success, 1 on bad input, 2 on usage errors.
// Thread-safety: not reentrant; call from one thread.
#pragma once

namespace hotline {

int RunHotspotsCli(int argc, char** argv);
int RunDuplicatesCli(int argc, char** argv);

}  // namespace hotline
