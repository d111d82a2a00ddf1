"""The facts of the report's Method section: the data, the chosen network and how it was chosen."""

from .models_facts import network_facts


def method_facts(study, dataset):
    """A flat record from question 1's ``ModelsStudy`` and the ``dataset`` it trained on."""
    b, sweep, c = study.baselines, study.sweep, study.chosen.config
    counts = b.train_counts
    optimisers = [name for name, _, _ in sweep.space.lr_ranges]
    return {
        "data_name": dataset.title or dataset.name,
        "n_train": b.n_train,
        "n_test": b.n_test,
        "n_classes": b.n_classes,
        "side": round(dataset.n_features**0.5),
        "n_inputs": dataset.n_features,
        "balanced": b.balanced,
        "fewest": min(counts),
        "most": max(counts),
        "fewest_class": b.name(counts.index(min(counts))),
        "most_class": b.name(counts.index(max(counts))),
        "layers": "-".join(map(str, (dataset.n_features, *c.hidden, b.n_classes))),
        **network_facts(c),
        "seeds": len(study.seeds),
        "trials": len(sweep.trials),
        "n_val": sweep.n_val,
        "n_fit": sweep.n_fit,
        "fraction": sweep.fraction,
        "screened": sweep.screen is not None,
        "screen_epochs": sweep.screen.epochs if sweep.screen else 0,
        "kept": sweep.screen.keep if sweep.screen else len(sweep.trials),
        "max_epochs": max(sweep.space.epochs),
        "searched_momentum": "momentum" in optimisers,
        "searched_adam": "adam" in optimisers,
        "sigmoid_lr": study.sigmoid.config.lr,
        "sigmoid_rates": len(study.sigmoid_trials),
    }
