#include "opd/worker/schedule_json.h"

#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>
#include <set>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "opd/core/request.h"

namespace opd::worker {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxScheduleBytes = 16 * 1024 * 1024;

// --- Pass 1: syntax, duplicate keys, and the line of every value --------
//
// nlohmann's DOM keeps no positions and silently lets a duplicate key win,
// so a SAX pass over an iterator that reports where the lexer is records
// the line of each value by its path ("doctors[0].slots[1].capacity").

struct TrackingIterator {
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* at = nullptr;
  const char** cursor = nullptr;  // the last character the lexer read

  reference operator*() const {
    *cursor = at;
    return *at;
  }
  TrackingIterator& operator++() {
    ++at;
    return *this;
  }
  TrackingIterator operator++(int) {
    auto copy = *this;
    ++at;
    return copy;
  }
  friend bool operator==(const TrackingIterator& a, const TrackingIterator& b) { return a.at == b.at; }
};

struct Position {
  int line = 1;
  int column = 1;
};

Position position_at(std::string_view text, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

class LineRecorder : public nlohmann::json_sax<json> {
 public:
  explicit LineRecorder(std::string_view text) : text_(text), counted_(text.data()) {}

  const char* cursor = nullptr;
  std::map<std::string, int> lines;  // path -> line of its value
  std::string error;                 // first syntax or duplicate-key problem, with line

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool string(string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool start_object(std::size_t) override {
    begin_value();
    frames_.push_back(Frame{.is_array = false});
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    end_value();
    return true;
  }
  bool start_array(std::size_t) override {
    begin_value();
    frames_.push_back(Frame{.is_array = true});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    end_value();
    return true;
  }
  bool key(string_t& k) override {
    auto& frame = frames_.back();
    if (!frame.keys.insert(k).second) {
      error = std::to_string(line_now()) + ": " + join(path(), k) + ": duplicate key '" + k + "'";
      return false;
    }
    frame.key = k;
    return true;
  }
  bool parse_error(std::size_t offset, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // offset counts characters read, so the culprit is the one before it.
    const auto p = position_at(text_, offset == 0 ? 0 : offset - 1);
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
    if (const auto at = what.find("column "); at != std::string::npos)
      if (const auto colon = what.find(": ", at); colon != std::string::npos) what.erase(0, colon + 2);
    error = std::to_string(p.line) + ":" + std::to_string(p.column) + ": invalid JSON: " + what;
    return false;
  }

 private:
  struct Frame {
    bool is_array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  static std::string join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }

  // The path of the container on top of the stack: every frame below it
  // contributes the member or element being read.
  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const auto& f = frames_[i];
      p = f.is_array ? p + "[" + std::to_string(f.index) + "]" : join(p, f.key);
    }
    return p;
  }

  std::string value_path() const {
    if (frames_.empty()) return {};
    const auto& top = frames_.back();
    const std::string parent = path();
    return top.is_array ? parent + "[" + std::to_string(top.index) + "]" : join(parent, top.key);
  }

  int line_now() {
    const char* until = cursor ? cursor : text_.data();
    for (; counted_ < until; ++counted_)
      if (*counted_ == '\n') ++line_;
    return line_;
  }

  void begin_value() { lines.emplace(value_path(), line_now()); }
  void end_value() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }
  bool scalar() {
    begin_value();
    end_value();
    return true;
  }

  std::string_view text_;
  const char* counted_;
  int line_ = 1;
  std::vector<Frame> frames_;
};

// --- Pass 2: shape and values ---------------------------------------------

struct Fail {
  std::string path;
  std::string message;
};

class Reader {
 public:
  explicit Reader(const std::map<std::string, int>& lines) : lines_(lines) {}

  std::optional<Schedule> read(const json& root) {
    if (!root.is_object()) return fail("", "the schedule must be a JSON object with a 'doctors' array");
    if (!only_keys(root, "", {"description", "doctors"})) return std::nullopt;
    if (root.contains("description") && !root["description"].is_string())
      return fail("description", "must be a string");
    if (!root.contains("doctors")) return fail("", "missing key 'doctors'");
    const json& doctors = root["doctors"];
    if (!doctors.is_array()) return fail("doctors", "must be an array");
    Schedule schedule;
    for (std::size_t d = 0; d < doctors.size(); ++d) {
      const std::string at = "doctors[" + std::to_string(d) + "]";
      const json& doctor = doctors[d];
      if (!doctor.is_object()) return fail(at, "must be an object with 'doctor_id' and 'slots'");
      if (!only_keys(doctor, at, {"doctor_id", "slots"})) return std::nullopt;
      auto id = read_id<DoctorId>(doctor, at, "doctor_id");
      if (!id) return std::nullopt;
      ScheduleDoctor out{.doctor_id = std::move(*id)};
      if (!doctor.contains("slots")) return fail(at, "missing key 'slots'");
      const json& slots = doctor["slots"];
      if (!slots.is_array()) return fail(at + ".slots", "must be an array");
      for (std::size_t s = 0; s < slots.size(); ++s) {
        auto slot = read_slot(slots[s], at + ".slots[" + std::to_string(s) + "]");
        if (!slot) return std::nullopt;
        out.slots.push_back(std::move(*slot));
      }
      schedule.doctors.push_back(std::move(out));
    }
    return schedule;
  }

  std::optional<Fail> failure;

 private:
  std::nullopt_t fail(std::string path, std::string message) {
    failure = Fail{std::move(path), std::move(message)};
    return std::nullopt;
  }

