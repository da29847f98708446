// A clock for black-box tests: "now" is read (epoch seconds) from a file on
// every call, so a test can move time forward without restarting the server.
// Falls back to the system clock when the file is missing or unreadable.
// Thread-safety: safe; each call reads the file.
#pragma once

#include <fstream>
#include <string>

#include "domain/clock.h"

namespace hotline {

class FileClock final : public Clock {
 public:
  explicit FileClock(std::string path) : path_(std::move(path)) {}
  Timestamp Now() const override {
    std::ifstream in(path_);
    long long t = 0;
    if (in >> t && t > 0) return t;
    return system_.Now();
  }

 private:
  std::string path_;
  SystemClock system_;
};

}  // namespace hotline
