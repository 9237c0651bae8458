#include "bench_requests.h"

#include <cstdio>
#include <random>
#include <utility>

#include <msgpack.hpp>

#include "opd/core/engine.h"

namespace opd::bench {

std::vector<std::string> make_requests(std::uint64_t total) {
  opd::Engine reference(make_schedule());
  std::mt19937_64 rng(42);
  auto below = [&rng](std::uint64_t n) { return rng() % n; };
  std::vector<std::string> live, called, out;
  out.reserve(total);
  int day = 0;
  for (std::uint64_t serial = 0; serial < total; ++serial) {
    opd::Request r;
    r.request_id = opd::RequestId::from_trusted("k" + std::to_string(serial % 50) + ":" + std::to_string(serial));
    const std::string doctor = "D" + std::to_string(below(kDoctors));
    const auto roll = below(100);
    if (serial % kRequestsPerDay == kRequestsPerDay - 1) {
      char date[16];
      ++day;
      std::snprintf(date, sizeof date, "2026-%02d-%02d", 1 + (day / 28) % 12, 1 + day % 28);
      r.type = opd::OpType::kOpenDay;
      r.date = opd::ServiceDate::parse(date);
    } else if (roll < 60) {
      r.doctor_id = opd::DoctorId::from_trusted(doctor);
      r.source = static_cast<opd::Source>(below(opd::kSourceCount));
      if (below(2) == 0) r.slot_id = opd::SlotId::from_trusted(doctor + "-S" + std::to_string(below(kSlotsPerDoctor)));
    } else if (roll < 70 && !live.empty()) {
      r.type = opd::OpType::kCancel;
      const auto pick = below(live.size());
      r.token_id = opd::TokenId::from_trusted(live[pick]);
      live[pick] = live.back();
      live.pop_back();
    } else if (roll < 88 || called.empty()) {
      r.type = opd::OpType::kCallNext;
      r.doctor_id = opd::DoctorId::from_trusted(doctor);
    } else {
      r.type = below(10) == 0 ? opd::OpType::kNoShow : opd::OpType::kComplete;
      r.token_id = opd::TokenId::from_trusted(called.back());
      called.pop_back();
    }
    const auto outcome = reference.apply(r);
    if (r.type == opd::OpType::kOpenDay) {
      live.clear();
      called.clear();
    } else if (outcome.result.status == opd::Status::kAllocated || outcome.result.status == opd::Status::kReallocated) {
      live.push_back(outcome.result.token_id->str());
    } else if (outcome.result.status == opd::Status::kCalled) {
      called.push_back(outcome.result.token_id->str());
    }

    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    std::vector<std::pair<std::string, std::string>> fields{
        {"type", std::string(opd::to_string(r.type))},
        {"request_id", r.request_id.str()},
        {"client_id", "k" + std::to_string(serial % 50)}};
    if (r.doctor_id) fields.emplace_back("doctor_id", r.doctor_id->str());
    if (r.slot_id) fields.emplace_back("slot_id", r.slot_id->str());
    if (r.source) fields.emplace_back("source", std::string(opd::to_string(*r.source)));
    if (r.token_id) fields.emplace_back("token_id", r.token_id->str());
    if (r.date) fields.emplace_back("date", r.date->str());
    pk.pack_map(static_cast<std::uint32_t>(fields.size()));
    for (const auto& [k, v] : fields) {
      pk.pack(k);
      pk.pack(v);
    }
    out.emplace_back(buffer.data(), buffer.size());
  }
  return out;
}

}  // namespace opd::bench
