// `hotline kb eval`: knowledge-base search measured on labelled questions. app/main.cc forwards
// `hotline kb ...` here (argv[0] is then "kb").
// Output: one JSON object on stdout; errors on stderr. Exit code 0 on success, 1 on bad input,
// 2 on usage errors.
// Thread-safety: not reentrant (writes to stdout/stderr); call from one thread.
#pragma once

namespace hotline::kb {

int RunKbCli(int argc, char** argv);

}  // namespace hotline::kb
