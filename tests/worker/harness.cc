#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "opd/worker/logging.h"

namespace opd::worker::test {

// ---- MessagePack ----------------------------------------------------------

std::string Body::bytes() const {
  msgpack::sbuffer header;
  msgpack::packer<msgpack::sbuffer>(header).pack_map(count_);
  return std::string(header.data(), header.size()) + fields_.data;
}

View View::parse(std::string_view bytes) {
  auto handle = std::make_shared<msgpack::object_handle>(msgpack::unpack(bytes.data(), bytes.size()));
  const msgpack::object* object = &handle->get();
  return View(std::move(handle), object);
}

namespace {

[[noreturn]] void fail(const std::string& what, const View& view) {
  throw std::runtime_error(what + " in " + view.dump());
}

}  // namespace

bool View::has(std::string_view key) const {
  if (!is_map()) return false;
  const auto& map = object_->via.map;
  for (std::uint32_t i = 0; i < map.size; ++i) {
    const auto& k = map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key) return true;
  }
  return false;
}

View View::operator[](std::string_view key) const {
  if (!is_map()) fail("not a map looking up '" + std::string(key) + "'", *this);
  const auto& map = object_->via.map;
  for (std::uint32_t i = 0; i < map.size; ++i) {
    const auto& k = map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key)
      return View(owner_, &map.ptr[i].val);
  }
  fail("missing key '" + std::string(key) + "'", *this);
}

View View::at(std::size_t index) const {
  if (object_ == nullptr || object_->type != msgpack::type::ARRAY || index >= object_->via.array.size)
    fail("no element " + std::to_string(index), *this);
  return View(owner_, &object_->via.array.ptr[index]);
}

std::size_t View::size() const {
  if (object_ != nullptr && object_->type == msgpack::type::ARRAY) return object_->via.array.size;
  if (object_ != nullptr && object_->type == msgpack::type::MAP) return object_->via.map.size;
  fail("not an array or map", *this);
}

std::vector<std::string> View::keys() const {
  std::vector<std::string> out;
  if (!is_map()) return out;
  for (std::uint32_t i = 0; i < object_->via.map.size; ++i)
    out.push_back(object_->via.map.ptr[i].key.as<std::string>());
  return out;
}

bool View::is_nil() const { return object_ != nullptr && object_->type == msgpack::type::NIL; }
bool View::is_map() const { return object_ != nullptr && object_->type == msgpack::type::MAP; }

std::string View::str() const {
  if (object_ == nullptr || object_->type != msgpack::type::STR) fail("not a string", *this);
  return std::string(object_->via.str.ptr, object_->via.str.size);
}

std::uint64_t View::u64() const {
  if (object_ == nullptr || object_->type != msgpack::type::POSITIVE_INTEGER) fail("not an unsigned integer", *this);
  return object_->via.u64;
}

bool View::boolean() const {
  if (object_ == nullptr || object_->type != msgpack::type::BOOLEAN) fail("not a boolean", *this);
  return object_->via.boolean;
}

std::string View::dump() const {
  if (object_ == nullptr) return "<none>";
  std::ostringstream os;
  os << *object_;
  return os.str();
}

// ---- Schedules -------------------------------------------------------------

Schedule make_schedule(const std::vector<DoctorSpec>& doctors) {
  Schedule schedule;
  for (const auto& d : doctors) {
    ScheduleDoctor doctor{.doctor_id = DoctorId::from_trusted(d.doctor_id)};
    for (const auto& s : d.slots) {
      ScheduleSlot slot{.slot_id = SlotId::from_trusted(s.slot_id), .capacity = s.capacity};
      if (!s.start.empty()) slot.start = ClockTime::parse(s.start);
      if (!s.end.empty()) slot.end = ClockTime::parse(s.end);
      doctor.slots.push_back(std::move(slot));
    }
    schedule.doctors.push_back(std::move(doctor));
  }
  if (const auto problem = schedule.validate(); !problem.empty())
    throw std::invalid_argument("test schedule: " + problem);
  return schedule;
}

