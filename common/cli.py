"""Command-line helpers shared by the four examples: the same flags everywhere, presets, and
one-line errors with exit status 2 instead of tracebacks."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from common import environment
from common.errors import Interrupted, UserError
from common.interrupts import handling_interrupts
from common.resume import load_run_config

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the usage block before its error; ours is one line naming the flag."""

    def error(self, message: str):  # noqa: D401 - argparse API
        if message.endswith("expected one argument"):  # "--axes -y,x,z" reads -y as a flag
            message += "; a value that starts with - goes after an equals sign: --flag=-value"
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _whole_number(text: str, minimum: int, rule: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {rule}, got {value}")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "a positive whole number")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "0 or more")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


class StoreWithFlag(argparse.Action):
    """Store the value, and the spelling of the flag that gave it (`<dest>_flag`), so that an
    error names the alias the user typed (--run or --model)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, f"{self.dest}_flag", option_string)


def preset_default(presets: dict, key: str) -> str:
    return "(default: " + ", ".join(f"{name} preset {p[key]}" for name, p in presets.items()) + ")"


def preset_table(presets: dict) -> str:
    """Every preset's values, for the end of --help: what `--preset NAME` sets."""
    lines = ["presets (every value; the flags above override a few):"]
    for name, values in presets.items():
        lines.append(f"  {name}:")
        settings = [f"{key}={value}" for key, value in values.items()]
        line = "   "
        for setting in settings:
            if len(line) + len(setting) > 95:
                lines.append(line.rstrip())
                line = "   "
            line += f" {setting}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def build_parser(prog: str, description: str, presets: dict,
                 epoch_help: str = "training epochs", seed: int = 42) -> OneLineParser:
    """The flags every example shares, and its commands: `train` (the default, so `SCRIPT
    --preset best` trains) and those `add_command` adds. Training flags default to None so
    that only the flags a user actually gives override the preset's values."""
    parser = OneLineParser(
        prog=prog,
        description=description,
        epilog=preset_table(presets),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--preset", choices=list(presets), default=next(iter(presets)),
                        help=f"configuration to run (default: {next(iter(presets))})")
    parser.add_argument("--epochs", type=positive_int,
                        help=f"{epoch_help} " + preset_default(presets, "epochs"))
    parser.add_argument("--batch-size", type=positive_int,
                        help="samples per training step " + preset_default(presets, "batch_size"))
    parser.add_argument("--learning-rate", type=positive_float,
                        help="optimizer step size " + preset_default(presets, "learning_rate"))
    parser.add_argument("--seed", type=non_negative_int, default=seed,
                        help=f"seed for the data split and initialisation (default: {seed})")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="folder searched first for the data set; downloads land there "
                             f"(default: {DEFAULT_DATA_DIR})")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="run folder, absent or empty (default: runs/<example>/<timestamp>)")
    parser.add_argument("--dry-run", action="store_true",
                        help="a few hundred samples, 2 epochs and at most 2 networks of an "
                             "ensemble, to check that everything runs (default: off)")
    parser.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto",
                        help="where to train: auto uses a GPU when TensorFlow sees one "
                             "(default: auto)")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN_DIR",
                        help="continue an interrupted run in RUN_DIR with its own configuration "
                             "(only --data-dir, --device and --debug may be given with it)")
    parser.add_argument("--devices", type=positive_int, default=None,
                        help="train on N logical CPU devices with MirroredStrategy, to try "
                             "multi-device training without GPUs (default: off; several GPUs "
                             "and TF_CONFIG clusters are used automatically)")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="compute in float16 on GPU (bfloat16 on CPU), keeping the output "
                             "layer and the loss in float32 (default: off)")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback on errors (default: off)")
    parser.commands = parser.add_subparsers(
        dest="command", title="commands", metavar="COMMAND", parser_class=OneLineParser)
    parser.commands.add_parser(
        "train", help=f"train and evaluate with the flags above (the default: `{prog} "
                      f"--preset best` is `{prog} train --preset best`)")
    return parser


