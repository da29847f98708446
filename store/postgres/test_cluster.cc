#include "store/postgres/test_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

extern char** environ;

namespace hotline {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The directory holding initdb, pg_ctl and postgres.
Result<std::string> FindBinDir() {
  if (const char* env = std::getenv("HOTLINE_PG_BINDIR"); env && *env) return std::string(env);
  std::string out;
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    if (pclose(p) != 0) out.clear();
  }
  out = Trim(out);
  if (out.empty())
    return Status(Code::kUnavailable,
                  "PostgreSQL not found: `pg_config --bindir` failed. Install the Debian packages "
                  "postgresql postgresql-client libpq-dev (make deps), or set HOTLINE_PG_BINDIR");
  if (access((out + "/initdb").c_str(), X_OK) != 0 || access((out + "/pg_ctl").c_str(), X_OK) != 0)
    return Status(Code::kUnavailable, "PostgreSQL server binaries missing in " + out +
                                          " (no initdb/pg_ctl): install the Debian package "
                                          "postgresql, or set HOTLINE_PG_BINDIR");
  return out;
}

// Runs argv (searching PATH), stdout and stderr appended to `log`; waits for it.
Status RunCommand(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Status(Code::kUnavailable, "cannot run " + argv[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 2000) text = text.substr(text.size() - 2000);
    return Status(Code::kUnavailable, argv[0] + " failed (see " + log + "): " + text);
  }
  return {};
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

}  // namespace