  bool only_keys(const json& object, const std::string& at, std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : object.items()) {
      bool known = false;
      for (const auto k : keys) known = known || key == k;
      if (!known) {
        std::string expected;
        for (const auto k : keys) expected += (expected.empty() ? "'" : ", '") + std::string(k) + "'";
        fail(at.empty() ? key : at + "." + key, "unknown key (expected " + expected + ")");
        return false;
      }
    }
    return true;
  }

  template <class IdType>
  std::optional<IdType> read_id(const json& object, const std::string& at, const std::string& key) {
    const std::string path = at + "." + key;
    if (!object.contains(key)) return fail(at, "missing key '" + key + "'");
    const json& value = object[key];
    if (!value.is_string()) return fail(path, "must be a string");
    auto id = IdType::parse(value.get_ref<const std::string&>());
    if (!id) return fail(path, "'" + value.get<std::string>() + "' breaks the id rule (1-64 characters of A-Z a-z 0-9 . _ : -)");
    return id;
  }

  std::optional<ClockTime> read_time(const json& slot, const std::string& at, const std::string& key,
                                     bool& ok) {
    ok = true;
    if (!slot.contains(key)) return std::nullopt;
    const json& value = slot[key];
    std::optional<ClockTime> time;
    if (value.is_string()) time = ClockTime::parse(value.get_ref<const std::string&>());
    if (!time) {
      ok = false;
      return fail(at + "." + key, "must be a time \"HH:MM\" (00:00 to 23:59)");
    }
    return time;
  }

  std::optional<ScheduleSlot> read_slot(const json& slot, const std::string& at) {
    if (!slot.is_object()) return fail(at, "must be an object with 'slot_id' and 'capacity'");
    if (!only_keys(slot, at, {"slot_id", "start", "end", "capacity"})) return std::nullopt;
    auto id = read_id<SlotId>(slot, at, "slot_id");
    if (!id) return std::nullopt;
    ScheduleSlot out{.slot_id = std::move(*id)};
    bool ok = true;
    out.start = read_time(slot, at, "start", ok);
    if (!ok) return std::nullopt;
    out.end = read_time(slot, at, "end", ok);
    if (!ok) return std::nullopt;
    if (!slot.contains("capacity")) return fail(at, "missing key 'capacity'");
    const json& capacity = slot["capacity"];
    if (!capacity.is_number_integer() || capacity.get<std::int64_t>() < 0 ||
        capacity.get<std::int64_t>() > std::int64_t{kMaxSlotCapacity})
      return fail(at + ".capacity", "must be a whole number from 0 to " +
                                        std::to_string(kMaxSlotCapacity) + ", got " + capacity.dump());
    out.capacity = static_cast<std::uint32_t>(capacity.get<std::int64_t>());
    return out;
  }

  const std::map<std::string, int>& lines_;
};

std::string locate(std::string_view origin, const std::map<std::string, int>& lines,
                   const std::string& path, const std::string& message) {
  // The value's own line, else its nearest recorded ancestor's.
  std::string probe = path;
  std::optional<int> line;
  while (true) {
    if (const auto it = lines.find(probe); it != lines.end()) {
      line = it->second;
      break;
    }
    const auto cut = probe.find_last_of(".[");
    if (cut == std::string::npos) break;
    probe.resize(cut);
  }
  std::string out(origin);
  if (line) out += ":" + std::to_string(*line);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

}  // namespace

ScheduleLoad parse_schedule_json(std::string_view text, std::string_view origin) {
  ScheduleLoad load;
  LineRecorder recorder(text);
  TrackingIterator first{text.data(), &recorder.cursor};
  TrackingIterator last{text.data() + text.size(), &recorder.cursor};
  const bool parsed = json::sax_parse(first, last, &recorder);
  if (!parsed || !recorder.error.empty()) {
    load.error = std::string(origin) + ":" +
                 (recorder.error.empty() ? std::string(" invalid JSON") : recorder.error);
    return load;
  }
  const json root = json::parse(text.begin(), text.end());
  Reader reader(recorder.lines);
  auto schedule = reader.read(root);
  if (!schedule) {
    load.error = locate(origin, recorder.lines, reader.failure->path, reader.failure->message);
    return load;
  }
  // The core's own rules (duplicate ids, start before end, reserved names):
  // its message starts with the path, "doctors[1].slots[0]: ...".
  if (const std::string problem = schedule->validate(); !problem.empty()) {
    const auto colon = problem.find(": ");
    if (colon != std::string::npos && problem.starts_with("doctors"))
      load.error = locate(origin, recorder.lines, problem.substr(0, colon), problem.substr(colon + 2));
    else
      load.error = std::string(origin) + ": " + problem;
    return load;
  }
  load.schedule = std::move(schedule);
  return load;
}

ScheduleLoad load_schedule_file(const std::string& path) {
  auto failed = [&path](int error) {
    return ScheduleLoad{.error = "cannot read schedule file '" + path + "': " + std::strerror(error)};
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(errno);
  std::string text;
  char chunk[65536];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return failed(error);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > kMaxScheduleBytes) {
      ::close(fd);
      return ScheduleLoad{.error = path + ": larger than " + std::to_string(kMaxScheduleBytes) +
                                   " bytes, not a schedule"};
    }
  }
  ::close(fd);
  return parse_schedule_json(text, path);
}

}  // namespace opd::worker
