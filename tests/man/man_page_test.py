#!/usr/bin/env python3
"""Checks a hand-written man page (docs/man/PROGRAM.1) against the built binary it documents.

- The page has the required sections (and COMMANDS, one `.SS "PROGRAM COMMAND ..."` per command, for a
  program with commands), and its NAME line names the program.
- Every long option that `PROGRAM --help` prints is documented (a `.TP` tag) under OPTIONS; for a program
  with commands, every long option of `PROGRAM COMMAND --help` is documented under that command's `.SS`
  (`--help` itself once, under OPTIONS).
- Every option the page documents (`.TP` tags, SYNOPSIS, EXAMPLES' command lines of our programs) exists
  in that binary, for that command; every other `--option` in the text exists in one of our programs.
- Where the help shows an option's default (CLI11's "=D" after the type), its paragraph says "Default D".
- groff renders it without a warning (`groff -man -Tutf8 -ww`).

Usage: man_page_test.py --bin-dir DIR --page docs/man/tether.1 --program tether [--program ...]
(every --program is one of ours: its options are the ones other pages may mention in passing).
Exits 0 when the page is right; otherwise 1, listing each problem as "PAGE: what is missing where".
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

REQUIRED_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES",
                     "SIGNALS", "EXAMPLES", "SEE ALSO"]
LONG_OPTION = re.compile(r"(?<![\w-])--[A-Za-z0-9][A-Za-z0-9-]*")
# A help text's option line: "  -o,--output TEXT   ..." or "  --json   ..."; two spaces in, so that a
# description continued on its own, deeper indented line is never taken for an option.
HELP_OPTION_LINE = re.compile(r"^ {2}((?:-\w,)?--[A-Za-z0-9][\w-]*(?:,--[\w-]+)*)")
HELP_COMMAND_LINE = re.compile(r"^ {2}([a-z][\w-]*)(?:\s{2,}|$)")
# Sections of a help text that list no options.
HELP_NOT_OPTIONS = {"Positionals", "Subcommands"}
# CLI11 appends an option's default to its type: "--timeout-ms UINT:UINT in [1 - 86400000]=30000".
HELP_DEFAULT = re.compile(r"^ {2}(?:-\w,)?(--[\w-]+) (?:UINT|INT|TEXT|FLOAT|ENUM|NUMBER)\b[^=]*(?:\{[^}]*\})?[^=]*=(\S+)(?:\s{2,}|$)")
HELP_TIMEOUT_S = 10


def run_help(binary, command):
    arguments = [binary] + ([command] if command else []) + ["--help"]
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=HELP_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(arguments)}` exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def help_sections(text):
    """The CLI11 help's sections: heading ("Options", an option group's name, "Subcommands", ...) -> its
    indented lines."""
    sections = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^(\S[^:]*):\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
        elif not line.strip():
            current = None
        elif current is not None:
            current.append(line)
    return sections


def option_lines(text):
    """The lines of every section that lists options: "Options" and any option group."""
    return [line for heading, lines in help_sections(text).items() if heading not in HELP_NOT_OPTIONS
            for line in lines]


def help_options(text):
    options = set()
    for line in option_lines(text):
        match = HELP_OPTION_LINE.match(line)
        if match:
            options.update(LONG_OPTION.findall(match.group(1)))
    return options


def help_defaults(text):
    """Option -> the default its help shows (options without one are left out)."""
    defaults = {}
    for line in option_lines(text):
        match = HELP_DEFAULT.match(line)
        # A default that is not printable text (an enum shown as its raw byte) is no default to a reader.
        if match and match.group(2).isprintable():
            defaults[match.group(1)] = match.group(2)
    return defaults


def help_commands(text):
    commands = []
    for line in help_sections(text).get("Subcommands", []):
        match = HELP_COMMAND_LINE.match(line)
        if match:
            commands.append(match.group(1))
    return commands


class Interface:
    """A program's options as its binary prints them: top level, and per command."""

    def __init__(self, binary):
        top = run_help(binary, None)
        self.options = help_options(top)
        self.defaults = {None: help_defaults(top)}
        self.commands = {}
        for command in help_commands(top):
            text = run_help(binary, command)
            self.commands[command] = help_options(text)
            self.defaults[command] = help_defaults(text)

    def all_options(self):
        return set(self.options).union(*self.commands.values())


