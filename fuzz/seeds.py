#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/ (deterministic; run from anywhere). Each seed is a named,
hand-made scenario that reaches one part of the target; the fuzzers mutate from there."""
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def write(target, name, data):
    directory = HERE / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def page(magic=b"TETHER01", version=3, size=4096, total=4096):
    image = bytearray(total)
    header = magic + struct.pack("<QQ", version, size)
    image[: min(len(header), total)] = header[:total]
    # A plausible rest: generation, listener identity, state idle, launched, controller, heartbeat, restarts.
    rest = struct.pack("<QQQQQIIQQ", 3, (1234 << 22) | 4242, 3, (1200 << 22) | 4240, (5 << 22) | 50, 0, 0, 10**9, 2)
    if total >= 24 + len(rest):
        image[24 : 24 + len(rest)] = rest
    return bytes(image)


SEGMENT = {
    "valid_page": page(),
    "uninitialised_page": page(magic=b"\0" * 8),
    "bad_magic_page": page(magic=b"TETHER02"),
    "bad_version_page": page(version=2),  # the layout before the worker notice area
    "bad_size_word": page(size=8192),
    "long_image": page(total=4097),
    "truncated_header": page(total=20),
    "truncated_page": page(total=4095),
    "empty": b"",
}

NAMES = {
    "simple": b"demo", "one_char": b"a", "max_length": b"a" * 64, "too_long": b"b" * 65,
    "leading_dot": b".hidden", "slash": b"a/b", "empty": b"", "space": b"x y", "all_allowed": b"Az09._-",
    "inner_dot": b"a.b", "nul_inside": b"ab\0cd", "utf8": "n\u00e4me".encode(), "dash_first": b"-x",
}


# fuzz_controller_events reads: config, segment, then commands of (kind, arguments..., pace).
def config(mode=0, delay=100, delay_max=1000, limit=4, interval=2000, stop=500, kill=500, stop_max=2000, watchdog=0,
           ready=5000):
    data = bytes([mode])
    for value in (delay, delay_max - delay, limit - 1, interval - 1, stop, kill, stop_max):
        data += struct.pack(">H", value)
    data += bytes([watchdog])  # odd: watchdog on (byte * 20 ms)
    return data + struct.pack(">H", ready)


FRESH = bytes([0])


def initialised(generation=5, restarts=2, state=3, shutdown=False, registered=1, launched=0):
    # registered / launched: 0 nobody, 1 a live stranger, 2 a dead one.
    return bytes([2]) + struct.pack(">HHH", generation, restarts, state) + bytes([0 if shutdown else 1, registered, launched])


SETTLE = 1  # a pace byte not divisible by 4: step to quiescence


def exits(how): return bytes([0, how, SETTLE])  # how: bit 0 clear = goodbye; 4 = signal; code in bits 4-5
REGISTER = bytes([1, SETTLE])
STRANGER = bytes([2, SETTLE])
STRANGER_DIES = bytes([3, SETTLE])
SIGNAL = bytes([4, SETTLE])
def posted(notice=True): return bytes([5, 0 if notice else 1, SETTLE])
def spawn_fails(error): return bytes([6, error, SETTLE])  # 0 not_found, 1 resources, 2 identity_unknown
def wait_ms(ms): return bytes([7]) + struct.pack(">H", ms) + bytes([SETTLE])
TIMER = bytes([8, SETTLE])
def scribble(field_offset, value): return bytes([9, field_offset]) + struct.pack(">Q", value) + bytes([SETTLE])
def one_step(command): return command[:-1] + bytes([0])  # pace 0: a single step, then the next event


CONTROLLER_EVENTS = {
    "launch_register_shutdown": config() + FRESH + REGISTER + SIGNAL + TIMER + TIMER + exits(4 | 8),
    "crash_loop_gives_up": config(limit=3, delay=10, delay_max=40) + FRESH
    + exits(1 << 4 | 1) + TIMER + exits(1 << 4 | 1) + TIMER + exits(2 << 4 | 1) + TIMER + exits(5),
    "graceful_exit_on_failure": config(mode=1) + FRESH + REGISTER + exits(0),
    "adopt_registered_stranger": config() + initialised(registered=1) + wait_ms(3000) + exits(0) + TIMER,
    "adopted_crash_after_old_goodbye": config(mode=2) + initialised(state=5, registered=2, launched=1) + exits(1),
    "stale_registration_cleared": config() + initialised(registered=2, launched=2) + REGISTER + posted(True) + exits(1),
    "shutdown_posted_without_notice": config() + FRESH + posted(False) + exits(1 << 4 | 1) + TIMER,
    "spawn_failures": config(limit=6) + FRESH + spawn_fails(1) + spawn_fails(2) + exits(5) + TIMER + TIMER + TIMER
    + spawn_fails(0) + TIMER,
    "stranger_registers_while_waiting": config(delay=400, delay_max=400) + FRESH + exits(5) + STRANGER + TIMER
    + exits(0) + STRANGER_DIES,
    "shutdown_mid_launch": config(delay=0, delay_max=0) + FRESH + exits(5) + one_step(SIGNAL) + one_step(posted(True))
    + TIMER,
    "stop_extended_by_heartbeat": config(stop=300, stop_max=3000) + FRESH + REGISTER + SIGNAL + wait_ms(200)
    + scribble(6, 10**9 + 200 * 10**6) + TIMER + TIMER + TIMER + exits(0),
    "watchdog_kills_hung_listener": config(watchdog=51) + FRESH + REGISTER + TIMER + TIMER + exits(4 | 8 | 1) + TIMER,
    "plain_worker_stopped_by_signal": config(ready=100) + FRESH + TIMER + SIGNAL + TIMER + exits(4 | 1),
    "registers_just_before_the_stop": config(ready=3000) + FRESH + wait_ms(100) + REGISTER + SIGNAL + TIMER + exits(0),
    "scribbling": config() + FRESH + scribble(5, 1) + scribble(1, 0xDEADBEEF) + scribble(0, 7) + exits(5) + TIMER,
    "shutdown_already_posted": config() + initialised(shutdown=True, registered=0, launched=1) + TIMER + TIMER + exits(5),
    "garbage_segment": config() + bytes([1]) + b"\x11" * 96 + SIGNAL,
}

# fuzz_scenario reads scenario files (sim/scenario.hpp). Its valid seeds are the committed regression
# scenarios, which ctest and ci/fuzz read from tests/regressions directly; these are the others.
REGRESSIONS = sorted((HERE.parent / "tests" / "regressions").glob("*.json"))


def scenario_text(document):
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()


def valid_scenario(**changes):
    document = {"format": "tether-sim-scenario", "version": 1, "protocol": "tether", "mutant": "none",
                "configuration": {"pid_count": 6, "steps_max": 2000, "fault_phase_ms": 3000, "explore": False,
                                  "crash_budget": 0},
                "seed": 7, "violation": None, "decisions": [0, 3, 1, 4294967295]}
    document.update(changes)
    return document


SCENARIO = {
    "no_violation": scenario_text(valid_scenario()),
    "explore_with_crashes": scenario_text(valid_scenario(configuration={
        "pid_count": 3, "steps_max": 100, "fault_phase_ms": 0, "explore": True, "crash_budget": 8})),
    "compact_unicode_detail": json.dumps(valid_scenario(violation={
        "invariant": "two_listeners", "step": 9, "time_ns": 12, "detail": "p\u00e4ir \"x\""})).encode(),
    "wrong_format": scenario_text(valid_scenario(format="tether-sim")),
    "wrong_version": scenario_text(valid_scenario(version=2)),
    "unknown_mutant": scenario_text(valid_scenario(mutant="nope")),
    "pid_count_too_small": scenario_text(valid_scenario(configuration={
        "pid_count": 2, "steps_max": 1, "fault_phase_ms": 0, "explore": False, "crash_budget": 0})),
    "decision_too_wide": scenario_text(valid_scenario(decisions=[4294967296])),
    "negative_seed": scenario_text(valid_scenario(seed=-1)),
    "violation_without_step": scenario_text(valid_scenario(violation={"invariant": "x"})),
    "nested_too_deep": b"[" * 40 + b"]" * 40,
    "not_json": b"{\"format\": ",
    "empty": b"",
}


# fuzz_schedule reads one configuration byte (bit 0 explore, bits 1-3 crash budget, bits 4-6 pid count
# above 3), then the decision log: one byte per decision, or 0xFF and four big-endian bytes.
def schedule(decisions, pid_count=6, explore=False, crash_budget=0):
    data = bytes([(1 if explore else 0) | (crash_budget & 7) << 1 | (min(max(pid_count, 3), 10) - 3) << 4])
    for value in decisions:
        data += bytes([value]) if value < 0xFF else bytes([0xFF]) + struct.pack(">I", value)
    return data


# The regression scenarios' schedules (shrunk counterexamples for planted bugs and for the seed protocol)
# lead our protocol into the corners those bugs need; the fuzzer starts there.
SCHEDULE = {path.stem: schedule(json.loads(path.read_text())["decisions"]) for path in REGRESSIONS}
SCHEDULE.update({
    "benign": schedule([]),
    "smallest_pid_space": schedule([1, 0, 2, 0, 1] * 20, pid_count=3),
    "explore_crashes": schedule([0, 1, 1, 2, 0, 3] * 10, explore=True, crash_budget=3),
    "wide_durations": schedule([1, 70000, 2, 0xFFFFFFFF, 3, 255] * 5),
    "busy": schedule(list(range(1, 200))),
})


# fuzz_cli_<binary> reads an argv without the program: arguments separated by NUL bytes. The valid seeds
# are the command lines of README.md and docs/OPERATIONS.md; the others are refused in different ways.
def argv(*arguments):
    return b"\0".join(argument.encode() for argument in arguments)


CLI_CONTROLLER = {
    "name_only": argv("--name", "demo"),
    "systemd_unit": argv("--name", "files", "--log-format", "json", "--stop-timeout-ms", "30000",
                         "--stop-timeout-max-ms", "120000", "--kill-timeout-ms", "5000", "--watchdog-ms", "60000",
                         "--log-file", "/var/log/tether/files-worker.log", "--", "/usr/local/bin/file_worker",
                         "--inbox", "/srv/inbox"),
    "plain_worker": argv("--name", "cache", "--ready-timeout-ms", "1000", "--stop-signal", "INT", "--",
                         "redis-server", "--port", "7000"),
    "every_option": argv("--name", "p-1.x", "--restart", "on-failure", "--restart-delay-ms", "10",
                         "--restart-delay-max-ms", "400", "--start-limit", "3", "--start-limit-interval-ms", "2000",
                         "--stop-timeout-ms", "500", "--kill-timeout-ms", "200", "--stop-timeout-max-ms", "900",
                         "--watchdog-ms", "0", "--ready-timeout-ms", "0", "--stop-signal", "SIGHUP", "--cwd", "/tmp",
                         "--env", "A=1", "--env=B=2", "--env-file", "vars.env", "--log-file", "out.log",
                         "--log-format=text", "--", "sleep", "infinity"),
    "env_then_command": argv("--name", "x", "--env", "K=V", "--", "--env", "not-an-option"),
    "command_without_separator": argv("--name", "x", "sleep", "9"),
    "env_last": argv("--name", "x", "--env", "K=V"),
    "help": argv("--help"),
    "version": argv("--version"),
    "missing_name": argv("--restart", "never"),
    "bad_name": argv("--name", ".hidden"),
    "unknown_restart": argv("--name", "x", "--restart", "sometimes"),
    "inverted_delays": argv("--name", "x", "--restart-delay-ms", "500", "--restart-delay-max-ms", "100"),
    "negative_delay": argv("--name", "x", "--restart-delay-ms", "-5"),
    "huge_number": argv("--name", "x", "--watchdog-ms", "99999999999999999999999"),
    "bad_signal": argv("--name", "x", "--stop-signal", "SIGNOPE"),
    "bad_env": argv("--name", "x", "--env", "1A=b"),
    "dangling_option": argv("--name", "x", "--env"),
    "unknown_option": argv("--name", "x", "--frobnicate"),
    "empty": b"",
}

CLI_LISTENER = {
    "defaults": b"",
    "every_option": argv("--name", "demo", "--work-ms", "50", "--units", "3", "--idle-ms", "20", "--heartbeat-ms",
                         "10", "--log-format", "json"),
    "equals_spelling": argv("--work-ms=0", "--units=0", "--heartbeat-ms=1"),
    "help": argv("-h"),
    "version": argv("--version"),
    "zero_heartbeat": argv("--heartbeat-ms", "0"),
    "too_long_unit": argv("--work-ms", "86400001"),
    "bad_name": argv("--name", "a/b"),
    "stray_word": argv("stray"),
    "bad_log_format": argv("--log-format", "yaml"),
}

CLI_TETHER = {
    "status": argv("status", "demo"),
    "status_json": argv("status", "demo", "--json"),
    "list": argv("list"),
    "list_json": argv("list", "--json"),
    "shutdown": argv("shutdown", "demo"),
    "shutdown_wait": argv("shutdown", "files", "--wait", "--timeout-ms", "60000"),
    "clean": argv("clean", "files"),
    "help": argv("--help"),
    "subcommand_help": argv("shutdown", "--help"),
    "version": argv("--version"),
    "no_subcommand": b"",
    "unknown_subcommand": argv("restart", "demo"),
    "missing_name": argv("status"),
    "bad_name": argv("clean", ".x"),
    "zero_timeout": argv("shutdown", "demo", "--timeout-ms", "0"),
    "foreign_flag": argv("list", "--wait"),
    "two_subcommands": argv("status", "a", "list"),
}

for corpus_name, seeds in (("segment", SEGMENT), ("names", NAMES), ("controller_events", CONTROLLER_EVENTS),
                           ("scenario", SCENARIO), ("schedule", SCHEDULE), ("cli_controller", CLI_CONTROLLER),
                           ("cli_listener", CLI_LISTENER), ("cli_tether", CLI_TETHER)):
    for seed_name, seed in seeds.items():
        write(corpus_name, seed_name, seed)
