// opd-display: a waiting-room board for one or more doctors, kept in step
// with the worker by the Clone pattern: subscribe first, then snapshot,
// apply events by version, re-snapshot on a gap, a new day, or a restarted
// worker (its heartbeat's start_id changes).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "producer/tools/board.h"
#include "producer/tools/board_view.h"
#include "producer/tools/cli.h"
#include "producer/tools/client.h"

namespace opd::tools {
namespace {

constexpr std::string_view kHelp = R"(Usage: opd-display [OPTION]...
A terminal waiting-room board: for each doctor, now serving, the next tokens
of each slot in service order, the waitlist and recent moves, the time of the
last update, and a clear CONNECTION LOST state when the worker's heartbeats
stop. Fits an 80x24 terminal.

It subscribes to the doctors' board events and the heartbeat, then takes a
snapshot over the query socket, drops events the snapshot already holds
(version <= the snapshot's) and applies the rest in version order. It takes a
new snapshot when a version is skipped (events lost), a new day opens, the
heartbeats resume after a loss, or the worker restarts; and, to catch events
lost with nothing after them, when a heartbeat shows the worker has applied
requests the board does not reflect (a check: silent when nothing was missed).

  --doctor ID        a doctor to show; repeat, or separate with commas
                     [every doctor with slots, from the worker's report]
  --plain            one line per change instead of a screen (for logs), e.g.
                     10:42:13 D1 v12 serving #3 | D1-0900 cap 4: #1+ #2- #3* #4
                       | D1-1000 cap 4: #5 | waitlist: #9   (on one line)
                     marks: * called, + completed, - no-show, none waiting;
                     and lines for "connected", "connection lost",
                     "connection restored", "worker restarted", "resync"
  --json             like --plain, but each line a JSON object: {"kind":"board",
                     "board":{..the snapshot's shape..}}, {"kind":"connection",
                     "state":"lost"|"live"}, {"kind":"resync","doctor_id":..,
                     "reason":..}, {"kind":"restart","start_id":..},
                     {"kind":"unavailable","doctor_id":..,"reason":..}
  --stale-after S    heartbeat silence that means the connection is lost [3]
  --rcvhwm N         SUB high-water mark; a display further behind loses events
                     (and recovers with a snapshot)              [10000]
  --duration S       exit after S seconds (default: until Ctrl-C / SIGTERM)
  -h, --help         this text
)";

constexpr std::string_view kExitHelp = R"(
--requests is accepted for symmetry with the other tools and not used.
Exit status: 0 stopped by a signal or --duration; 2 usage error; 3 no doctor
given and the worker did not answer the report query to list them.
)";

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

enum class Mode { kScreen, kPlain, kJson };

std::string clock_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &tm);
  return text;
}

struct DoctorState {
  std::string id;
  std::optional<BoardView> board;
  bool need_snapshot = true;
  // The snapshot due is a check (the heartbeat says the worker moved on):
  // if it shows the same version, nothing was missed and nothing is printed.
  bool verify = false;
  std::string unavailable;  // why there is no board (unknown doctor, ...)
  std::vector<json> buffered;  // events received while a snapshot is due
};

class Display {
 public:
  Display(ConnectOptions connect, std::vector<std::string> doctors, Mode mode,
          std::chrono::milliseconds stale_after, int rcvhwm)
      : connect_(std::move(connect)), mode_(mode), stale_after_(stale_after) {
    for (auto& id : doctors) doctors_.push_back(DoctorState{.id = std::move(id)});
    sub_.set(zmq::sockopt::rcvhwm, rcvhwm);
    sub_.set(zmq::sockopt::linger, 0);
    // Subscribe before the first snapshot: an event published between the
    // two is then either in the snapshot or delivered after it.
    sub_.set(zmq::sockopt::subscribe, "heartbeat/");
    for (const auto& d : doctors_) sub_.set(zmq::sockopt::subscribe, "doctor/" + d.id + "/");
    connect_endpoint(sub_, connect_.endpoints.events);
    last_heartbeat_ = Clock::now();
  }

