// PUB topics of protocol v1. Every topic ends with '/', so a prefix
// subscription is exact: "doctor/D1/" never matches "doctor/D10/". Ids
// cannot contain '/' (the id rule), so a topic names exactly one id.
#pragma once

#include <string>
#include <string_view>

namespace opd::worker {

inline constexpr std::string_view kResultTopicPrefix = "result/";  // + client_id + "/"
inline constexpr std::string_view kDoctorTopicPrefix = "doctor/";  // + doctor_id + "/"
inline constexpr std::string_view kHeartbeatTopic = "heartbeat/";

// Appends "result/<client_id>/" ("result//" for an empty client_id).
inline void append_result_topic(std::string& out, std::string_view client_id) {
  out.append(kResultTopicPrefix).append(client_id).push_back('/');
}

// Appends "doctor/<doctor_id>/".
inline void append_doctor_topic(std::string& out, std::string_view doctor_id) {
  out.append(kDoctorTopicPrefix).append(doctor_id).push_back('/');
}

[[nodiscard]] inline std::string result_topic(std::string_view client_id) {
  std::string topic;
  append_result_topic(topic, client_id);
  return topic;
}

[[nodiscard]] inline std::string doctor_topic(std::string_view doctor_id) {
  std::string topic;
  append_doctor_topic(topic, doctor_id);
  return topic;
}

}  // namespace opd::worker
