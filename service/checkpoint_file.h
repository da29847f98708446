// A projection's checkpoint file (docs/storage.md "Projections"): a header (magic, file
// format, the projection's own format, the event id it covers, a fingerprint of what it
// depends on), the payload compressed with zlib, and a crc32 over header and payload.
// Written atomically: a temp file beside it, fsynced, renamed over, the directory fsynced.
#pragma once

#include <cstdint>
#include <string>

#include "domain/result.h"

namespace hotline {

struct Checkpoint {
  std::uint32_t format = 0;       // the projection's format (the caller's version number)
  std::int64_t event_id = 0;      // every event with id <= event_id is in the payload
  std::uint64_t fingerprint = 0;  // what the payload depends on (unit tree, utc offset...)
  std::string payload;            // uncompressed
};

struct CheckpointWriteStats {
  std::size_t raw_bytes = 0, file_bytes = 0;
};

// Errors: kInternal (I/O), naming the path.
Result<CheckpointWriteStats> WriteCheckpoint(const std::string& path, const Checkpoint& c);
// Errors: kNotFound (no file); kInvalidArgument with the reason (not a checkpoint, another file
// format, truncated, checksum mismatch, bad compressed data); kInternal (I/O).
Result<Checkpoint> ReadCheckpoint(const std::string& path);

}  // namespace hotline
