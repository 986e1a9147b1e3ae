// cli/neostress/neostress.hpp
// neostress: breaks a NEO cluster on purpose under a checkable load, then
// proves that nothing was lost (man/neostress.1). Entry points of its
// commands; main.cpp is run_neostress().
#pragma once

#include "cli/neostress/options.hpp"

namespace neo::stress {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;  // the checker or a recovery bound failed
inline constexpr int kExitSetup = 2;      // bad options, cluster could not start...

int run_neostress(int argc, char** argv);
int run_stress(const StressOptions& options);
int run_check(const StressOptions& options);
int run_client(const StressOptions& options);

}  // namespace neo::stress