def plain_text(line):
    """A roff line as a reader sees its words: escapes for '-', fonts and zero-width marks removed."""
    line = line.replace("\\-", "-").replace("\\(em", " ").replace("\\e", "\\").replace("\\&", "")
    line = re.sub(r"\\f[BIRP]", "", line)
    line = re.sub(r'^\.(?:B|I|BR|RB|BI|IB|IR|RI|SY|TP|SS|SH|OP)\b\s*', "", line)
    return line.replace('"', "")


def parse_page(path):
    """Sections -> lines; subsections (.SS heading) -> lines; per block, each .TP tag with its paragraph."""
    with open(path, encoding="utf-8") as page:
        lines = page.read().splitlines()
    sections = {}
    subsections = {}
    tags = {}  # (section, subsection or None) -> [(tag line, [paragraph lines])]
    section = subsection = None
    previous = ""
    for line in lines:
        if line.startswith('.\\"'):
            continue
        if line.startswith(".SH "):
            section, subsection = line[4:].strip().strip('"'), None
            sections.setdefault(section, [])
        elif line.startswith(".SS "):
            subsection = plain_text(line[4:]).strip()
            subsections.setdefault((section, subsection), [])
        elif section is not None:
            sections[section].append(line)
            if subsection is not None:
                subsections[(section, subsection)].append(line)
            block = tags.setdefault((section, subsection), [])
            if previous.strip() == ".TP":
                block.append((line, []))
            elif line.startswith(".TP"):
                pass
            elif line.startswith((".PP", ".RE")):
                block.append(("", []))  # the tag's paragraph ends here
            elif block:
                block[-1][1].append(line)
        previous = line
    return sections, subsections, tags


def command_lines(lines):
    """The lines of a block as command lines: roff-free, with backslash continuations joined."""
    joined = []
    pending = ""
    for line in lines:
        if line.startswith(".") and not re.match(r"^\.(B|BR|RB|BI|IB|IR|RI|I|SY)\b", line):
            if pending:
                joined.append(pending)
                pending = ""
            continue
        text = plain_text(line).strip()
        if text.endswith("\\"):
            pending += text[:-1] + " "
        else:
            joined.append(pending + text)
            pending = ""
    if pending:
        joined.append(pending)
    return joined


def synopsis_lines(lines):
    """Each .SY ... .YS block as one command line."""
    blocks = []
    current = None
    for line in lines:
        if line.startswith(".SY"):
            current = [plain_text(line).strip()]
        elif line.startswith(".YS"):
            if current is not None:
                blocks.append(" ".join(current))
            current = None
        elif current is not None:
            current.append(plain_text(line).strip())
    return blocks


def check_command_line(text, interfaces, where, problems):
    """Options given to one of our programs in a shell line (up to a bare `--`) must be that program's,
    for the command named."""
    words = re.split(r"[\s\[\]|&;()]+", text)
    program = command = None
    for word in words:
        if word in interfaces:
            program, command = word, None
            continue
        if program is None:
            continue
        if word == "--":
            program = None
            continue
        interface = interfaces[program]
        if command is None and word in interface.commands:
            command = word
            continue
        for option in LONG_OPTION.findall(word.split("=")[0]):
            known = interface.commands.get(command, set()) | interface.options
            if option not in known:
                named = f"{program} {command}" if command else program
                problems.append(f"{where}: `{named}` has no option {option} (in: {text.strip()})")


