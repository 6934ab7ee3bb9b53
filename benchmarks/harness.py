"""`python -m benchmarks`: run the examples' scripts as child processes (seed by seed), collect
their metrics.json with wall time, time per epoch, throughput and peak memory, compute the
baselines on the same splits, and write results/<date>-<machine>.json plus a Markdown table
and one PNG per example (<date>-<machine>-<example>.png: every preset, seed and baseline).

Results accumulate: a second command on the same day and machine adds to (or replaces rows of)
the same JSON, so the examples can be measured in several sittings."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Sequence
from unittest import mock

from common import cli, environment, training
from common.runs import write_json

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = {"spam": "spam_rnn.py", "airline": "airline_lstm.py",
           "sentiment": "sentiment_lstm.py", "har": "har_lstm.py"}
PRESETS = ("chapter", "best")


def comma_list(choices: Sequence[str]):
    def parse(text: str) -> list[str]:
        items = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in items if item not in choices]
        if unknown or not items:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join(choices)}, got {text!r}")
        return list(dict.fromkeys(items))
    return parse


def results_file_name(text: str) -> str:
    """A results name (`2026-11-28-vm-cpu2`, `.json` optional): a plain file name, no folder."""
    name = text[:-len(".json")] if text.endswith(".json") else text
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise argparse.ArgumentTypeError(
            f"expected a file name of letters, digits, '.', '_' and '-' (such as "
            f"2026-11-28-vm-cpu2), got {text!r}")
    return name


def seed_list(text: str) -> list[int]:
    """`5` -> seeds 0..4; `0-7,42,100` -> exactly those (ranges inclusive), in order."""
    if text.strip().isdigit():
        count = cli.positive_int(text)
        return list(range(count))
    seeds = []
    for item in (part.strip() for part in text.split(",")):
        low, _, high = item.partition("-")
        if not low.isdigit() or not (high.isdigit() or not high) or int(high or low) < int(low):
            raise argparse.ArgumentTypeError(
                f"expected a count (5) or a list of seeds and ranges (0-7,42,100), got {text!r}")
        seeds += range(int(low), int(high or low) + 1)
    return list(dict.fromkeys(seeds))


def build_parser() -> argparse.ArgumentParser:
    parser = cli.OneLineParser(prog="python -m benchmarks", description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=comma_list(list(SCRIPTS)), default=list(SCRIPTS),
                        help="examples to run (default: spam,airline,sentiment,har)")
    parser.add_argument("--presets", type=comma_list(PRESETS), default=list(PRESETS),
                        help="presets to run (default: chapter,best)")
    parser.add_argument("--seeds", type=seed_list, default=list(range(5)),
                        help="seeds per example and preset: a count N for 0..N-1, or a list "
                             "such as 0-7,42,100 (default: 5)")
    parser.add_argument("--baselines-only", action="store_true",
                        help="compute only the baselines of these examples and seeds, keeping "
                             "the runs already in the day's results (default: off)")
    parser.add_argument("--quick", action="store_true",
                        help="dry-run sizes (a few hundred samples, 2 epochs; auto-ARIMA "
                             "searches 3 orders): checks the harness, not the models "
                             "(default: off)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the UCI HAR data for har (default: the script's own "
                             "default, which downloads it); the other examples use data/")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "benchmarks" / "results",
                        help="where the JSON and Markdown go (default: benchmarks/results)")
    parser.add_argument("--results-name", type=results_file_name, default=None,
                        help="add to RESULTS_DIR/NAME.json (and its .md and figures) instead "
                             "of the day's <date>-<machine>: to complete an earlier day's "
                             "results on the same machine (default: the day's)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="run folders and logs of the scripts (default: "
                             "runs/benchmark/<timestamp>)")
    parser.add_argument("--timeout", type=cli.positive_int, default=None,
                        help="seconds before a run is stopped and counted as failed "
                             "(default: none)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (default: off)")
    return parser


"""## The machine"""


def describe_machine() -> dict:
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    gpu_names = [tf.config.experimental.get_device_details(g).get("device_name", g.name)
                 for g in gpus]
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in
                     Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        cpu = model
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    description = (f"{', '.join(gpu_names)} GPU" if gpu_names else "no GPU") + \
        f"; {os.cpu_count()} CPU cores ({cpu}); {platform.system()} {platform.machine()}"
    return {"host": socket.gethostname(), "cpu_count": os.cpu_count(), "cpu": cpu,
            "gpus": gpu_names, "description": description, "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__, "commit": commit or "unknown",
            "libraries": environment.package_versions(BASELINE_LIBRARIES)}


# What the baselines' figures depend on (statsmodels' default Holt-Winters fit, for one, landed
# on different optima on two machines; baselines.fit_holt_winters now keeps the best of three).
BASELINE_LIBRARIES = ("numpy", "scipy", "scikit-learn", "statsmodels")