Result<std::unique_ptr<TestCluster>> TestCluster::Start(const std::vector<std::string>& settings) {
  HOTLINE_ASSIGN_OR_RETURN(std::string bindir, FindBinDir());
  std::unique_ptr<TestCluster> c(new TestCluster());
  c->bindir_ = bindir;
  char tmpl[] = "/tmp/hotline_pg_XXXXXX";
  if (!mkdtemp(tmpl)) return Status(Code::kInternal, "mkdtemp failed");
  c->dir_ = tmpl;
  chmod(c->dir_.c_str(), 0755);
  // The watchdog owns clean-up from here on: it removes the directory (and stops the
  // postmaster once known) when the write end closes, whichever way this process ends.
  // The pipe is close-on-exec so that no spawned program keeps it open.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status(Code::kInternal, "pipe failed");
  // Written by the parent after the postmaster started: its PID (8 bytes), then EOF.
  const std::string rm_dir = c->dir_;
  const std::string pid_file = c->dir_ + "/data/postmaster.pid";
  pid_t wd = fork();
  if (wd < 0) return Status(Code::kInternal, "fork failed");
  if (wd == 0) {
    // Only async-signal-safe calls from here on.
    // Keep only the read end: an inherited write end of another cluster's pipe would
    // keep that cluster's watchdog waiting.
    if (fds[0] != 3) dup2(fds[0], 3);
    close_range(4, ~0U, 0);
    setsid();  // no terminal signals: a Ctrl-C to the tests must not skip clean-up
    pid_t pm = 0;
    ssize_t got = 0;
    for (;;) {
      char buf[sizeof(pid_t)];
      ssize_t n = read(3, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t i = 0; i < n && got < static_cast<ssize_t>(sizeof pm); ++i, ++got)
        reinterpret_cast<char*>(&pm)[got] = buf[i];
    }
    if (got == sizeof pm && pm > 0) {
      // The postmaster is not our child (pg_ctl daemonised it) and may linger as a zombie
      // nobody reaps, so "gone" also means: it removed its postmaster.pid.
      auto alive = [&] { return kill(pm, 0) == 0 && access(pid_file.c_str(), F_OK) == 0; };
      kill(pm, SIGQUIT);  // immediate shutdown: no checkpoint, the data is thrown away
      for (int i = 0; i < 300 && alive(); ++i) SleepMs(20);
      if (alive()) kill(pm, SIGKILL);
      for (int i = 0; i < 100 && kill(pm, 0) == 0 && access(pid_file.c_str(), F_OK) == 0; ++i)
        SleepMs(20);
    }
    execl("/bin/rm", "rm", "-rf", rm_dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  c->watchdog_ = wd;
  c->watchdog_pipe_ = fds[1];

  std::vector<std::string> as_owner;
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (!pw)
      return Status(Code::kUnavailable,
                    "running as root but there is no `postgres` user to run initdb as");
    if (chown(c->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return Status(Code::kInternal, "chown " + c->dir_ + " failed");
    as_owner = {"runuser", "-u", "postgres", "--"};
  }
  auto cmd = [&](std::vector<std::string> tail) {
    std::vector<std::string> argv = as_owner;
    argv.insert(argv.end(), tail.begin(), tail.end());
    return argv;
  };
  const std::string data = c->dir_ + "/data";
  const std::string log = c->dir_ + "/log";
  const std::string setup_log = c->dir_ + "/setup.log";
  if (geteuid() == 0) {
    // The log files are created by root; let the server user write them.
    for (const std::string& f : {log, setup_log}) {
      int fd = open(f.c_str(), O_WRONLY | O_CREAT, 0666);
      if (fd >= 0) close(fd);
      chmod(f.c_str(), 0666);
    }
  }
  HOTLINE_RETURN_IF_ERROR(
      RunCommand(cmd({bindir + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E",
                      "UTF8", "--locale=C.UTF-8", "--no-sync"}),
                 setup_log));
  std::string extra;
  for (const std::string& setting : settings) extra += " -c " + setting;
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    c->port_ = FreePort();
    started = RunCommand(
        cmd({bindir + "/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
             "-c listen_addresses=127.0.0.1 -p " + std::to_string(c->port_) +
                 " -c unix_socket_directories=" + c->dir_ +
                 " -c shared_buffers=32MB -c max_connections=200 -c synchronous_commit=on" + extra,
             "start"}),
        setup_log);
    if (started.ok()) break;
  }
  HOTLINE_RETURN_IF_ERROR(started);
  std::ifstream pidfile(data + "/postmaster.pid");
  long pid = 0;
  pidfile >> pid;
  if (pid <= 0) return Status(Code::kInternal, "no postmaster.pid in " + data);
  c->postmaster_ = static_cast<pid_t>(pid);
  pid_t pm = c->postmaster_;
  if (write(c->watchdog_pipe_, &pm, sizeof pm) != static_cast<ssize_t>(sizeof pm))
    return Status(Code::kInternal, "cannot arm the cluster watchdog");
  return c;
}

Result<TestCluster*> TestCluster::Shared() {
  static std::once_flag once;
  static std::unique_ptr<TestCluster> cluster;
  static Status error;
  std::call_once(once, [] {
    auto r = Start();
    if (r.ok())
      cluster = std::move(r).value();
    else
      error = r.status();
  });
  if (!cluster) return error;
  return cluster.get();
}

TestCluster::~TestCluster() { Stop(); }

void TestCluster::Stop() {
  // Closing the pipe tells the watchdog to stop the postmaster and remove the directory.
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);
  watchdog_pipe_ = -1;
  if (watchdog_ > 0) {
    int st = 0;
    while (waitpid(watchdog_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  watchdog_ = 0;
}

std::string TestCluster::ConnInfo(const std::string& dbname) const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=" + dbname;
}

std::string TestCluster::TcpConnInfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + dbname;
}

Result<std::string> TestCluster::CreateDatabase() {
  std::string name;
  {
    std::lock_guard lock(mu_);
    name = "hotline_test_" + std::to_string(++databases_);
  }
  PGconn* c = PQconnectdb(ConnInfo("postgres").c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    return Status(Code::kUnavailable, "cannot connect to the test cluster: " + Trim(msg));
  }
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  Status st;
  if (PQresultStatus(r) != PGRES_COMMAND_OK)
    st = Status(Code::kInternal, "CREATE DATABASE failed: " + Trim(PQresultErrorMessage(r)));
  PQclear(r);
  PQfinish(c);
  HOTLINE_RETURN_IF_ERROR(st);
  return ConnInfo(name);
}

}  // namespace hotline