  int run(std::optional<std::chrono::milliseconds> duration) {
    const auto started = Clock::now();
    if (mode_ == Mode::kScreen) std::cout << "\x1b[?25l" << std::flush;  // hide the cursor
    Clock::time_point next_draw = started;
    while (!g_stop.load()) {
      const auto now = Clock::now();
      if (duration && now - started >= *duration) break;
      take_snapshots(now);
      poll(std::chrono::milliseconds(100));
      check_heartbeat(Clock::now());
      if (mode_ == Mode::kScreen && (dirty_ || Clock::now() >= next_draw)) {
        draw();
        dirty_ = false;
        next_draw = Clock::now() + std::chrono::seconds(1);
      }
    }
    if (mode_ == Mode::kScreen) std::cout << "\x1b[?25h\n" << std::flush;
    return kExitOk;
  }

 private:
  void say(const json& json_line, const std::string& plain) {
    if (mode_ == Mode::kJson) std::cout << json_line.dump() << std::endl;
    else if (mode_ == Mode::kPlain) std::cout << clock_now() << " " << plain << std::endl;
    else note_ = plain;
    dirty_ = true;
  }

  void changed(const DoctorState& d) {
    updated_ = clock_now();
    dirty_ = true;
    if (mode_ == Mode::kJson)
      std::cout << json{{"kind", "board"}, {"board", board_to_json(*d.board)}}.dump() << std::endl;
    else if (mode_ == Mode::kPlain)
      std::cout << updated_ << " " << plain_line(*d.board) << std::endl;
  }

  void resync(DoctorState& d, const std::string& reason) {
    d.need_snapshot = true;
    say(json{{"kind", "resync"}, {"doctor_id", d.id}, {"reason", reason}}, d.id + " resync: " + reason);
  }

  void take_snapshots(Clock::time_point now) {
    if (now < next_snapshot_try_) return;
    bool failed = false;
    for (auto& d : doctors_) {
      if (!d.need_snapshot) continue;
      const auto answer = query_once(connect_.endpoints.queries, json{{"type", "snapshot"}, {"doctor_id", d.id}},
                                     connect_.timeout, connect_.endpoints.curve);
      if (!answer) {
        failed = true;
        break;  // the worker is not answering; the others would wait too
      }
      std::string error;
      auto board = board_from_snapshot(*answer, &error);
      if (!board) {
        if (d.unavailable != error) {
          d.unavailable = error;
          say(json{{"kind", "unavailable"}, {"doctor_id", d.id}, {"reason", error}}, d.id + " unavailable: " + error);
        }
        failed = true;
        continue;
      }
      d.unavailable.clear();
      const bool verify = d.verify && d.board && d.buffered.empty();
      d.verify = false;
      d.need_snapshot = false;
      if (verify && board->version == d.board->version) {
        d.board->seq = std::max(d.board->seq, board->seq);
        continue;
      }
      if (verify)
        say(json{{"kind", "resync"}, {"doctor_id", d.id},
                 {"reason", "behind: board at v" + std::to_string(d.board->version) + ", the worker's at v" +
                                std::to_string(board->version)}},
            d.id + " resync: behind: board at v" + std::to_string(d.board->version) + ", the worker's at v" +
                std::to_string(board->version));
      // Moves are screen history: keep them across a resync.
      if (d.board) board->recent_moves = d.board->recent_moves;
      d.board = std::move(*board);
      std::vector<json> buffered = std::move(d.buffered);
      d.buffered.clear();
      changed(d);
      for (const auto& event : buffered) apply(d, event);
    }
    // Retry failed snapshots once a second, not in a tight loop.
    next_snapshot_try_ = failed ? now + std::chrono::seconds(1) : now;
  }

