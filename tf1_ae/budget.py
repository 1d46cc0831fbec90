"""How many optimizer steps a run takes, and how they split into the printed epochs.

The book trains on 55,000 images: an epoch is 55000 // batch_size steps. On a smaller training set we keep
the book's steps, so an epoch here means "the book's epoch's worth of steps" and one line is still printed
per book epoch; `--epochs N` instead asks for N real passes over the data at hand, and `--steps N` caps
the total (how tests and quick looks stay short).
"""
from dataclasses import dataclass

from tf1_ae.data import BOOK_TRAIN_SIZE


@dataclass(frozen=True)
class Budget:
    total_steps: int
    printed_epochs: int  # lines printed, one at the end of each (the book's format: "0 Train MSE: …")
    batch_size: int
    origin: str  # a few words on where the numbers come from, for the run's header line

    def epoch_ends(self):
        """Cumulative step count at the end of each printed epoch (steps spread as evenly as possible)."""
        return [round(self.total_steps * (e + 1) / self.printed_epochs) for e in range(self.printed_epochs)]

    def describe(self, n_train):
        ends = self.epoch_ends()
        per = {b - a for a, b in zip([0] + ends[:-1], ends)}
        per_text = per.pop() if len(per) == 1 else f"{min(per)}-{max(per)}"
        passes = self.total_steps * self.batch_size / n_train
        return (f"training: {counted(self.printed_epochs, 'epoch')} × {counted(per_text, 'step')} of batch "
                f"{self.batch_size} = {counted(self.total_steps, 'step')} ({self.origin}; {passes:.1f} passes over "
                f"{n_train:,} images)")


def counted(number, noun):
    """`1 epoch`, `5 epochs`, `1-2 steps`: a count and its noun."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}" if isinstance(number, int) else f"{number} {noun}s"


def make_budget(book_epochs, batch_size, n_train, epochs=None, steps=None, book_train_size=BOOK_TRAIN_SIZE,
                printed_epochs=None):
    """The book's steps (book_epochs × book_train_size // batch_size), or N real epochs, capped by steps; printed
    as one line per epoch, or as `printed_epochs` lines (a listing whose many short epochs the book never printed)."""
    if epochs is not None:
        n_epochs, total, origin = epochs, epochs * max(1, n_train // batch_size), f"--epochs {epochs}"
    else:
        n_epochs = book_epochs
        total = book_epochs * max(1, book_train_size // batch_size)
        origin = f"as {counted(book_epochs, 'epoch')} of the book's {book_train_size:,} images"
    if steps is not None and steps < total:
        total, origin = steps, f"capped by --steps {steps}"
    lines = min(printed_epochs or n_epochs, total)
    return Budget(total_steps=total, printed_epochs=lines, batch_size=batch_size, origin=origin)
