#include "producer/tools/relay.h"

#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace opd::tools {
namespace {

constexpr std::size_t kMaxBatch = 4096;

}  // namespace

void run_relay(zmq::context_t& context, const std::string& requests, const std::string& events,
               const std::atomic<bool>& stop, std::atomic<bool>& ready, std::string* bound_requests,
               std::string* bound_events, std::atomic<std::uint64_t>* relayed) {
  zmq::socket_t pull(context, zmq::socket_type::pull);
  zmq::socket_t pub(context, zmq::socket_type::pub);
  pull.set(zmq::sockopt::rcvhwm, kRelayHwm);
  pull.set(zmq::sockopt::linger, 0);
  pub.set(zmq::sockopt::sndhwm, kRelayHwm);
  pub.set(zmq::sockopt::linger, 0);
  pull.bind(requests);
  pub.bind(events);
  if (bound_requests) *bound_requests = pull.get(zmq::sockopt::last_endpoint);
  if (bound_events) *bound_events = pub.get(zmq::sockopt::last_endpoint);
  ready.store(true);

  zmq::message_t frame;
  std::uint64_t count = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    std::array<zmq::pollitem_t, 1> items{{{pull.handle(), 0, ZMQ_POLLIN, 0}}};
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a stop signal: the loop condition decides
      throw;
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    for (std::size_t n = 0; n < kMaxBatch; ++n) {
      if (!pull.recv(frame, zmq::recv_flags::dontwait)) break;
      if (!pub.send(zmq::buffer(kRelayTopic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) continue;
      (void)pub.send(frame, zmq::send_flags::dontwait);
      ++count;
    }
    if (relayed) relayed->store(count, std::memory_order_relaxed);
  }
}

RelayThread::RelayThread(const std::string& requests, const std::string& events) {
  thread_ = std::thread([this, requests, events] {
    try {
      run_relay(context_, requests, events, stop_, ready_, &requests_, &events_, &relayed_);
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_.store(true);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!ready_.load() && !failed_.load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!ready_.load()) {
    stop_.store(true);
    thread_.join();
    throw std::runtime_error("the relay could not bind " + requests + " / " + events + ": " +
                             (error_.empty() ? std::string("timed out") : error_));
  }
}

RelayThread::~RelayThread() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

RelayBind::RelayBind(const std::string& worker_requests)
    : requests("tcp://127.0.0.1:*"), events("tcp://127.0.0.1:*") {
  if (!worker_requests.starts_with("ipc://")) return;
  const auto base = std::filesystem::temp_directory_path() / "opd-relay-XXXXXX";
  std::string templ = base.string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("cannot create a directory for the relay's ipc files");
  dir_ = templ;
  requests = "ipc://" + dir_ + "/requests";
  events = "ipc://" + dir_ + "/events";
}

RelayBind::~RelayBind() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace opd::tools
