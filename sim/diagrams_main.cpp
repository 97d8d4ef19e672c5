// tether-diagrams: brings the generated blocks of the docs up to date from the cores' declared tables,
// or (--check) fails naming the blocks that differ. Exit codes: 0 current (or rewritten), 1 stale
// (--check), 64 usage, 65 a malformed block, 66 no such file, 74 the file could not be written.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/exit_codes.hpp"
#include "diagrams.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Regenerates the state diagrams and phase tables in the docs from the cores' tables"};
  bool check = false;
  std::vector<std::string> files;
  app.add_flag("--check", check, "Change nothing; exit 1 when a generated block is out of date");
  app.add_option("files", files, "Markdown files with generated blocks")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int cli_status = app.exit(error);  // prints help, or the problem
    return cli_status == 0 ? tether::exit_code::ok : tether::exit_code::usage;
  }
  int status = tether::exit_code::ok;
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "tether-diagrams: cannot read " << file << "\n";
      return tether::exit_code::no_input;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto rewrite = tether::sim::rewrite_generated_blocks(text.str());
    if (!rewrite.problem.empty()) {
      std::cerr << "tether-diagrams: " << file << ": " << rewrite.problem << "\n";
      return tether::exit_code::data_error;
    }
    if (rewrite.stale_blocks.empty()) continue;
    if (check) {
      std::cerr << "tether-diagrams: " << file << ": out of date: " << rewrite.stale_blocks << " (run tether-diagrams "
                << file << ")\n";
      status = tether::exit_code::failure;
      continue;
    }
    std::ofstream out(file, std::ios::trunc);
    out << rewrite.text;
    out.flush();
    if (!out) {
      std::cerr << "tether-diagrams: cannot write " << file << "\n";
      return tether::exit_code::io_error;
    }
    std::cout << "tether-diagrams: " << file << ": rewrote " << rewrite.stale_blocks << "\n";
  }
  return status;
}