def add_command(parser: OneLineParser, name: str, help: str) -> OneLineParser:
    """A command after the training, e.g. `SCRIPT predict ...`, listed by `SCRIPT --help`."""
    command = parser.commands.add_parser(name, help=help, description=help,
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("--debug", action="store_true",
                         help="show the full traceback on errors (default: off)")
    return command


RESUME_OVERRIDES = ("--resume", "--data-dir", "--device", "--debug")


def parse_training_args(parser: argparse.ArgumentParser, args: argparse.Namespace,
                        argv: Sequence[str], example: str) -> argparse.Namespace:
    """The training flags of argv; with `--resume RUN_DIR`, those of the run's own saved
    command line instead (plus --data-dir/--device/--debug given now), RUN_DIR being the
    output folder."""
    args.argv, args.script = list(argv), parser.prog
    if args.resume is None:
        return args
    extra = [a for a in argv if a.startswith("--") and a.split("=")[0] not in RESUME_OVERRIDES]
    if extra:
        raise UserError(f"--resume continues a run with its own configuration; drop "
                        f"{', '.join(extra)} (or start a new run)")
    saved = load_run_config(args.resume, example, parser.prog)
    overrides, skip = [], False
    for item in argv:  # keep what was given with --resume, except --resume itself
        if skip:
            skip = False
        elif item == "--resume":
            skip = True
        elif not item.startswith("--resume="):
            overrides.append(item)
    resumed = parser.parse_args([*saved["argv"], *overrides])
    resumed.argv = [*saved["argv"], *(o for o in overrides if o != "--debug")]
    resumed.resume, resumed.output_dir, resumed.script = args.resume, args.resume, parser.prog
    resumed.saved_config = saved  # the preset as the run had it (resolve_config)
    return resumed


def resolve_config(args: argparse.Namespace, presets: dict) -> dict:
    """The preset's values, overridden by each flag the user gave, plus the shared flags. A
    resumed run keeps the values its config.json recorded, even where the preset has changed
    since; one started before the preset gained an option is refused (it would continue as
    another model)."""
    config = dict(presets[args.preset])
    saved = getattr(args, "saved_config", None)
    if saved is not None:
        missing = [key for key in config if key not in saved]
        if missing:
            raise UserError(f"--resume {args.resume}: the run was started before the "
                            f"{args.preset} preset gained {', '.join(missing)} (its config.json "
                            f"lacks {'it' if len(missing) == 1 else 'them'}); start a new run")
        return {**{key: saved[key] for key in config}, "preset": args.preset,
                "seed": args.seed, "dry_run": args.dry_run}
    for key in config:
        value = getattr(args, key, None)
        if value is not None:
            config[key] = value
    config["preset"] = args.preset
    config["seed"] = args.seed
    config["dry_run"] = args.dry_run
    if args.dry_run and args.epochs is None:
        config["epochs"] = min(config["epochs"], 2)
    if args.dry_run and "ensemble" in config:  # two networks check the ensemble's path
        config["ensemble"] = min(config["ensemble"], 2)
    return config


def run_cli(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
            example: str | None = None, **commands: Callable[[argparse.Namespace], object]):
    """Parse argv and run its command (`train` unless another is named; an example's training
    flags are resolved against --resume) with the parsed flags. A UserError becomes one line
    on stderr and exit status 2, Ctrl-C or SIGTERM exit status 130."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        argv = argv[1:]  # the training flags live on the main parser
    with handling_interrupts():  # SIGTERM as Ctrl-C, until the command is done
        try:
            args = parser.parse_args(argv)
            args.argv = argv
            environment.check_versions()  # before an old Keras fails deep inside training
            command = getattr(args, "command", None) or "train"
            if command == "train" and example is not None:
                args = parse_training_args(parser, args, argv, example)
            return commands[command](args)
        except UserError as error:
            if "--debug" in argv:
                traceback.print_exc()
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(EXIT_USER_ERROR) from None
        except Interrupted as error:
            print(f"{error}", file=sys.stderr)
            raise SystemExit(EXIT_INTERRUPTED) from None
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise SystemExit(EXIT_INTERRUPTED) from None
