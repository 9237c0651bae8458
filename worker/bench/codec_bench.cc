// The wire codec alone, without the engine or sockets: nanoseconds to decode
// one realistic request frame, and to encode one request's result and board
// events. The request mix is worker_bench's (same seed), so the figures add
// up against its "cpu path" line.
//
// It also prints a digest of everything decoded and encoded: a codec change
// that must not alter behaviour or wire bytes must leave both digests as
// they were.
//
//   opd_codec_bench [REQUESTS] [ROUNDS] [decode|encode]   (defaults: 200000 5, both)
//
// Naming one side times only that side: for a profiler's view of it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "opd/core/engine.h"
#include "opd/worker/decode.h"
#include "opd/worker/encode.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kDoctors = 100;
constexpr int kSlotsPerDoctor = 8;
constexpr std::uint32_t kCapacity = 20;
constexpr std::uint64_t kRequestsPerDay = 40'000;

opd::Schedule make_schedule() {
  opd::Schedule schedule;
  for (int d = 0; d < kDoctors; ++d) {
    opd::ScheduleDoctor doctor{.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(d))};
    for (int s = 0; s < kSlotsPerDoctor; ++s)
      doctor.slots.push_back(opd::ScheduleSlot{
          .slot_id = opd::SlotId::from_trusted("D" + std::to_string(d) + "-S" + std::to_string(s)),
          .start = opd::ClockTime::from_minutes((9 + s) * 60),
          .end = opd::ClockTime::from_minutes((10 + s) * 60),
          .capacity = kCapacity});
    schedule.doctors.push_back(std::move(doctor));
  }
  return schedule;
}

