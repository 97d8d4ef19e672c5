#pragma once
// The subcommands of `tether`, one file each; main runs the one the command line names.
#include <cstdint>
#include <string>

#include "apps/tether_cli.hpp"

namespace tether {

int run_status(const std::string& name, bool json);
int run_list(bool json);
int run_shutdown(const std::string& name, bool wait, std::uint64_t timeout_ms, bool timeout_given);
int run_clean(const std::string& name);
int run_wait(const std::string& name, WaitState state, std::uint64_t timeout_ms);

}  // namespace tether