// ---- The worker ------------------------------------------------------------

ServiceConfig test_config() {
  ServiceConfig config;
  config.requests_endpoint = "inproc://requests";
  config.events_endpoint = "inproc://events";
  config.queries_endpoint = "inproc://queries";
  config.heartbeat_interval = 50ms;
  config.linger = 200ms;
  return config;
}

RunningWorker::RunningWorker(Schedule schedule, ServiceConfig config)
    : context_(std::make_unique<zmq::context_t>(1)),
      service_(std::make_unique<Service>(*context_, std::move(schedule), std::move(config))),
      finished_(std::make_shared<std::atomic<bool>>(false)) {
  thread_ = std::thread([service = service_.get(), finished = finished_] {
    try {
      service->run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "worker thread: run() threw: %s\n", e.what());
      std::abort();
    }
    finished->store(true);
  });
}

RunningWorker::~RunningWorker() { stop(); }

void RunningWorker::stop() {
  if (stopped_) return;
  stopped_ = true;
  service_->request_stop();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!finished_->load()) {
    if (std::chrono::steady_clock::now() > deadline) {
      // A worker that does not stop is a failed test; a hung test would be
      // worse, and the thread cannot be abandoned while it uses our context.
      std::fprintf(stderr, "worker did not stop within %lld ms\n", static_cast<long long>(kWait.count()));
      std::abort();
    }
    std::this_thread::sleep_for(1ms);
  }
  thread_.join();
}

// ---- Clients ---------------------------------------------------------------

Pusher::Pusher(zmq::context_t& context, const std::string& endpoint) : socket_(context, zmq::socket_type::push) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndtimeo, static_cast<int>(kWait.count()));
  socket_.connect(endpoint);
}

void Pusher::send_raw(std::string_view bytes) {
  if (!socket_.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none))
    throw std::runtime_error("push timed out");
}

void Pusher::send_frames(const std::vector<std::string>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    if (!socket_.send(zmq::const_buffer(frames[i].data(), frames[i].size()), flags))
      throw std::runtime_error("push timed out");
  }
}

Subscriber::Subscriber(zmq::context_t& context, const std::string& endpoint,
                       const std::vector<std::string>& topics, int rcvhwm)
    : socket_(context, zmq::socket_type::sub) {
  socket_.set(zmq::sockopt::linger, 0);
  if (rcvhwm > 0) socket_.set(zmq::sockopt::rcvhwm, rcvhwm);
  socket_.connect(endpoint);
  for (const auto& topic : topics) socket_.set(zmq::sockopt::subscribe, topic);
  socket_.set(zmq::sockopt::subscribe, "heartbeat/");
  // Subscriptions reach the PUB in order, so once a heartbeat arrives every
  // topic above is live too.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto p = receive(left.count() > 0 ? left : 0ms);
    if (!p) throw std::runtime_error("no heartbeat within the timeout: subscription not live");
    if (p->topic == "heartbeat/") break;
    early_.push_back(std::move(*p));
  }
}

std::optional<Published> Subscriber::next(std::chrono::milliseconds timeout, bool heartbeats) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::optional<Published> p;
    if (!early_.empty()) {
      p = std::move(early_.front());
      early_.pop_front();
    } else {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      p = receive(left.count() > 0 ? left : 0ms);
      if (!p) return std::nullopt;
    }
    if (!heartbeats && p->topic == "heartbeat/") continue;
    return p;
  }
}

std::optional<Published> Subscriber::receive(std::chrono::milliseconds timeout) {
  {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, timeout);
    if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
    zmq::message_t topic;
    zmq::message_t body;
    (void)socket_.recv(topic, zmq::recv_flags::none);
    if (!topic.more()) throw std::runtime_error("a PUB message without a body frame: " + topic.to_string());
    (void)socket_.recv(body, zmq::recv_flags::none);
    if (body.more()) throw std::runtime_error("a PUB message with more than two frames");
    return Published{topic.to_string(), View::parse(body.to_string_view())};
  }
}

