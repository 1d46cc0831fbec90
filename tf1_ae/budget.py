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
    capped: bool = False  # by --steps
    book_train_size: int = BOOK_TRAIN_SIZE  # the images of the book's epoch

    def epoch_ends(self):
        """Cumulative step count at the end of each printed epoch (steps spread as evenly as possible)."""
        return [round(self.total_steps * (e + 1) / self.printed_epochs) for e in range(self.printed_epochs)]

    def describe(self, n_train):
        """The run's header line. A printed line is an epoch only where it is one: on the book's data, or with
        --epochs; on smaller data it is the book's epoch's worth of steps, and under --steps a share of the cap."""
        ends = self.epoch_ends()
        per = {b - a for a, b in zip([0] + ends[:-1], ends)}
        per_text = per.pop() if len(per) == 1 else f"{min(per)}-{max(per)}"
        passes = f"{self.total_steps * self.batch_size / n_train:.1f} passes over {n_train:,} images"
        lines = f"{counted(self.printed_epochs, 'line')} of {counted(per_text, 'step')}"
        if self.capped:
            return (f"training: {counted(self.total_steps, 'step')} of batch {self.batch_size} ({self.origin}), "
                    f"printed as {lines} ({passes})")
        if self.origin.startswith("as ") and n_train != self.book_train_size:
            return (f"training: {counted(self.total_steps, 'step')} of batch {self.batch_size}, {self.origin}, "
                    f"printed as {lines}: a line here is the book's epoch's worth of steps ({passes})")
        return (f"training: {counted(self.printed_epochs, 'epoch')} × {counted(per_text, 'step')} of batch "
                f"{self.batch_size} = {counted(self.total_steps, 'step')} ({self.origin}; {passes})")


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
    capped = steps is not None and steps < total
    if capped:
        of = f"--epochs {epochs}'s {total:,}" if epochs is not None else f"the book's {total:,}"
        total, origin = steps, f"--steps {steps} of {of}"
    lines = min(printed_epochs or n_epochs, total)
    return Budget(total_steps=total, printed_epochs=lines, batch_size=batch_size, origin=origin,
                  capped=capped, book_train_size=book_train_size)
