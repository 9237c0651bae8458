#include "opd/core/outcome_ref.h"

namespace opd {
namespace {
template <class Id>
IdRef ref_or_empty(const std::optional<Id>& id) noexcept {
  return id ? id->ref() : IdRef();
}
}  // namespace

ResultRef ref_of(const Result& result) noexcept {
  ResultRef r;
  r.type = result.type;
  r.status = result.status;
  r.code = result.code;
  r.duplicate = result.duplicate;
  r.request_id = result.request_id.ref();
  r.reason = result.reason;
  r.token_id = ref_or_empty(result.token_id);
  r.token_number = result.token_number;
  r.source = result.source;
  r.doctor_id = ref_or_empty(result.doctor_id);
  r.slot_id = ref_or_empty(result.slot_id);
  r.removed_token = ref_or_empty(result.removed_token);
  if (result.moved_to) r.moved_to = result.moved_to->slot ? result.moved_to->slot->ref() : IdRef::waitlist();
  r.alternative_slot = ref_or_empty(result.alternative_slot);
  r.ahead = result.ahead;
  r.capacity = result.capacity;
  if (result.date || result.report) r.day_opened = &result;
  return r;
}

EventRef ref_of(const BoardEvent& event) noexcept {
  EventRef e;
  e.kind = event.kind;
  e.doctor_id = event.doctor_id.ref();
  e.version = event.version;
  e.token_id = ref_or_empty(event.token_id);
  e.token_number = event.token_number;
  e.source = event.source;
  e.slot_id = ref_or_empty(event.slot_id);
  e.from_slot = ref_or_empty(event.from_slot);
  e.to_slot = ref_or_empty(event.to_slot);
  e.capacity = event.capacity;
  e.date = event.date ? &*event.date : nullptr;
  return e;
}

}  // namespace opd
