"""The network itself, in NumPy alone: what the homework grades.

layers (Dense, softmax cross-entropy), activations, initializers, optimizers, network (the MLP
that chains them) and gradcheck (the finite-difference test every layer passes). Nothing here
knows about data files, caching, figures or the report.
"""

from .network import MLP

__all__ = ["MLP"]
