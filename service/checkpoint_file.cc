#include "service/checkpoint_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace hotline {

namespace {

constexpr char kMagic[8] = {'H', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
constexpr std::uint32_t kFileFormat = 1;
// magic, file format, projection format, event id, fingerprint, raw size, stored size, crc
constexpr std::size_t kHeader = 8 + 4 + 4 + 8 + 8 + 8 + 8;

void Put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t Get(const std::string& in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

Status IoError(const std::string& what, const std::string& path) {
  return Status(Code::kInternal, what + " " + path + ": " + std::strerror(errno));
}

Status FsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return IoError("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync", path);
  return {};
}

}  // namespace

Result<CheckpointWriteStats> WriteCheckpoint(const std::string& path, const Checkpoint& c) {
  // Level 1: the payload is varints (already dense); speed matters more than the last bytes.
  uLongf bound = compressBound(static_cast<uLong>(c.payload.size()));
  std::string body(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(body.data()), &bound,
                reinterpret_cast<const Bytef*>(c.payload.data()),
                static_cast<uLong>(c.payload.size()), 1) != Z_OK)
    return Status(Code::kInternal, "checkpoint: zlib compression failed");
  body.resize(bound);
  std::string head(kMagic, sizeof kMagic);
  Put(head, kFileFormat, 4);
  Put(head, c.format, 4);
  Put(head, static_cast<std::uint64_t>(c.event_id), 8);
  Put(head, c.fingerprint, 8);
  Put(head, c.payload.size(), 8);
  Put(head, body.size(), 8);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size()));
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(body.data()), body.size());
  Put(head, crc, 4);

  const std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("create", tmp);
  auto write_all = [&](const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  };
  if (!write_all(head) || !write_all(body) || ::fsync(fd) != 0) {
    Status st = IoError("write", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = IoError("rename", tmp);
    ::unlink(tmp.c_str());
    return st;
  }
  HOTLINE_RETURN_IF_ERROR(FsyncPath(p.parent_path().empty() ? "." : p.parent_path().string(),
                                    O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return CheckpointWriteStats{c.payload.size(), head.size() + body.size()};
}

Result<Checkpoint> ReadCheckpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return Status(Code::kNotFound, "no checkpoint at " + path);
    return IoError("open", path);
  }
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto damaged = [&](const std::string& why) {
    return Status(Code::kInvalidArgument, "checkpoint " + path + ": " + why, "checkpoint");
  };
  if (file.size() < kHeader + 4) return damaged("truncated (shorter than its header)");
  if (std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) return damaged("not a checkpoint");
  const auto file_format = static_cast<std::uint32_t>(Get(file, 8, 4));
  if (file_format != kFileFormat)
    return damaged("file format " + std::to_string(file_format) + ", this build reads " +
                   std::to_string(kFileFormat));
  Checkpoint c;
  c.format = static_cast<std::uint32_t>(Get(file, 12, 4));
  c.event_id = static_cast<std::int64_t>(Get(file, 16, 8));
  c.fingerprint = Get(file, 24, 8);
  const std::uint64_t raw = Get(file, 32, 8), stored = Get(file, 40, 8);
  if (stored != file.size() - kHeader - 4)
    return damaged("truncated or extended (" + std::to_string(file.size() - kHeader - 4) +
                   " payload bytes, header says " + std::to_string(stored) + ")");
  const auto want = static_cast<std::uint32_t>(Get(file, kHeader, 4));
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(file.data()), static_cast<uInt>(kHeader));
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(file.data() + kHeader + 4), stored);
  if (static_cast<std::uint32_t>(crc) != want) return damaged("checksum mismatch (crc32)");
  if (raw > (std::uint64_t{1} << 36)) return damaged("implausible size");
  c.payload.resize(raw);
  uLongf out_len = static_cast<uLongf>(raw);
  if (uncompress(reinterpret_cast<Bytef*>(c.payload.data()), &out_len,
                 reinterpret_cast<const Bytef*>(file.data() + kHeader + 4),
                 static_cast<uLong>(stored)) != Z_OK ||
      out_len != raw)
    return damaged("bad compressed data");
  return c;
}

}  // namespace hotline
