#pragma once
// A NoticePort for unit and simulator tests: records every controller it was asked to notify, and
// answers as `deliver` says (false: the identity is dead, or its pid belongs to a stranger now).
#include <vector>

#include "core/ports.hpp"

namespace tether::fakes {

class RecordingNotices final : public NoticePort {
 public:
  bool notify_controller(ProcessIdentity controller) override {
    notified.push_back(controller);
    return deliver;
  }
  std::vector<ProcessIdentity> notified;
  bool deliver = true;
};

}  // namespace tether::fakes