Published Subscriber::expect(std::string_view prefix, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto p = next(left.count() > 0 ? left : 0ms, prefix.starts_with("heartbeat/"));
    if (!p) throw std::runtime_error("nothing on '" + std::string(prefix) + "' within the timeout");
    if (p->topic.starts_with(prefix)) return std::move(*p);
  }
}

std::vector<Published> Subscriber::drain(std::chrono::milliseconds quiet) {
  std::vector<Published> out;
  while (auto p = next(quiet)) out.push_back(std::move(*p));
  return out;
}

Querier::Querier(zmq::context_t& context, const std::string& endpoint, QueryClient kind)
    : context_(context), endpoint_(endpoint), kind_(kind) {}

View Querier::ask_raw(std::string_view body, std::chrono::milliseconds timeout) {
  // A fresh socket per question: a REQ that missed an answer is stuck in
  // its state machine, and the cost does not matter in tests.
  socket_ = std::make_unique<zmq::socket_t>(
      context_, kind_ == QueryClient::kReq ? zmq::socket_type::req : zmq::socket_type::dealer);
  auto& s = *socket_;
  s.set(zmq::sockopt::linger, 0);
  s.connect(endpoint_);
  if (kind_ == QueryClient::kDealerWithDelimiter) (void)s.send(zmq::const_buffer(), zmq::send_flags::sndmore);
  (void)s.send(zmq::const_buffer(body.data(), body.size()), zmq::send_flags::none);
  std::vector<zmq::message_t> frames;
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) throw std::runtime_error("no answer to the query within the timeout");
  do {
    frames.emplace_back();
    (void)s.recv(frames.back(), zmq::recv_flags::none);
  } while (frames.back().more());
  if (kind_ == QueryClient::kDealerWithDelimiter) {
    if (frames.size() != 2 || frames[0].size() != 0)
      throw std::runtime_error("DEALER answer is not [empty, body]: " + std::to_string(frames.size()) + " frames");
  } else if (frames.size() != 1) {
    throw std::runtime_error("answer has " + std::to_string(frames.size()) + " frames, expected 1");
  }
  return View::parse(frames.back().to_string_view());
}

// ---- Requests --------------------------------------------------------------

Body allocate(std::string request_id, std::string doctor_id, std::string source, std::string slot_id,
              std::string client_id) {
  Body body;
  body.set("type", "allocate").set("request_id", std::move(request_id)).set("doctor_id", std::move(doctor_id));
  body.set("source", std::move(source));
  if (!slot_id.empty()) body.set("slot_id", std::move(slot_id));
  if (!client_id.empty()) body.set("client_id", std::move(client_id));
  return body;
}

View round_trip(Pusher& pusher, Subscriber& subscriber, const Body& body, std::vector<Published>* events) {
  pusher.send(body);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto p = subscriber.next(left.count() > 0 ? left : 0ms);
    if (!p) throw std::runtime_error("no result within the timeout");
    if (p->topic.starts_with("result/")) return p->body;
    if (events) events->push_back(std::move(*p));
  }
}

// ---- Processes -------------------------------------------------------------

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "opd-worker-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string temp_file(const char* stem) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(stem) + "-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  return pattern;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv)
    : out_path_(temp_file("opd-child-out")), err_path_(temp_file("opd-child-err")) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The child starts with no signal blocked, whatever the test runner did.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int out = ::open(out_path_.c_str(), O_WRONLY | O_TRUNC);
    const int err = ::open(err_path_.c_str(), O_WRONLY | O_TRUNC);
    if (out < 0 || err < 0) ::_exit(126);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void ChildProcess::signal(int signal_number) { ::kill(pid_, signal_number); }

std::string ChildProcess::err_so_far() const { return read_file(err_path_); }

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  reaped_ = true;
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = read_file(out_path_);
  result.err = read_file(err_path_);
  return result;
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ChildProcess child(argv);
  return child.wait(timeout);
}

}  // namespace opd::worker::test
