"""Small, learnable datasets the tests write themselves."""

import numpy as np


def striped_images(n, rng, n_classes=10):
    """(images uint8 (n, 28, 28), labels (n,)): class k lights up row band k, plus noise."""
    labels = np.arange(n) % n_classes
    rng.shuffle(labels)
    images = rng.integers(0, 60, size=(n, 28, 28))
    for k in range(n_classes):
        images[labels == k, 2 * k + 2 : 2 * k + 5, 4:24] += 180
    return np.clip(images, 0, 255).astype(np.uint8), labels


def write_course_folder(folder, n_train=300, n_test=100, seed=0, label_dtype=np.float64):
    """A folder in the course's format: train.npz and test.npz with keys image and label."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, n in (("train", n_train), ("test", n_test)):
        images, labels = striped_images(n, rng)
        np.savez(folder / f"{name}.npz", image=images, label=labels.astype(label_dtype))
    return folder


# The report's notebooks on a course folder, small enough to run in seconds. Tests that share these
# values share the cached runs, so each run trains once per test session.
SMALL_REPORT = {
    "epochs": 3,
    "hidden": [24],
    "batch_size": 32,
    "seed": 0,
    "stages": 6,
    "seed_report_lrs": [0.01, 1.0],
    "gallery_size": 8,
    "sweep_trials": 3,
    "sweep_epochs": 2,
    "sweep_screen_epochs": 1,
    "sweep_keep": 2,
    "sweep_jobs": 1,
    "sigmoid_lrs": 2,
}


def write_noisy_course_folder(folder, share=0.1, seed=0):
    """A course folder whose test labels are partly wrong, so every network makes some test errors."""
    write_course_folder(folder, seed=seed)
    rng = np.random.default_rng(seed + 1)
    with np.load(folder / "test.npz") as npz:
        image, label = npz["image"], npz["label"].copy()
    flip = rng.choice(len(label), size=round(share * len(label)), replace=False)
    label[flip] = (label[flip] + rng.integers(1, 10, size=len(flip))) % 10
    np.savez(folder / "test.npz", image=image, label=label)
    return folder


def record_training(monkeypatch, module):
    """Make ``module.train`` record each (config, dataset) it is called with, then train as usual.

    Returns the list the calls are appended to; reads from the run cache never reach it.
    """
    calls = []
    real = module.train

    def spy(config, dataset, **kwargs):
        calls.append((config, dataset))
        return real(config, dataset, **kwargs)

    monkeypatch.setattr(module, "train", spy)
    return calls


def write_unbalanced_course_folder(folder, seed=0, share=0.1):
    """A course folder whose classes are unbalanced 2:1 (class 0 the most frequent, class 9 the least),
    with part of the test labels of classes 1-9 wrong so that every network makes some test errors."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    per_class = np.round(np.linspace(2, 1, 10) * 30).astype(int)  # 60 down to 30 training images
    for name, scale in (("train", 1), ("test", 0.5)):
        labels = rng.permutation(np.repeat(np.arange(10), np.round(per_class * scale).astype(int)))
        images = rng.integers(0, 60, size=(len(labels), 28, 28))
        for k in range(10):
            images[labels == k, 2 * k + 2 : 2 * k + 5, 4:24] += 180
        if name == "test":  # wrong labels among classes 1-9, so class 0 stays the most frequent
            others = np.flatnonzero(labels > 0)
            flip = rng.choice(others, size=round(share * len(labels)), replace=False)
            labels[flip] = (labels[flip] - 1 + rng.integers(1, 9, size=len(flip))) % 9 + 1
        np.savez(folder / f"{name}.npz", image=np.clip(images, 0, 255).astype(np.uint8), label=labels)
    return folder


def page_fill(html_path):
    """For each page WeasyPrint lays the HTML report out on: the share of its height that content fills."""
    from weasyprint import HTML

    def bottom(box):
        children = getattr(box, "children", None) or []
        edges = [edge for edge in map(bottom, children) if edge is not None]
        if not children and getattr(box, "height", 0):
            edges.append(box.position_y + box.margin_height())
        return max(edges) if edges else None

    fills = []
    for page in HTML(filename=str(html_path)).render().pages:
        root = page._page_box
        edge = bottom(root.children[0]) if root.children else None
        fills.append(0.0 if edge is None else (edge - root.content_box_y()) / root.height)
    return fills


def headings_ending_a_page(html_path, pdf_path):
    """Headings of the report (h1-h3) that are the last line of a PDF page, above its page number:
    a heading left alone at the foot of a page."""
    import html as html_module
    import pathlib
    import re

    import pypdf

    raw = pathlib.Path(html_path).read_text(encoding="utf-8")
    headings = {
        " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").split())
        for h in re.findall(r"(?s)<h[1-3][^>]*>(.*?)</h[1-3]>", raw)
    }
    alone = []
    for number, page in enumerate(pypdf.PdfReader(pdf_path).pages, start=1):
        lines = [" ".join(line.split()) for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]
        if body and body[-1] in headings:
            alone.append((number, body[-1]))
    return alone
