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

#include "bench_requests.h"
#include "opd/core/engine.h"
#include "opd/worker/decode.h"
#include "opd/worker/encode.h"

namespace {

using Clock = std::chrono::steady_clock;

using opd::bench::make_requests;
using opd::bench::make_schedule;

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
