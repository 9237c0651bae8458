// Private: the batch's outgoing PUB messages (topic + body), encoded back to
// back into one reused buffer, then sent in order. After warm-up a batch
// allocates nothing here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "opd/worker/encode.h"

namespace opd::worker {

class Outbox {
 public:
  // A message is: topic(), append its topic to the string returned; body(),
  // encode its body into the buffer returned; commit().
  std::string& topic() {
    entries_.push_back(Entry{bytes_.size(), 0, 0});
    return bytes_.raw();
  }
  ByteBuffer& body() {
    entries_.back().body = bytes_.size();
    return bytes_;
  }
  void commit() { entries_.back().end = bytes_.size(); }

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

  // The body of the last committed message.
  [[nodiscard]] std::string_view last_body() const {
    const auto& e = entries_.back();
    return bytes_.view().substr(e.body, e.end - e.body);
  }

  // Sends every message in order and empties the outbox. PUB never blocks:
  // past a subscriber's high-water mark it drops that subscriber's copy.
  void publish(zmq::socket_t& pub) {
    const char* base = bytes_.view().data();
    for (const auto& e : entries_) {
      const auto topic = pub.send(zmq::const_buffer(base + e.topic, e.body - e.topic),
                                  zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      if (!topic) continue;  // not sent: never send a body without its topic
      (void)pub.send(zmq::const_buffer(base + e.body, e.end - e.body), zmq::send_flags::dontwait);
    }
    entries_.clear();
    bytes_.clear();
  }

 private:
  struct Entry {
    std::size_t topic;
    std::size_t body;
    std::size_t end;
  };
  ByteBuffer bytes_;
  std::vector<Entry> entries_;
};

}  // namespace opd::worker
