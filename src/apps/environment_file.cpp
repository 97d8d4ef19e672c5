#include "apps/environment_file.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tether {
namespace {

constexpr std::string_view blanks = " \t\r";
constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";

// A cursor over the file's text that counts lines as it goes.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const { return position_ >= text_.size(); }
  [[nodiscard]] char peek() const { return text_[position_]; }
  [[nodiscard]] std::size_t line() const { return line_; }
  char take() {
    const char c = text_[position_++];
    if (c == '\n') ++line_;
    return c;
  }
  void skip_blanks() {
    while (!done() && blanks.find(peek()) != std::string_view::npos) take();
  }
  // The rest of the current line, without its newline (which is consumed).
  std::string_view take_line() {
    const std::size_t end = std::min(text_.find('\n', position_), text_.size());
    const std::string_view rest = text_.substr(position_, end - position_);
    position_ = end;
    if (!done()) take();
    return rest;
  }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
};

using Value = Result<std::string, std::string>;

Value single_quoted(Reader& reader) {
  std::string value;
  while (!reader.done()) {
    const char c = reader.take();
    if (c == '\'') return value;
    value += c;
  }
  return fail(std::string("the single quote is never closed"));
}

Value double_quoted(Reader& reader) {
  std::string value;
  while (!reader.done()) {
    const char c = reader.take();
    if (c == '"') return value;
    if (c != '\\' || reader.done()) {
      value += c;
      continue;
    }
    const char escaped = reader.take();
    if (escaped == '\n') continue;
    if (std::string_view("\"\\`$").find(escaped) == std::string_view::npos) value += '\\';
    value += escaped;
  }
  return fail(std::string("the double quote is never closed"));
}

// Trailing blanks are dropped, but not those a backslash kept.
Value unquoted(Reader& reader) {
  std::string value;
  std::size_t kept = 0;
  while (!reader.done() && reader.peek() != '\n') {
    const char c = reader.take();
    if (c == '\\' && !reader.done()) {
      const char escaped = reader.take();
      if (escaped == '\n') continue;
      value += escaped;
      kept = value.size();
      continue;
    }
    value += c;
    if (blanks.find(c) == std::string_view::npos) kept = value.size();
  }
  value.resize(kept);
  if (!reader.done()) reader.take();
  return value;
}

Value quoted_value(Reader& reader) {
  const char quote = reader.take();
  auto value = quote == '\'' ? single_quoted(reader) : double_quoted(reader);
  if (!value.ok()) return value;
  const std::string_view after = reader.take_line();
  if (after.find_first_not_of(blanks) != std::string_view::npos) {
    return fail(fmt::format("text after the closing quote: '{}'", after));
  }
  return value;
}

Result<std::string, std::string> entry(Reader& reader) {
  // The key: up to '=' on this line.
  std::string key;
  while (!reader.done() && reader.peek() != '=' && reader.peek() != '\n') key += reader.take();
  if (reader.done() || reader.peek() == '\n') return fail(fmt::format("'{}' is not KEY=VALUE", key));
  reader.take();  // '='
  if (key.starts_with("export ") || key.starts_with("export\t")) key.erase(0, 7);
  const auto first = key.find_first_not_of(blanks);
  const auto last = key.find_last_not_of(blanks);
  key = first == std::string::npos ? std::string() : key.substr(first, last - first + 1);
  if (key.empty()) return fail(std::string("no variable name before '='"));
  if (!valid_environment_name(key)) return fail(fmt::format("'{}' is not a valid variable name", key));
  reader.skip_blanks();
  const bool quoted = !reader.done() && (reader.peek() == '\'' || reader.peek() == '"');
  auto value = quoted ? quoted_value(reader) : unquoted(reader);
  if (!value.ok()) return value;
  return key + "=" + value.value();
}

}  // namespace

bool valid_environment_name(std::string_view name) {
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
             std::string_view::npos;
}

Result<std::vector<std::string>, EnvironmentTextProblem> parse_environment_text(std::string_view text) {
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n'));
    return fail(EnvironmentTextProblem{line + 1, "contains a NUL byte (not a text file?)"});
  }
  if (text.starts_with(utf8_byte_order_mark)) text.remove_prefix(utf8_byte_order_mark.size());
  std::vector<std::string> entries;
  Reader reader(text);
  // Bounded by the text: every pass consumes at least one character or ends.
  while (!reader.done()) {
    reader.skip_blanks();
    if (reader.done()) break;
    if (reader.peek() == '\n') {
      reader.take();
      continue;
    }
    if (reader.peek() == '#' || reader.peek() == ';') {
      reader.take_line();
      continue;
    }
    const std::size_t line = reader.line();
    auto parsed = entry(reader);
    if (!parsed.ok()) return fail(EnvironmentTextProblem{line, parsed.error()});
    entries.push_back(std::move(parsed).value());
  }
  return entries;
}

}  // namespace tether
