"""The measuring code against real tiny commands: hyperfine, the fallback timer, GNU time, callgrind."""

import sys

import pytest

from pkg.compile import startup
from pkg.core.errors import PkgError

PASS = [sys.executable, "-I", "-c", "pass"]


@pytest.mark.parametrize("cmd", [PASS, ["/bin/true"]])
def test_hyperfine_measures_real_commands(cmd):
    result = startup.measure(cmd, runs=3, warmup=1)
    assert result["tool"] == "hyperfine" and result["runs"] == 3
    assert 0 < result["min_ms"] <= result["median_ms"] <= result["max_ms"]


def test_arguments_with_spaces_and_quotes_reach_the_program_intact():
    # hyperfine exits non-zero when the program does: this fails unless the quoting is right.
    check = "import sys; sys.exit(sys.argv[1:] != [\"a b\", \"it's\"])"
    assert startup.measure([sys.executable, "-I", "-c", check, "a b", "it's"], runs=2, warmup=0)["runs"] == 2


def test_fallback_timer_says_it_is_the_fallback():
    result = startup.measure(["/bin/true"], runs=3, warmup=1, use_hyperfine=False)
    assert result["tool"].startswith("python-timer") and "hyperfine not found" in result["tool"]
    assert result["runs"] == 3 and result["min_ms"] <= result["median_ms"]


@pytest.mark.parametrize("use_hyperfine", [True, False])
def test_a_failing_command_is_an_error(use_hyperfine):
    with pytest.raises(PkgError):
        startup.measure(["/bin/false"], runs=2, warmup=0, use_hyperfine=use_hyperfine)


def test_peak_rss_is_the_child_not_this_process():
    small = startup.peak_rss_kb(PASS, runs=3)
    big = startup.peak_rss_kb([sys.executable, "-I", "-c", "b = bytearray(100 * 2**20); b[::4096] = b'x' * 25600"],
                              runs=3)
    assert small < 40_000  # a bare interpreter, not pytest's own size leaking in through vfork
    assert big - small > 90_000


def test_peak_rss_of_a_failing_command_is_an_error():
    with pytest.raises(PkgError, match=r"^/bin/false, its memory measured, failed \(exit 1\): "):
        startup.peak_rss_kb(["/bin/false"], runs=1)


def test_concurrent_starts_report_percentiles_and_failures():
    ok = startup.concurrent(["/bin/true"], 20)
    assert ok["all_ok"] and ok["n"] == 20 and ok["failed"] == 0
    assert 0 < ok["p50_ms"] <= ok["p95_ms"] <= ok["max_ms"] <= ok["wall_ms"]
    bad = startup.concurrent(["/bin/false"], 5)
    assert not bad["all_ok"] and bad["failed"] == 5


def test_instruction_counts_are_real_and_ordered():
    true_count = startup.instructions(["/bin/true"])
    python_count = startup.instructions(PASS)
    assert 10_000 < true_count < 5_000_000 < python_count


def test_callgrind_total_reads_the_summary_line():
    assert startup.callgrind_total("events: Ir\nfn=main\n5 10\nsummary: 12345\n") == 12345
    assert startup.callgrind_total("events: Ir\ntotals: 77\n") == 77
    with pytest.raises(PkgError, match="no summary"):
        startup.callgrind_total("events: Ir\n")


def test_percentile_is_nearest_rank():
    values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10]
    assert startup.percentile(values, 50) == 5
    assert startup.percentile(values, 95) == 10
    assert startup.percentile([42.0], 95) == 42.0
