// Roles: the permission table of issue 6, written out here independently of
// the code, and the journal's role byte.
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "opd/worker/security/roles.h"

using namespace opd;
using namespace opd::worker::security;

namespace {

const std::vector<OpType> kAllOps = {OpType::kAllocate, OpType::kCancel,  OpType::kCallNext, OpType::kComplete,
                                     OpType::kNoShow,   OpType::kSetCapacity, OpType::kOpenDay};

}  // namespace

TEST_CASE("each role may do exactly what the issue lists", "[security][roles]") {
  REQUIRE(kAllOps.size() == static_cast<std::size_t>(kOpTypeCount));
  const std::map<Role, std::set<OpType>> allowed = {
      {Role::kKiosk, {OpType::kAllocate, OpType::kCancel}},
      {Role::kDesk,
       {OpType::kAllocate, OpType::kCancel, OpType::kCallNext, OpType::kComplete, OpType::kNoShow}},
      {Role::kAdmin, {kAllOps.begin(), kAllOps.end()}},
      // Without CURVE the worker cannot tell anyone apart: development only.
      {Role::kOpen, {kAllOps.begin(), kAllOps.end()}},
      {Role::kNone, {}},
      // Waiting-room displays: queries only.
      {Role::kDisplay, {}},
  };
  for (const auto& [role, ops] : allowed) {
    for (const OpType op : kAllOps) {
      INFO(to_string(role) << " " << to_string(op));
      CHECK(permits(role, op) == ops.contains(op));
    }
  }
}

TEST_CASE("the role byte round-trips and unknown bytes are refused", "[security][roles]") {
  // The values are written into journals: they must never change.
  CHECK(role_to_byte(Role::kOpen) == 0);
  CHECK(role_to_byte(Role::kKiosk) == 1);
  CHECK(role_to_byte(Role::kDesk) == 2);
  CHECK(role_to_byte(Role::kAdmin) == 3);
  CHECK(role_to_byte(Role::kNone) == 4);
  CHECK(role_to_byte(Role::kDisplay) == 5);
  for (const Role role : {Role::kOpen, Role::kKiosk, Role::kDesk, Role::kAdmin, Role::kNone, Role::kDisplay})
    CHECK(role_from_byte(role_to_byte(role)) == role);
  for (int byte = 6; byte < 256; ++byte) CHECK_FALSE(role_from_byte(static_cast<std::uint8_t>(byte)).has_value());
}

TEST_CASE("only kiosk, desk, admin and display can be given to a key", "[security][roles]") {
  CHECK(parse_key_role("kiosk") == Role::kKiosk);
  CHECK(parse_key_role("desk") == Role::kDesk);
  CHECK(parse_key_role("admin") == Role::kAdmin);
  CHECK(parse_key_role("display") == Role::kDisplay);
  for (const char* text : {"open", "none", "Admin", "ADMIN", "", "kiosk ", "root"})
    CHECK_FALSE(parse_key_role(text).has_value());
}

TEST_CASE("a forbidden result names the role and the operation", "[security][roles]") {
  Request request;
  request.type = OpType::kSetCapacity;
  request.request_id = RequestId::from_trusted("r-1");
  const Result result = forbidden_result(Role::kKiosk, request);
  CHECK(result.status == Status::kRejected);
  CHECK(result.code == Code::kForbidden);
  CHECK(result.type == OpType::kSetCapacity);
  CHECK(result.request_id.view() == "r-1");
  CHECK(result.reason == "role 'kiosk' may not set_capacity");
  CHECK_FALSE(result.duplicate);
  CHECK_FALSE(result.token_id.has_value());

  const Result unlisted = forbidden_result(Role::kNone, request);
  CHECK(unlisted.code == Code::kForbidden);
  CHECK(unlisted.reason.find("not authorised") != std::string::npos);
}
