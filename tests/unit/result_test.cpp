// The value-or-error type every layer returns (include/tether/result.hpp).
#include "tether/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tether {
namespace {

Result<int, std::string> parse_digit(char c) {
  if (c < '0' || c > '9') return fail(std::string("not a digit: ") + c);
  return c - '0';
}

TEST(Result, HoldsAValueOrAnError) {
  const auto good = parse_digit('7');
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(static_cast<bool>(good));
  EXPECT_EQ(good.value(), 7);

  const auto bad = parse_digit('x');
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "not a digit: x");
}

TEST(Result, AndThenRunsTheNextStepOnlyAfterSuccess) {
  int calls = 0;
  const auto twice = [&calls](int digit) -> Result<int, std::string> {
    ++calls;
    if (digit > 4) return fail(std::string("too big"));
    return digit * 2;
  };
  EXPECT_EQ(parse_digit('3').and_then(twice).value(), 6);
  EXPECT_EQ(parse_digit('8').and_then(twice).error(), "too big");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(parse_digit('?').and_then(twice).error(), "not a digit: ?");
  EXPECT_EQ(calls, 2) << "a failed first step must not run the second";
}

TEST(Result, TransformMapsTheValueAndPassesTheErrorThrough) {
  const auto as_text = [](int digit) { return std::to_string(digit) + "!"; };
  const Result<std::string, std::string> mapped = parse_digit('5').transform(as_text);
  EXPECT_EQ(mapped.value(), "5!");
  EXPECT_EQ(parse_digit('z').transform(as_text).error(), "not a digit: z");
}

TEST(Result, TransformErrorMapsTheErrorAndKeepsTheValue) {
  const auto code = [](const std::string& message) { return static_cast<int>(message.size()); };
  EXPECT_EQ(parse_digit('z').transform_error(code).error(), 14);
  EXPECT_EQ(parse_digit('4').transform_error(code).value(), 4);
}

TEST(Result, ValueOrFallsBackOnlyOnError) {
  EXPECT_EQ(parse_digit('2').value_or(-1), 2);
  EXPECT_EQ(parse_digit('-').value_or(-1), -1);
}

TEST(Result, MoveOnlyValuesMoveThroughTheChain) {
  Result<std::unique_ptr<int>, std::string> boxed = std::make_unique<int>(41);
  auto incremented = std::move(boxed).transform([](std::unique_ptr<int>&& box) { return *box + 1; });
  EXPECT_EQ(incremented.value(), 42);
}

// Reading the side a Result does not hold aborts in every build type, NDEBUG or not.
TEST(ResultDeathTest, ReadingTheWrongSideAborts) {
  EXPECT_DEATH((void)parse_digit('x').value(), "Result::value called on the wrong side");
  EXPECT_DEATH((void)parse_digit('1').error(), "Result::error called on the wrong side");
}

}  // namespace
}  // namespace tether
