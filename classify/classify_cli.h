// `hotline classify train|eval|predict`: the command-line face of the classifier. app/main.cc
// forwards `hotline classify ...` here (argv[0] is then "classify").
// Output: eval prints one JSON object on stdout; predict prints one JSON object per input line;
// progress and errors go to stderr. Exit code 0 on success, 1 on bad input, 2 on usage errors.
// Thread-safety: not reentrant (writes to stdout/stderr); call from one thread.
#pragma once

namespace hotline::classify {

int RunClassifyCli(int argc, char** argv);

}  // namespace hotline::classify
