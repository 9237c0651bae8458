// Private: the batch's outgoing PUB messages (topic + body), topics and
// bodies each written back to back into a reused buffer, then sent in
// order. After warm-up a batch allocates nothing here. Bodies have their own
// buffer so encoders can write into its scratch tail in place (encode.h).
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
    entries_.push_back(Entry{topics_.size(), 0, 0, 0});
    return topics_;
  }
  ByteBuffer& body() {
    auto& e = entries_.back();
    e.topic_end = topics_.size();
    e.body = bodies_.size();
    return bodies_;
  }
  void commit() { entries_.back().body_end = bodies_.size(); }

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

  // The body of the last committed message.
  [[nodiscard]] std::string_view last_body() const {
    const auto& e = entries_.back();
    return bodies_.view().substr(e.body, e.body_end - e.body);
  }

  // Sends every message in order and empties the outbox. PUB never blocks:
  // past a subscriber's high-water mark it drops that subscriber's copy.
  void publish(zmq::socket_t& pub) {
    const char* topics = topics_.data();
    const char* bodies = bodies_.view().data();
    for (const auto& e : entries_) {
      const auto topic = pub.send(zmq::const_buffer(topics + e.topic, e.topic_end - e.topic),
                                  zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      if (!topic) continue;  // not sent: never send a body without its topic
      (void)pub.send(zmq::const_buffer(bodies + e.body, e.body_end - e.body), zmq::send_flags::dontwait);
    }
    entries_.clear();
    topics_.clear();
    bodies_.clear();
  }

 private:
  struct Entry {
    std::size_t topic;  // [topic, topic_end) in topics_
    std::size_t topic_end;
    std::size_t body;  // [body, body_end) in bodies_
    std::size_t body_end;
  };
  std::string topics_;
  ByteBuffer bodies_;
  std::vector<Entry> entries_;
};

}  // namespace opd::worker