  void apply(DoctorState& d, const json& event) {
    if (d.need_snapshot) {
      // Bounded: a display far behind drops the backlog and relies on the snapshot.
      if (d.buffered.size() < 100'000) d.buffered.push_back(event);
      return;
    }
    std::string why;
    switch (apply_event(*d.board, event, &why)) {
      case ApplyResult::kApplied:
        changed(d);
        return;
      case ApplyResult::kStale:
        return;
      case ApplyResult::kGap:
      case ApplyResult::kResync:
        resync(d, why);
        d.buffered.push_back(event);
        return;
    }
  }

  void poll(std::chrono::milliseconds wait) {
    std::array<zmq::pollitem_t, 1> items{{{sub_.handle(), 0, ZMQ_POLLIN, 0}}};
    try {
      zmq::poll(items.data(), items.size(), wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return;
      throw;
    }
    zmq::message_t topic;
    zmq::message_t body;
    for (int n = 0; n < 10'000 && sub_.recv(topic, zmq::recv_flags::dontwait); ++n) {
      bool have_body = false;
      for (bool more = topic.more(); more;) {
        zmq::message_t part;
        if (!sub_.recv(part, zmq::recv_flags::dontwait)) break;
        more = part.more();
        if (!have_body) body = std::move(part);
        have_body = true;
      }
      if (!have_body) continue;
      const auto map = from_msgpack(body.data(), body.size());
      if (!map) continue;
      const std::string name = topic.to_string();
      if (name == "heartbeat/") {
        on_heartbeat(*map);
        continue;
      }
      for (auto& d : doctors_)
        if (name == "doctor/" + d.id + "/") apply(d, *map);
    }
  }

  void on_heartbeat(const json& beat) {
    last_heartbeat_ = Clock::now();
    const std::string start_id = string_field(beat, "start_id").value_or("");
    const std::uint64_t seq = unsigned_field(beat, "seq").value_or(0);
    if (start_id_.empty() && !lost_)
      say(json{{"kind", "connection"}, {"state", "live"}, {"start_id", start_id}},
          "connected (worker start id " + start_id + ")");
    if (lost_) {
      lost_ = false;
      say(json{{"kind", "connection"}, {"state", "live"}, {"start_id", start_id}}, "connection restored");
      // Events may have been published while we heard nothing.
      for (auto& d : doctors_) {
        d.need_snapshot = true;
        d.verify = false;
      }
    }
    if (!start_id_.empty() && start_id != start_id_) {
      say(json{{"kind", "restart"}, {"start_id", start_id}}, "worker restarted (start id " + start_id + ")");
      for (auto& d : doctors_) {
        d.need_snapshot = true;
        d.verify = false;
      }
    }
    start_id_ = start_id;
    // A version gap only shows when a later event arrives. Events lost with
    // nothing after them (a snapshot taken before our subscription was in
    // effect, a burst dropped at the tail) would leave the board stale for
    // good; the heartbeat's seq reveals them: when the worker has applied
    // requests after the last one the board reflects, check with a
    // snapshot. At most one check per doctor per heartbeat, none when idle.
    for (auto& d : doctors_)
      if (d.board && !d.need_snapshot && seq > d.board->seq) {
        d.need_snapshot = true;
        d.verify = true;
      }
  }

  void check_heartbeat(Clock::time_point now) {
    if (lost_ || now - last_heartbeat_ < stale_after_) return;
    lost_ = true;
    const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - last_heartbeat_).count();
    say(json{{"kind", "connection"}, {"state", "lost"}},
        "connection lost (no heartbeat for " + std::to_string(silent) + " s)");
  }

  void draw() {
    std::size_t width = 80;
    std::size_t height = 24;
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40 && size.ws_row >= 10) {
      width = std::min<std::size_t>(size.ws_col, 120);
      height = size.ws_row;
    }
    std::vector<const BoardView*> boards;
    std::vector<std::string> unavailable;
    for (const auto& d : doctors_) {
      if (d.board) boards.push_back(&*d.board);
      else unavailable.push_back("DOCTOR " + d.id + ": " + (d.unavailable.empty() ? "waiting for the worker" : d.unavailable));
    }
    ScreenStatus status{.updated = updated_, .lost = lost_, .note = note_};
    if (lost_) {
      const auto silent = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - last_heartbeat_).count();
      status.note = "CONNECTION LOST: no heartbeat for " + std::to_string(silent) + " s; board may be out of date";
    }
    std::ostringstream out;
    out << "\x1b[H\x1b[2J";
    const auto lines = screen_lines(boards, unavailable, status, width, height);
    for (std::size_t i = 0; i < lines.size(); ++i) out << lines[i] << (i + 1 < lines.size() ? "\n" : "");
    std::cout << out.str() << std::flush;
  }