def results_name(machine: dict, quick: bool) -> str:
    where = machine["gpus"][0] if machine["gpus"] else f"{machine['host']}-cpu{machine['cpu_count']}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-").lower()
    return f"{time.strftime('%Y-%m-%d')}-{slug}{'-quick' if quick else ''}"


"""## A candidate trained in this process (the preset selections)"""


@contextlib.contextmanager
def checks_on_averaged_weights():
    """Every script's early stopping (common/training.py) preceded by SwapEMAWeights, so that
    validation, the best check and its restore use the optimizer's moving average of the
    weights: for a candidate whose optimizer has `use_ema`."""
    from common.lazy import keras

    stopping = training.early_stopping
    with mock.patch.object(training, "early_stopping", lambda config: [
            keras.callbacks.SwapEMAWeights(swap_on_epoch=True), *stopping(config)]):
        yield


def candidate_config(config: dict, seed: int, quick: bool = False) -> dict:
    """A candidate preset's values as a script would resolve them (quick: 1 epoch)."""
    return dict(config, seed=seed, preset="candidate", dry_run=quick,
                **({"epochs": 1} if quick else {}))


@contextlib.contextmanager
def quiet_run(example: str, config: dict):
    """A throw-away run folder, as the scripts' training functions expect one, removed
    afterwards (its backups and TensorBoard logs are a few MB a fit); prints hidden."""
    with tempfile.TemporaryDirectory(prefix=f"{example}-selection-") as folder:
        args = argparse.Namespace(device="cpu", devices=None, mixed_precision=False, resume=None,
                                  output_dir=Path(folder) / "run", argv=[],
                                  script=SCRIPTS[example])
        with (contextlib.redirect_stdout(io.StringIO()),
              training.start_run(example, args, config) as run):
            yield run


def selection_parser(name: str, description: str) -> argparse.ArgumentParser:
    """The flags every preset selection shares: --candidates and --output (results/<date>-
    <name>-selection.json); each selection adds its own."""
    parser = cli.OneLineParser(prog=f"python -m benchmarks.{name}_selection",
                               description=description,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=lambda text: [c for c in text.split(",") if c],
                        default=None, help="candidates to score (default: all)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / (
                            time.strftime("%Y-%m-%d") + f"-{name}-selection.json"),
                        help="where the JSON goes (default: benchmarks/results/"
                             f"<date>-{name}-selection.json)")
    return parser


def load_selection(path: Path) -> dict:
    """A selection's earlier results (scored in several sittings, none is lost), or {}."""
    return json.loads(path.read_text()) if path.is_file() else {}


def save_selection(path: Path, results: dict) -> None:
    """Written after each candidate, whole or not at all: a later failure loses nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, results)


"""## One run of one script"""


def run_script(example: str, preset: str, seed: int, args, work_dir: Path) -> dict:
    """The script as a child process; wall time and peak resident memory from wait4."""
    run_dir = work_dir / f"{example}-{preset}-seed{seed}"
    log_path = work_dir / "logs" / f"{example}-{preset}-seed{seed}.log"
    command = [sys.executable, SCRIPTS[example], "--preset", preset, "--seed", str(seed),
               "--output-dir", str(run_dir)]
    if args.quick:
        command.append("--dry-run")
    if example == "har" and args.data_dir is not None:
        command += ["--data-dir", str(args.data_dir)]
    record = {"example": example, "preset": preset, "seed": seed,
              "command": " ".join(["python", *command[1:]]), "log": str(log_path)}
    print(f"[benchmark] {record['command']}", flush=True)
    start = time.perf_counter()
    with open(log_path, "w") as log:
        child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            status, usage = _wait(child, args.timeout)
        except BaseException:  # Ctrl-C: do not leave the child training on its own
            child.kill()
            child.wait()
            raise
    record["wall_seconds"] = round(time.perf_counter() - start, 2)
    record["peak_rss_mb"] = _megabytes(usage.ru_maxrss) if usage is not None else None
    record["returncode"] = status
    metrics_file = run_dir / "metrics.json"
    if status == 0 and metrics_file.is_file():
        metrics = json.loads(metrics_file.read_text())
        for bulky in ("one_step_forecast", "free_running_forecast"):
            metrics.pop(bulky, None)
        epochs = metrics.get("epochs")
        train_seconds = metrics.get("train_seconds")
        record.update(status="ok", metrics=metrics, device=metrics.get("device"),
                      epochs=sum(epochs) if isinstance(epochs, list) else epochs,
                      seconds_per_epoch=metrics.get("seconds_per_epoch"),  # every script sets it
                      samples_per_second=round(metrics["samples_seen"] / train_seconds, 1)
                      if metrics.get("samples_seen") and train_seconds else None)
    else:
        lines = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
        reason = "timed out" if status is None else f"exit {status}"
        record.update(status="failed", metrics={},
                      error=f"{reason}: {lines[-1][:200] if lines else 'no output'}")
    print(f"[benchmark]   {record['status']} in {record['wall_seconds']} s", flush=True)
    return record


