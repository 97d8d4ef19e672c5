// Goal: only portable names ([A-Za-z0-9._-]{1,64}, no leading dot or '-') become shared-memory objects.
// Method: boundary cases on each side of every rule.
#include <gtest/gtest.h>

#include <string>

#include "core/names.hpp"

namespace tether {
namespace {

TEST(Names, AcceptsPortableNames) {
  for (const std::string name : {"a", "SampleApp", "my-app_1.2", "A.Z", "a.", "0", "x-y-z", "__"}) {
    EXPECT_FALSE(name_problem(name).has_value()) << name;
  }
  EXPECT_FALSE(name_problem(std::string(name_length_max, 'n')).has_value());
}

TEST(Names, RefusesEmpty) {
  ASSERT_TRUE(name_problem("").has_value());
  EXPECT_EQ(*name_problem(""), "it is empty");
}

TEST(Names, RefusesSixtyFiveCharacters) {
  const auto problem = name_problem(std::string(name_length_max + 1, 'n'));
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "it is longer than 64 characters");
}

TEST(Names, RefusesALeadingDot) {
  EXPECT_TRUE(name_problem(".hidden").has_value());
  EXPECT_TRUE(name_problem(".").has_value());
  EXPECT_TRUE(name_problem("..").has_value());
}

TEST(Names, RefusesALeadingDashThatACommandLineWouldTakeForAnOption) {
  EXPECT_EQ(*name_problem("-x"), "it must not start with '-' (a command line would take it for an option)");
  EXPECT_TRUE(name_problem("-").has_value());
  EXPECT_TRUE(name_problem("--name").has_value());
  EXPECT_FALSE(name_problem("x-").has_value());
}

TEST(Names, RefusesCharactersOutsideThePortableSet) {
  using namespace std::string_literals;
  for (const std::string& name :
       {"a/b"s, "/a"s, "a b"s, " a"s, "a\tb"s, "caf\xc3\xa9"s, "\xe2\x98\x83"s, "a\0b"s, "a:b"s, "a*"s, "a\\b"s}) {
    EXPECT_TRUE(name_problem(name).has_value()) << name;
  }
}

TEST(Names, SegmentObjectName) {
  EXPECT_EQ(segment_object_name("SampleApp"), "/tether.SampleApp");
  EXPECT_EQ(segment_object_name("a.b-c_1"), "/tether.a.b-c_1");
}

}  // namespace
}  // namespace tether
