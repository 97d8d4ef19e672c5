#pragma once
// The result type is part of the public API (include/tether); the core uses the same one.
#include "tether/result.hpp"