  ConnectOptions connect_;
  Mode mode_;
  std::chrono::milliseconds stale_after_;
  zmq::context_t context_{1};
  zmq::socket_t sub_{context_, zmq::socket_type::sub};
  std::vector<DoctorState> doctors_;
  Clock::time_point last_heartbeat_;
  Clock::time_point next_snapshot_try_{};
  std::string start_id_;
  bool lost_ = false;
  bool dirty_ = true;
  std::string updated_;
  std::string note_;
};

}  // namespace

int display_main(int argc, char** argv) {
  ArgReader args(argv + 1, argv + argc);
  ConnectOptions connect;
  connect.timeout = std::chrono::milliseconds(1000);
  std::vector<std::string> doctors;
  Mode mode = ::isatty(STDOUT_FILENO) ? Mode::kScreen : Mode::kPlain;
  bool mode_given = false;
  std::chrono::milliseconds stale_after{3000};
  int rcvhwm = 10'000;
  std::optional<std::chrono::milliseconds> duration;
  while (auto flag = args.next()) {
    const std::string& name = *flag;
    if (name == "--help") {
      std::cout << kHelp << connect_flags_help() << kExitHelp;
      return kExitOk;
    }
    if (args.connect_flag(name, connect)) continue;
    if (name == "--doctor") {
      std::stringstream list(args.value());
      for (std::string id; std::getline(list, id, ',');) {
        if (!is_valid_id(id)) throw UsageError("option '--doctor': '" + id + "' is not a valid doctor id");
        if (std::find(doctors.begin(), doctors.end(), id) == doctors.end()) doctors.push_back(id);
      }
    } else if (name == "--plain" || name == "--json") {
      if (mode_given) throw UsageError("give --plain or --json, not both");
      mode_given = true;
      mode = name == "--plain" ? Mode::kPlain : Mode::kJson;
    } else if (name == "--stale-after") {
      stale_after = std::chrono::milliseconds(static_cast<std::int64_t>(args.double_value(0.1, 3600) * 1000));
    } else if (name == "--rcvhwm") {
      rcvhwm = static_cast<int>(args.unsigned_value(1, 100'000'000));
    } else if (name == "--duration") {
      duration = std::chrono::milliseconds(static_cast<std::int64_t>(args.double_value(0.001, 1e7) * 1000));
    } else {
      throw UsageError("unknown option '" + name + "'");
    }
  }
  if (doctors.empty()) {
    const auto answer = query_once(connect.endpoints.queries, json{{"type", "report"}},
                                   connect.timeout * (connect.retries + 1), connect.endpoints.curve);
    if (!answer) {
      std::cerr << "opd-display: no answer from " << connect.endpoints.queries
                << " to list the doctors; is the worker running? (or pass --doctor ID)\n";
      return kExitUnreachable;
    }
    if (const auto report = answer->find("report"); report != answer->end() && report->contains("doctors"))
      for (const auto& d : (*report)["doctors"])
        if (const auto id = string_field(d, "doctor_id"); id && d.contains("slots") && !d["slots"].empty())
          doctors.push_back(*id);
    if (doctors.empty()) {
      std::cerr << "opd-display: the worker has no doctor with slots; pass --doctor ID\n";
      return kExitUsage;
    }
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  Display display(connect, doctors, mode, stale_after, rcvhwm);
  return display.run(duration);
}

}  // namespace opd::tools

int main(int argc, char** argv) {
  try {
    return opd::tools::display_main(argc, argv);
  } catch (const opd::tools::UsageError& e) {
    std::cerr << "opd-display: " << e.what() << "\nTry 'opd-display --help'.\n";
    return opd::tools::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "opd-display: " << e.what() << "\n";
    return opd::tools::kExitFailed;
  }
}
