#pragma once
// The subcommands of `tether`, one file each; main wires them to CLI11.
#include <cstdint>
#include <string>

namespace tether {

int run_status(const std::string& name, bool json);
int run_list(bool json);
int run_shutdown(const std::string& name, bool wait, std::uint64_t timeout_ms);
int run_clean(const std::string& name);

}  // namespace tether