// worker_bench's mix: allocations with preemption, cancels, call_next,
// complete / no_show and a new day every kRequestsPerDay, with token ids a
// reference engine really issued, packed as a kiosk would.
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
    } else if (outcome.result.status == opd::Status::kAllocated ||
               outcome.result.status == opd::Status::kReallocated) {
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

// FNV-1a: a digest to compare runs, not a security measure.
struct Digest {
  std::uint64_t value = 1469598103934665603ull;
  void add(std::string_view bytes) {
    for (const char c : bytes) value = (value ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    add_number(bytes.size());
  }
  void add_number(std::uint64_t n) {
    for (int i = 0; i < 8; ++i) value = (value ^ ((n >> (8 * i)) & 0xff)) * 1099511628211ull;
  }
  template <class Tag>
  void add(const std::optional<opd::Id<Tag>>& id) {
    id ? add(id->view()) : add_number(0xfeed);
  }
};

void add_decoded(Digest& d, const opd::worker::DecodedRequest& decoded) {
  d.add(decoded.error);
  d.add(decoded.client_id);
  d.add_number(decoded.type ? static_cast<std::uint64_t>(*decoded.type) : 99);
  d.add(decoded.request_id);
  if (!decoded.request) return;
  const opd::Request& r = *decoded.request;
  d.add_number(static_cast<std::uint64_t>(r.type));
  d.add(r.request_id.view());
  d.add(r.doctor_id);
  d.add(r.slot_id);
  d.add(r.token_id);
  d.add_number(r.source ? static_cast<std::uint64_t>(*r.source) : 99);
  d.add_number(r.capacity ? *r.capacity : 99999);
  d.add(r.patient_ref ? std::string_view(*r.patient_ref) : std::string_view("<none>"));
  d.add(r.start ? r.start->str() : "<none>");
  d.add(r.end ? r.end->str() : "<none>");
  d.add(r.date ? r.date->str() : "<none>");
}

// Best of `rounds` timings; 0 when not timed at all.
double best_of(int rounds, auto&& once) {
  if (rounds == 0) return 0;
  double best = 1e300;
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    once();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string only = argc > 3 ? argv[3] : "";
  if (total == 0 || rounds <= 0 || (only != "" && only != "decode" && only != "encode")) {
    std::fprintf(stderr, "usage: opd_codec_bench [REQUESTS] [ROUNDS] [decode|encode]\n");
    return 2;
  }
  const int decode_rounds = only == "encode" ? 0 : rounds;
  const int encode_rounds = only == "decode" ? 0 : rounds;
  // Back to back in one buffer, as the journal holds them at replay (and
  // unlike strings scattered over the heap, which would time cache misses).
  std::string journal;
  std::vector<std::string_view> frames;
  {
    const auto packed = make_requests(total);
    std::size_t bytes = 0;
    for (const auto& f : packed) bytes += f.size();
    journal.reserve(bytes);
    for (const auto& f : packed) journal += f;
    std::size_t at = 0;
    for (const auto& f : packed) {
      frames.push_back(std::string_view(journal).substr(at, f.size()));
      at += f.size();
    }
  }

  // The outcomes to encode, decided once by a fresh engine as the worker would.
  std::vector<opd::Outcome> outcomes;
  outcomes.reserve(frames.size());
  {
    opd::Engine engine(make_schedule());
    opd::worker::Decoder decoder;
    opd::worker::DecodedRequest decoded;
    for (const auto& f : frames) {
      decoder.request(f.data(), f.size(), decoded);
      if (decoded.request) outcomes.push_back(engine.apply(*decoded.request));
    }
  }
  std::size_t messages = 0;
  for (const auto& o : outcomes) messages += 1 + o.events.size();

  opd::worker::Decoder decoder;
  opd::worker::DecodedRequest decoded;
  Digest decode_digest;
  for (const auto& f : frames) {
    decoder.request(f.data(), f.size(), decoded);
    add_decoded(decode_digest, decoded);
  }
  std::size_t sink = 0;
  const double decode_s = best_of(decode_rounds, [&] {
    for (const auto& f : frames) {
      decoder.request(f.data(), f.size(), decoded);
      sink += decoded.request ? 1u : 0u;
    }
  });

  // Journal replay decodes each record into a fresh result, the live loop
  // into one it reuses: both are timed.
  const double fresh_s = best_of(decode_rounds, [&] {
    for (const auto& f : frames) {
      opd::worker::DecodedRequest fresh;
      decoder.request(f.data(), f.size(), fresh);
      sink += fresh.request ? 1u : 0u;
    }
  });

  opd::worker::ByteBuffer out;
  Digest encode_digest;
  std::uint64_t seq = 0;
  for (const auto& o : outcomes) {
    out.clear();
    for (const auto& e : o.events) opd::worker::encode_event(out, ++seq, e);
    opd::worker::encode_result(out, seq, o.result);
    encode_digest.add(out.view());
  }
  const double encode_s = best_of(encode_rounds, [&] {
    std::uint64_t s = 0;
    for (const auto& o : outcomes) {
      out.clear();
      for (const auto& e : o.events) opd::worker::encode_event(out, ++s, e);
      opd::worker::encode_result(out, s, o.result);
      sink += out.size();
    }
  });

  std::printf("%zu frames, %.0f bytes each on average; best of %d rounds\n", frames.size(),
              static_cast<double>(journal.size()) / static_cast<double>(frames.size()), rounds);
  if (decode_rounds > 0) {
    std::printf("decode: %7.1f ns/frame   (%.0f frames/s)   digest %016llx\n",
                1e9 * decode_s / static_cast<double>(frames.size()),
                static_cast<double>(frames.size()) / decode_s,
                static_cast<unsigned long long>(decode_digest.value));
    std::printf("decode into a fresh result (as replay does): %7.1f ns/frame\n",
                1e9 * fresh_s / static_cast<double>(frames.size()));
  }
  if (encode_rounds > 0)
    std::printf("encode: %7.1f ns/request, %.1f ns/message (%zu results + events)   digest %016llx\n",
                1e9 * encode_s / static_cast<double>(outcomes.size()),
                1e9 * encode_s / static_cast<double>(messages), messages,
                static_cast<unsigned long long>(encode_digest.value));
  return sink == 0 ? 1 : 0;
}
