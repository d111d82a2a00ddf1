"""Command line: ``python -m hw1lib COMMAND ...``.

Every user mistake (a bad file, value or name) ends with exit status 2 and one line on stderr
that names the problem; tracebacks are kept for bugs.
"""

import argparse
import ast
import json
import re

from .common import count
from .errors import Hw1libError, Terminated, one_line, say
from .runs.config import RunConfig, known_names

DEFAULTS = RunConfig()


class UsageError(Hw1libError):
    """A command-line argument argparse rejected."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line in the package's format (no usage dump), so scripts can show it as is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # argparse takes "-1e-3" for an option; a negative value must reach the check that names it.
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

    def error(self, message):
        raise UsageError(message)


def add_data_argument(parser):
    parser.add_argument(
        "--data",
        default="mnist-5k",
        metavar="SPEC",
        help="mnist-5k (default), mnist, fashion-mnist, or a folder with train.npz/test.npz "
        "or the four MNIST idx files",
    )


def add_config_arguments(parser):
    """The hyperparameter options shared by every command that trains."""
    names = known_names()
    parser.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=list(DEFAULTS.hidden),
        metavar="N",
        help=f"hidden layer sizes (default {' '.join(map(str, DEFAULTS.hidden))})",
    )
    parser.add_argument("--activation", default=DEFAULTS.activation, help=f"one of {', '.join(names['activation'])}")
    parser.add_argument(
        "--latent-activation",
        default=None,
        metavar="NAME",
        help="activation of the last hidden layer only, e.g. identity for a linear 2-unit layer "
        "(default: --activation)",
    )
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
    values = dict(
        hidden=tuple(args.hidden),
        activation=args.activation,
        latent_activation=args.latent_activation,
        init=args.init,
        init_std=args.init_std,
        optimizer=args.optimizer,
        lr=args.lr,
        momentum=args.momentum,
        batch_size=args.batch_size,
        epochs=args.epochs,
        max_iterations=args.max_iterations,
        seed=args.seed,
        normalize=args.normalize,
        eval_every=args.eval_every,
    )
    values.update(overrides)
    return RunConfig(**values)


def configure_train(parser):
    add_data_argument(parser)
    add_config_arguments(parser)
    parser.add_argument("--no-cache", action="store_true", help="always train, never read or write the run cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the results")


def run_train(args):
    from .data.datasets import load_dataset
    from .runs.cache import cached_train

    config = config_from_args(args)
    dataset = load_dataset(args.data)
    history = cached_train(config, dataset, progress=not (args.quiet or args.json), use_cache=not args.no_cache)
    if args.json:
        print(json.dumps(history.summary()))
        return 0
    print(f"data    {dataset.name}")
    print(f"config  {config.describe()}")
    print(f"{'epoch':>7} {'train loss':>11} {'train err':>10} {'test err':>9}")
    for epoch, loss, train_err, test_err in zip(
        history.eval_epoch, history.train_loss, history.train_error, history.test_error, strict=False
    ):
        print(f"{epoch:7.2f} {loss:11.4f} {train_err:10.2%} {test_err:9.2%}")
    status = "DIVERGED (loss not finite), " if history.diverged else ""
    source = " (from cache)" if history.from_cache else ""
    print(
        f"final   {status}train error {history.final_train_error:.2%}, test error {history.final_test_error:.2%}, "
        f"{history.iterations} updates in {history.seconds:.1f} s{source}"
    )
    return 0


def configure_bench_widgets(parser):
    add_data_argument(parser)
    parser.add_argument("--repeats", type=int, default=3, help="trials, each an uncached and a cached change")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one change")


def run_bench_widgets(args):
    from .explorer.latency import run_benchmark

    return run_benchmark(args.data, repeats=args.repeats, timeout=args.timeout)


def configure_sweep(parser):
    from .search.sweep import BENCH_TRIALS, DEFAULT_TRIALS

    add_data_argument(parser)
    parser.add_argument(
        "--trials",
        type=int,
        default=None,
        help=f"configurations to try (default {DEFAULT_TRIALS}; with --bench {BENCH_TRIALS})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="parallel workers (default: all local cores, or every thread of the Dask cluster)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="run the trials on this Dask scheduler, e.g. tcp://127.0.0.1:8786",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the validation split, the sample of configurations and every trial (default 0)",
    )
    parser.add_argument(
        "--fraction", type=float, default=0.1, help="share of the training images held out for validation (default 0.1)"
    )
    parser.add_argument(
        "--screen",
        type=int,
        nargs=2,
        metavar=("EPOCHS", "KEEP"),
        default=None,
        help="train every trial for EPOCHS epochs first, and only the KEEP best for their full "
        "budget (the report's sweep: --screen 2 8); default: every trial gets the full budget",
    )
    parser.add_argument("--top", type=int, default=10, help="rows of the table (default 10)")
    parser.add_argument("--no-cache", action="store_true", help="always train, never read or write the run cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every trial and the choice")
    parser.add_argument(
        "--bench",
        action="store_true",
        help="instead of a sweep, time --trials uncached trials with 1 job and with --jobs",
    )


def run_sweep(args):
    from .data.datasets import load_dataset
    from .search.sweep import DEFAULT_TRIALS, Screening
    from .search.sweep import run_sweep as sweep
    from .search.tables import format_table

    count("--top", args.top)  # checked now, not after minutes of training
    screen = None
    if args.screen is not None:
        count("--screen EPOCHS", args.screen[0])
        count("--screen KEEP", args.screen[1])
        screen = Screening(*args.screen)
    if args.bench and args.scheduler:
        raise UsageError("--bench times local processes; it does not take --scheduler")
    if args.bench and args.screen:
        raise UsageError("--bench times whole trials; it does not take --screen")
    dataset = load_dataset(args.data)
    progress = not (args.quiet or args.json)
    if args.bench:
        return _run_bench(args, dataset, progress)
    trials = DEFAULT_TRIALS if args.trials is None else args.trials
    result = sweep(
        dataset,
        trials=trials,
        seed=args.seed,
        fraction=args.fraction,
        jobs=args.jobs,
        scheduler=args.scheduler,
        progress=progress,
        use_cache=not args.no_cache,
        screen=screen,
    )
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(f"data     {result.split_name}")
    cached = result.runs - result.trained
    where = (
        f"{result.trained} trained on {result.workers}, {cached} from the cache"
        if result.trained
        else "all from the cache"
    )
    runs = f" ({result.runs} runs: {len(result.continued)} taken on to their whole budget)" if result.continued else ""
    print(f"trials   {len(result.trials)}{runs}: {where}, {result.seconds:.1f} s")
    if result.screen is not None:
        epochs = result.screen.epochs
        print(
            f"screen   all trained {epochs} epoch{'s' if epochs > 1 else ''} first; {len(result.stopped)} stopped "
            f"there, {len(result.continued)} went on"
        )
    print(format_table(result, args.top))
    best = result.best
    print(f"chosen   {result.chosen.describe()}")
    print(f"         (trial {best.index}: validation error {best.val_error:.2%} at epoch {best.best_epoch})")
    final = result.final
    print(
        f"test     error {final.final_test_error:.2%} after training on all {len(dataset.train_y):,} training "
        f"images ({'from the cache' if final.from_cache else f'{final.seconds:.1f} s'})"
    )
    return 0


def _run_bench(args, dataset, progress):
    from .search.sweep import BENCH_TRIALS, benchmark

    trials = BENCH_TRIALS if args.trials is None else args.trials
    result = benchmark(
        dataset, trials=trials, seed=args.seed, fraction=args.fraction, jobs=args.jobs, progress=progress
    )
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"data     {dataset.name}")
    print(f"trials   {result['trials']} (the same ones twice, nothing cached)")
    print(f"1 job    {result['seconds_1']:7.1f} s  {result['trials_per_minute_1']:6.1f} trials/min")
    print(
        f"{result['jobs']} jobs   {result['seconds_parallel']:7.1f} s  "
        f"{result['trials_per_minute_parallel']:6.1f} trials/min"
    )
    print(f"speed-up {result['speedup']:.2f}x on {result['cores']} cores")
    return 0


def _literal(text):
    """A -p value: a Python literal (number, list, ...) when it parses as one, else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def configure_report(parser):
    from .report.pdf import DEFAULT_ENGINE, ENGINES  # light; report.build (nbformat, ...) loads in run_report

    parser.add_argument(
        "--data",
        metavar="SPEC",
        help="mnist-5k (default), mnist, fashion-mnist, or a folder with train.npz/test.npz "
        "or the four MNIST idx files",
    )
    parser.add_argument(
        "--data-name",
        metavar="NAME",
        help="what the report calls the data (default: mnist-5k, MNIST, Fashion-MNIST, or the folder's own name)",
    )
    parser.add_argument("--out", default="report", metavar="DIR", help="output folder (default report/)")
    # The main model (questions 1, 2 and 4) is chosen by the validation sweep (-p sweep_trials N, -p sweep_epochs E);
    # these set the networks whose settings a question fixes itself.
    parser.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        metavar="N",
        help="hidden layer sizes of question 3's network before its 2-unit layer, and of the first "
        "sigmoid attempt's rerun in appendix A (default 256)",
    )
    parser.add_argument("--batch-size", type=int, help="mini-batch size of the same networks (default 32)")
    parser.add_argument("--epochs", type=int, help="epochs of the first sigmoid attempt's rerun (default 10)")
    parser.add_argument(
        "--seed", type=int, help="seed of every run, of the validation split and of the sweep's sample (default 0)"
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="any other notebook parameter, e.g. -p seeds 5 (values are Python literals)",
    )
    parser.add_argument("--title", help="the report's title")
    parser.add_argument(
        "--subtitle", help="a line under the title (any script, e.g. Chinese; it needs a font for that script)"
    )
    parser.add_argument("--author", default="", help="the author's name, shown on the first page when given")
    parser.add_argument("--student-id", default="", help="the author's student ID, shown on the first page when given")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    parser.add_argument(
        "--pdf-engine",
        choices=list(ENGINES),
        default=DEFAULT_ENGINE,
        help=f"what prints the PDF (default {DEFAULT_ENGINE}; chromium needs the browser installed)",
    )
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks executed at a time (default 2)")
    parser.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="train every run of the report on this Dask scheduler's workers, e.g. tcp://10.0.0.5:8786 "
        "(default: this machine's cores; the same as -p scheduler ADDR)",
    )
    parser.add_argument(
        "--notebooks", metavar="DIR", help="folder holding the four notebooks (default: the repository's notebooks/)"
    )


