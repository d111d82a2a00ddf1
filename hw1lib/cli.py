"""Command line: ``python -m hw1lib COMMAND ...``.

Every user mistake (a bad file, value or name) ends with exit status 2 and one line on stderr
that names the problem; tracebacks are kept for bugs.
"""
import argparse
import json
import sys

from .config import RunConfig, known_names
from .errors import Hw1libError

DEFAULTS = RunConfig()


class UsageError(Hw1libError):
    """A command-line argument argparse rejected."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage dump) so scripts can show it as is."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def add_data_argument(parser):
    parser.add_argument("--data", default="mnist-5k", metavar="SPEC",
                        help="mnist-5k (default), mnist, fashion-mnist, or a folder with train.npz/test.npz "
                             "or the four MNIST idx files")


def add_config_arguments(parser):
    """The hyperparameter options shared by every command that trains."""
    names = known_names()
    parser.add_argument("--hidden", type=int, nargs="+", default=list(DEFAULTS.hidden), metavar="N",
                        help=f"hidden layer sizes (default {' '.join(map(str, DEFAULTS.hidden))})")
    parser.add_argument("--activation", default=DEFAULTS.activation, help=f"one of {', '.join(names['activation'])}")
    parser.add_argument("--init", default=DEFAULTS.init, help=f"one of {', '.join(names['init'])}")
    parser.add_argument("--init-std", type=float, default=DEFAULTS.init_std, help="std for --init normal")
    parser.add_argument("--optimizer", default=DEFAULTS.optimizer, help=f"one of {', '.join(names['optimizer'])}")
    parser.add_argument("--lr", type=float, default=DEFAULTS.lr, help="learning rate")
    parser.add_argument("--momentum", type=float, default=DEFAULTS.momentum, help="for --optimizer momentum")
    parser.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
    parser.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
    parser.add_argument("--max-iterations", type=int, default=None, help="stop after this many updates")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--normalize", default=DEFAULTS.normalize, help=f"one of {', '.join(names['normalize'])}")
    parser.add_argument("--eval-every", type=int, default=0, help="also evaluate every N updates")


def config_from_args(args, **overrides):
    """The RunConfig the parsed options describe (validated)."""
    values = dict(hidden=tuple(args.hidden), activation=args.activation, init=args.init, init_std=args.init_std,
                  optimizer=args.optimizer, lr=args.lr, momentum=args.momentum, batch_size=args.batch_size,
                  epochs=args.epochs, max_iterations=args.max_iterations, seed=args.seed,
                  normalize=args.normalize, eval_every=args.eval_every)
    values.update(overrides)
    return RunConfig(**values)


def configure_train(parser):
    add_data_argument(parser)
    add_config_arguments(parser)
    parser.add_argument("--no-cache", action="store_true", help="always train, never read or write the run cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the results")


def run_train(args):
    from .cache import cached_train
    from .data import load_dataset

    config = config_from_args(args)
    dataset = load_dataset(args.data)
    history = cached_train(config, dataset, progress=not (args.quiet or args.json), use_cache=not args.no_cache)
    if args.json:
        print(json.dumps(history.summary()))
        return 0
    print(f"data    {dataset.name}")
    print(f"config  {config.describe()}")
    print(f"{'epoch':>7} {'train loss':>11} {'train err':>10} {'test err':>9}")
    for epoch, loss, train_err, test_err in zip(history.eval_epoch, history.train_loss,
                                                history.train_error, history.test_error):
        print(f"{epoch:7.2f} {loss:11.4f} {train_err:10.2%} {test_err:9.2%}")
    status = "DIVERGED (loss not finite), " if history.diverged else ""
    source = " (from cache)" if history.from_cache else ""
    print(f"final   {status}train error {history.final_train_error:.2%}, test error {history.final_test_error:.2%}, "
          f"{history.iterations} updates in {history.seconds:.1f} s{source}")
    return 0


def configure_bench(parser):
    from .bench import BATCH_SIZES, ROUNDS

    parser.add_argument("--data", default=None, metavar="SPEC",
                        help="any dataset spec (default: synthetic 60,000 x 784 float32 inputs)")
    parser.add_argument("--hidden", type=int, default=256, metavar="N", help="hidden layer size (default 256)")
    parser.add_argument("--batch-size", type=int, nargs="+", default=list(BATCH_SIZES), metavar="B",
                        help=f"batch sizes (default {' '.join(map(str, BATCH_SIZES))})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, metavar="R",
                        help=f"interleaved rounds, the best kept (default {ROUNDS})")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the results")


def run_bench(args):
    from .bench import check_options, format_report, load_bench_data, run_benchmark

    check_options(args.hidden, args.batch_size, args.rounds)  # before the data is made or loaded
    result = run_benchmark(load_bench_data(args.data), hidden=args.hidden, batch_sizes=args.batch_size,
                           rounds=args.rounds)
    print(json.dumps(result) if args.json else format_report(result))
    return 0


COMMANDS = {
    "train": ("train one network and print its errors", configure_train, run_train),
    "bench": ("time a training epoch of hw1lib, PyTorch and scikit-learn against the BLAS bound",
              configure_bench, run_bench),
}


def build_parser():
    parser = Parser(prog="hw1lib", description="From-scratch NumPy MLP for handwritten digits, and its report.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for name, (help_text, configure, run) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        configure(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except Hw1libError as error:
        message = str(error).replace("\n", " ")
        print(message if message.startswith("hw1lib") else f"hw1lib: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hw1lib: interrupted", file=sys.stderr)
        return 130