def check_page(page, program, interfaces, problems):
    name = f"{program}(1)"
    sections, subsections, tags = parse_page(page)
    interface = interfaces[program]
    has_commands = bool(interface.commands)

    required = REQUIRED_SECTIONS + (["COMMANDS"] if has_commands else [])
    for section in required:
        if section not in sections:
            problems.append(f"{name}: no {section} section (.SH {section})")
    name_text = " ".join(plain_text(line) for line in sections.get("NAME", []))
    if not name_text.strip().startswith(f"{program} - "):
        problems.append(f"{name}: the NAME section does not read '{program} \\- summary': {name_text.strip()!r}")

    def tagged(section, subsection):
        options = set()
        for line, _ in tags.get((section, subsection), []):
            options.update(LONG_OPTION.findall(plain_text(line)))
        return options

    def check_defaults(section, subsection, defaults, named, where):
        """An option's default, as the binary shows it, is what its paragraph says: "Default D"."""
        for line, paragraph in tags.get((section, subsection), []):
            text = " ".join(plain_text(each) for each in paragraph)
            for option in LONG_OPTION.findall(plain_text(line)):
                if option not in defaults:
                    continue
                said = re.search(r"\bDefault:?\s+(\S+?)[.,;)]?(?:\s|$)", text)
                if said is None or said.group(1) != defaults[option]:
                    problems.append(f"{name}: `{named} --help` gives {option} the default {defaults[option]}; its "
                                    f"paragraph under {where} says {said.group(0).strip() if said else 'no default'}"
                                    f" (write \"Default {defaults[option]}.\")")

    # Top-level options: under OPTIONS, both ways.
    documented = tagged("OPTIONS", None)
    for option in sorted(interface.options - documented):
        problems.append(f"{name}: `{program} --help` prints {option}, not documented under OPTIONS")
    for option in sorted(documented - interface.options):
        problems.append(f"{name}: OPTIONS documents {option}, which `{program} --help` does not print")
    check_defaults("OPTIONS", None, interface.defaults[None], program, "OPTIONS")

    # Commands: one .SS each under COMMANDS, with their options, both ways.
    headings = {}
    for (section, subsection) in subsections:
        if section != "COMMANDS":
            continue
        words = subsection.split()
        if len(words) < 2 or words[0] != program:
            problems.append(f"{name}: COMMANDS subsection {subsection!r} does not start with '{program} COMMAND'")
            continue
        headings[words[1]] = subsection
    for command in interface.commands:
        if command not in headings:
            problems.append(f"{name}: `{program} --help` lists the command '{command}', which has no "
                            f".SS \"{program} {command} ...\" under COMMANDS")
    for command, heading in headings.items():
        if command not in interface.commands:
            problems.append(f"{name}: COMMANDS documents '{program} {command}', which `{program} --help` does "
                            f"not list")
            continue
        options = interface.commands[command] - {"--help"}
        documented = tagged("COMMANDS", heading)
        for option in sorted(options - documented):
            problems.append(f"{name}: `{program} {command} --help` prints {option}, not documented under "
                            f".SS \"{heading}\"")
        for option in sorted(documented - interface.commands[command]):
            problems.append(f"{name}: .SS \"{heading}\" documents {option}, which `{program} {command} --help` "
                            f"does not print")
        check_defaults("COMMANDS", heading, interface.defaults[command], f"{program} {command}", f'.SS "{heading}"')

    # Command lines: the synopsis and the examples use real options of our programs.
    for line in synopsis_lines(sections.get("SYNOPSIS", [])):
        check_command_line(line, interfaces, f"{name} SYNOPSIS", problems)
    in_example = False
    example = []
    for line in sections.get("EXAMPLES", []):
        if line.startswith(".EX"):
            in_example, example = True, []
        elif line.startswith(".EE"):
            in_example = False
            for command_line in command_lines(example):
                check_command_line(command_line, interfaces, f"{name} EXAMPLES", problems)
        elif in_example:
            example.append(line)

    # Options mentioned in passing (outside the examples, which run other programs too) are ours.
    ours = set().union(*(each.all_options() for each in interfaces.values()))
    for section, lines in sections.items():
        if section == "EXAMPLES":
            continue
        for line in lines:
            for option in LONG_OPTION.findall(plain_text(line)):
                if option not in ours:
                    problems.append(f"{name}: {section} mentions {option}, an option of none of "
                                    f"{', '.join(sorted(interfaces))}")


def check_rendering(page, problems):
    groff = shutil.which("groff")
    if groff is None:
        problems.append(f"{page}: groff is not installed (apt-get install groff-base; ci/deps does)")
        return
    result = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", page], capture_output=True, text=True,
                            timeout=HELP_TIMEOUT_S, check=False)
    if result.returncode != 0 or result.stderr.strip():
        problems.append(f"{page}: groff -man -Tutf8 -ww exited {result.returncode}: {result.stderr.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--program", action="append", required=True, help="ours; the first is the page's")
    arguments = parser.parse_args()
    problems = []
    interfaces = {}
    for program in arguments.program:
        binary = os.path.join(arguments.bin_dir, program)
        try:
            interfaces[program] = Interface(binary)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
            problems.append(f"{program}: cannot read its options: {error}")
    if not problems:
        check_page(arguments.page, arguments.program[0], interfaces, problems)
    check_rendering(arguments.page, problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f"FAIL: {len(problems)} problem(s) in {arguments.page}")
        return 1
    print(f"{arguments.page}: matches {arguments.program[0]}, renders without warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
