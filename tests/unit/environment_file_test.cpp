// --env-file text read with systemd's EnvironmentFile= rules (src/apps/environment_file.hpp).
#include "apps/environment_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tether {
namespace {

using Entries = std::vector<std::string>;

Entries parsed(std::string_view text) {
  auto entries = parse_environment_text(text);
  EXPECT_TRUE(entries.ok()) << "line " << entries.error().line << ": " << entries.error().message;
  return entries.ok() ? entries.value() : Entries{};
}

void expect_refused(std::string_view text, std::size_t line, const std::string& words) {
  const auto entries = parse_environment_text(text);
  ASSERT_FALSE(entries.ok()) << "accepted: " << text;
  EXPECT_EQ(entries.error().line, line) << entries.error().message;
  EXPECT_NE(entries.error().message.find(words), std::string::npos) << entries.error().message;
}

TEST(EnvironmentFile, PlainLinesCommentsAndBlankLines) {
  EXPECT_EQ(parsed("A=1\n\n# note\n  ; another note\n\tB=two words\n"), (Entries{"A=1", "B=two words"}));
  EXPECT_EQ(parsed("LAST=no newline"), (Entries{"LAST=no newline"}));
  EXPECT_EQ(parsed("EMPTY=\nEQUALS=a=b\n"), (Entries{"EMPTY=", "EQUALS=a=b"}));
}

TEST(EnvironmentFile, WhitespaceAroundKeyAndValueIsDroppedInsideKept) {
  EXPECT_EQ(parsed("  KEY  =   inner   spaces   \n"), (Entries{"KEY=inner   spaces"}));
}

// Windows editors: a byte-order mark and CRLF line ends.
TEST(EnvironmentFile, ByteOrderMarkAndCarriageReturnsAreNotPartOfNamesOrValues) {
  EXPECT_EQ(parsed("\xEF\xBB\xBF"
                   "A=1\r\nB=\"quoted\"\r\nC='single'\r\n"),
            (Entries{"A=1", "B=quoted", "C=single"}));
}

TEST(EnvironmentFile, ExportPrefixIsRead) {
  EXPECT_EQ(parsed("export A=1\nexport\tB=2\nexported=3\n"), (Entries{"A=1", "B=2", "exported=3"}));
}

TEST(EnvironmentFile, SingleQuotesKeepEverythingVerbatimAcrossLines) {
  EXPECT_EQ(parsed("A='  $HOME \\n \"x\" '\n"), (Entries{"A=  $HOME \\n \"x\" "}));
  EXPECT_EQ(parsed("A='first\nsecond'\nB=2\n"), (Entries{"A=first\nsecond", "B=2"}));
}

TEST(EnvironmentFile, DoubleQuotesUnescapeOnlyTheShellsFour) {
  EXPECT_EQ(parsed(R"(A="q\" b\\ t\` d\$ other\n")"), (Entries{R"(A=q" b\ t` d$ other\n)"}));
  EXPECT_EQ(parsed("A=\"joined \\\nline\"\n"), (Entries{"A=joined line"}));
  EXPECT_EQ(parsed("A=\"two\nlines\"\n"), (Entries{"A=two\nlines"}));
}

TEST(EnvironmentFile, UnquotedBackslashesKeepTheNextCharacterAndContinueLines) {
  EXPECT_EQ(parsed("A=back\\\\slash \\# not\\ \n"), (Entries{"A=back\\slash # not "}));
  EXPECT_EQ(parsed("A=one \\\ntwo\nB=3\n"), (Entries{"A=one two", "B=3"}));
  EXPECT_EQ(parsed("A=it's \"fine\"\n"), (Entries{"A=it's \"fine\""})) << "quotes inside a value are kept";
}

TEST(EnvironmentFile, LaterEntriesAreKeptInOrder) { EXPECT_EQ(parsed("A=1\nA=2\n"), (Entries{"A=1", "A=2"})); }

TEST(EnvironmentFile, RefusedLinesAreNamed) {
  expect_refused("GOOD=1\nnot an assignment\n", 2, "is not KEY=VALUE");
  expect_refused("GOOD=1\n\nBAD-KEY=1\n", 3, "'BAD-KEY' is not a valid variable name");
  expect_refused("=1\n", 1, "no variable name");
  expect_refused("1ABC=1\n", 1, "not a valid variable name");
  expect_refused("export =1\n", 1, "no variable name");
}

TEST(EnvironmentFile, NulBytesAreRefusedNotTruncated) {
  expect_refused(std::string_view("A=1\nB=before\0after\n", 20), 2, "NUL byte");
}

TEST(EnvironmentFile, UnclosedQuotesAreRefusedAtTheLineTheyOpen) {
  expect_refused("A=1\nB='open\nC=2\n", 2, "single quote is never closed");
  expect_refused("B=\"open\\\"\n", 1, "double quote is never closed");
}

TEST(EnvironmentFile, TextAfterAClosingQuoteIsRefused) {
  expect_refused("A='x' y\n", 1, "text after the closing quote");
  EXPECT_EQ(parsed("A='x'   \t\nB=2\n"), (Entries{"A=x", "B=2"}));
}

}  // namespace
}  // namespace tether