def _wait(child: subprocess.Popen, timeout: int | None):
    """(exit status or None when killed for time, rusage of that child alone; None where
    the system has no wait4, as on Windows)."""
    if not hasattr(os, "wait4"):
        try:
            return child.wait(timeout), None
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            child.returncode = -9
            return None, None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage
        if deadline is not None and time.monotonic() > deadline:
            child.kill()
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            return None, usage
        time.sleep(0.2)


def _megabytes(max_rss: int) -> float:
    """ru_maxrss is in KiB on Linux, in bytes on macOS."""
    return round(max_rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def run_baselines(example: str, seeds: list[int], args) -> list[dict]:
    from benchmarks import baselines

    rows = []
    for seed in seeds if baselines.PER_SEED[example] else seeds[:1]:
        print(f"[benchmark] baselines for {example}, seed {seed}", flush=True)
        kwargs = {"data_dir": args.data_dir} if example == "har" else {}
        try:
            computed = baselines.BASELINES[example](seed, quick=args.quick, **kwargs)
        except Exception as error:  # a failed baseline is reported, never dropped
            if args.debug:
                traceback.print_exc()
            print(f"[benchmark] baselines for {example}, seed {seed} FAILED: {error} (--debug "
                  "shows where)", file=sys.stderr, flush=True)
            rows.append({"example": example, "name": "failed", "label": "baselines FAILED",
                         "short": "FAILED",
                         "seed": seed, "metrics": {}, "error": str(error)[:200]})
            continue
        for name, row in computed.items():
            rows.append({"example": example, "name": name, "seed": seed, **row})
    return rows


"""## Putting it together"""


def merge(old: list[dict], new: list[dict], key) -> list[dict]:
    """`old` with every row whose key `new` re-measures replaced by `new`'s rows of that key,
    where the first of them stood (the tables keep their seed order); then `new`'s other rows.
    A key may hold several rows (one per baseline)."""
    fresh: dict = {}
    for row in new:
        fresh.setdefault(key(row), []).append(row)
    replaced, merged = set(fresh), []
    for row in old:
        if key(row) not in replaced:
            merged.append(row)
        elif key(row) in fresh:
            merged.extend(fresh.pop(key(row)))
    return merged + [row for rows in fresh.values() for row in rows]


def save(results: dict, results_dir: Path, name: str) -> tuple[Path, Path]:
    from benchmarks import figures
    from benchmarks.report import render

    json_path, md_path = results_dir / f"{name}.json", results_dir / f"{name}.md"
    write_json(json_path, results)
    temp = md_path.with_name(md_path.name + ".tmp")
    temp.write_text(render(results))
    os.replace(temp, md_path)
    figures.render(results, results_dir, name)  # <name>-<example>.png, one per example
    return json_path, md_path


def run(args: argparse.Namespace) -> dict:
    if args.data_dir is not None:
        args.data_dir = args.data_dir.resolve()
    try:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        work_dir = (args.work_dir or ROOT / "runs" / "benchmark" / time.strftime("%Y%m%d-%H%M%S")).resolve()
        (work_dir / "logs").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SystemExit(f"error: cannot create {error.filename} ({error.strerror}); pass "
                         "writable --results-dir / --work-dir folders")
    machine = describe_machine()
    name = args.results_name or results_name(machine, args.quick)
    json_path = args.results_dir / f"{name}.json"
    results = json.loads(json_path.read_text()) if json_path.is_file() else {}
    command = "python -m benchmarks " + " ".join(args.argv)
    results.update(machine=machine, commands=[*results.get("commands", []), command.strip()])
    results.setdefault("runs", [])
    results.setdefault("baselines", [])
    seeds = args.seeds
    start = time.perf_counter()
    elapsed_before = results.get("total_seconds", 0)

    for example in args.examples:
        for preset in [] if args.baselines_only else args.presets:
            for seed in seeds:
                record = dict(run_script(example, preset, seed, args, work_dir),
                              commit=machine["commit"])  # sittings may differ in commit
                results["runs"] = merge(results["runs"], [record],
                                        key=lambda r: (r["example"], r["preset"], r["seed"]))
                results["total_seconds"] = round(elapsed_before + time.perf_counter() - start, 1)
                save(results, args.results_dir, name)  # written after every run: nothing lost
        rows = run_baselines(example, seeds, args)
        results["baselines"] = merge(results["baselines"], rows,
                                     key=lambda r: (r["example"], r["seed"]))
        results["total_seconds"] = round(elapsed_before + time.perf_counter() - start, 1)
        save(results, args.results_dir, name)
    json_path, md_path = save(results, args.results_dir, name)
    print(f"[benchmark] wrote {json_path} and {md_path}")
    return results


def main(argv: Sequence[str] | None = None):
    return cli.run_cli(build_parser(), argv, train=run)
