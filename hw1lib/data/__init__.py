"""Getting images in: the named datasets and course folders (datasets), the idx format, checked
downloads, and validation splits held out of the training images."""

from .datasets import DATASET_NAMES, Dataset, load_dataset

__all__ = ["DATASET_NAMES", "Dataset", "load_dataset"]