def run_report(args):
    from .report.build import SUBTITLE, TITLE, build_report

    title = TITLE if args.title is None else args.title
    subtitle = SUBTITLE if args.subtitle is None else args.subtitle
    overrides = {name: _literal(value) for name, value in args.parameter}
    for name in ("data", "data_name", "hidden", "batch_size", "epochs", "seed", "scheduler"):
        value = getattr(args, name)
        if value is not None:
            overrides[name] = value
    count("--jobs", args.jobs)
    build_report(
        args.out,
        overrides,
        title=title,
        subtitle=subtitle,
        author=args.author,
        student_id=args.student_id,
        make_pdf=not args.no_pdf,
        pdf_engine=args.pdf_engine,
        jobs=args.jobs,
        folder=args.notebooks,
    )
    return 0


def configure_bench(parser):
    from .bench import BATCH_SIZES, ROUNDS

    parser.add_argument(
        "--data", default=None, metavar="SPEC", help="any dataset spec (default: synthetic 60,000 x 784 float32 inputs)"
    )
    parser.add_argument("--hidden", type=int, default=256, metavar="N", help="hidden layer size (default 256)")
    parser.add_argument(
        "--batch-size",
        type=int,
        nargs="+",
        default=list(BATCH_SIZES),
        metavar="B",
        help=f"batch sizes (default {' '.join(map(str, BATCH_SIZES))})",
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, metavar="R", help=f"interleaved rounds, the best kept (default {ROUNDS})"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object with the results")


def run_bench(args):
    from .bench import check_options, format_report, load_bench_data, run_benchmark

    check_options(args.hidden, args.batch_size, args.rounds)  # before the data is made or loaded
    result = run_benchmark(
        load_bench_data(args.data), hidden=args.hidden, batch_sizes=args.batch_size, rounds=args.rounds
    )
    print(json.dumps(result) if args.json else format_report(result))
    return 0


COMMANDS = {
    "train": ("train one network and print its errors", configure_train, run_train),
    "report": ("execute the four notebooks and write the report as HTML and PDF", configure_report, run_report),
    "bench-widgets": (
        "time how fast the explorer shows new curves after a slider change",
        configure_bench_widgets,
        run_bench_widgets,
    ),
    "sweep": ("choose the hyperparameters on a validation split (parallel random search)", configure_sweep, run_sweep),
    "bench": (
        "time a training epoch of hw1lib, PyTorch and scikit-learn against the BLAS bound",
        configure_bench,
        run_bench,
    ),
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
        say(f"hw1lib: error: {one_line(error)}")
        return 2
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM during a report (which says what it kept)
        what = "terminated" if isinstance(error, Terminated) else "interrupted"
        say(f"hw1lib: {what}{f': {one_line(error)}' if str(error) else ''}")
        return 143 if isinstance(error, Terminated) else 130
