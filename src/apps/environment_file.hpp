#pragma once
// The text of an --env-file, read the way systemd reads an EnvironmentFile= (systemd.exec(5)), so that
// one file serves both: KEY=VALUE lines, comments, quotes, escapes and continued lines. Pure: no file
// system; launch_options reads the file and hands its text here.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tether {

// A name a shell accepts as a variable: [A-Za-z_][A-Za-z0-9_]*.
bool valid_environment_name(std::string_view name);

struct EnvironmentTextProblem {
  std::size_t line;  // 1-based: the line where the offending entry starts
  std::string message;
};

// The entries as KEY=VALUE strings, in file order (a later KEY wins when the environment is built).
//  - Blank lines and lines whose first non-blank character is '#' or ';' are comments.
//  - A leading UTF-8 byte-order mark is skipped; `export KEY=VALUE` is read as KEY=VALUE.
//  - Whitespace (space, tab, carriage return) around the key and around the value is dropped; inside
//    an unquoted value it is kept, and so are quotes that do not open the value.
//  - Unquoted: a backslash keeps the next character; one at the end of a line continues the value on
//    the next line.
//  - '...' keeps everything up to the next quote, newlines included; no escapes.
//  - "..." may span lines; a backslash before " \ ` $ keeps that character, before a newline joins
//    the lines, before anything else is kept with it.
// Refused, naming the line: a NUL byte, a line without '=', an invalid name, an unclosed quote, text
// after a closing quote (systemd ignores the first two silently; a typo should not go unnoticed).
Result<std::vector<std::string>, EnvironmentTextProblem> parse_environment_text(std::string_view text);

}  // namespace tether
