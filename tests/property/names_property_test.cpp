// Goal: the name check accepts exactly the documented names, and segment object names are well-formed
// POSIX shared-memory names. Method: compare with a regex oracle on strings biased towards the edges
// (allowed characters, a leading dot, lengths around 64, bytes outside ASCII, NUL).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <regex>
#include <string>

#include "core/names.hpp"

namespace {

bool oracle_valid(const std::string& name) {
  static const std::regex pattern("[A-Za-z0-9._-]{1,64}");
  return std::regex_match(name, pattern) && name.front() != '.' && name.front() != '-';
}

rc::Gen<char> name_char() {
  return rc::gen::oneOf(rc::gen::elementOf(std::string("abcXYZ019._-")),
                        rc::gen::element('.', '/', ' ', '\0', '@', '\xff', '\x80', '[', '`', '{', ':'),
                        rc::gen::arbitrary<char>());
}

rc::Gen<std::string> candidate_name() {
  return rc::gen::mapcat(rc::gen::oneOf(rc::gen::inRange<std::size_t>(0, 8), rc::gen::inRange<std::size_t>(60, 70)),
                         [](std::size_t length) { return rc::gen::container<std::string>(length, name_char()); });
}

}  // namespace

RC_GTEST_PROP(NamesProperty, NameProblemAgreesWithRegexOracle, ()) {
  const std::string name = *candidate_name();
  const bool valid = oracle_valid(name);
  RC_CLASSIFY(valid);
  const auto problem = tether::name_problem(name);
  RC_ASSERT(problem.has_value() == !valid);
  if (problem.has_value()) RC_ASSERT(!problem->empty());
}

RC_GTEST_PROP(NamesProperty, ArbitraryStringsAgreeWithRegexOracle, (const std::string& name)) {
  RC_ASSERT(tether::name_problem(name).has_value() == !oracle_valid(name));
}

RC_GTEST_PROP(NamesProperty, SegmentObjectNameIsAPortableShmName, ()) {
  const std::string name = *rc::gen::suchThat(candidate_name(), oracle_valid);
  const std::string object = tether::segment_object_name(name);
  // One leading slash and no other (POSIX leaves names with more slashes implementation-defined).
  RC_ASSERT(object.front() == '/');
  RC_ASSERT(object.find('/', 1) == std::string::npos);
  RC_ASSERT(object == "/tether." + name);
  RC_ASSERT(object.size() <= 255u);  // NAME_MAX
}
