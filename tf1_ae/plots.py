"""The book's plotting helpers (Agg backend: files only, no screen needed)."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 300  # the book's save_fig resolution


def save_fig(figure_dir, fig_id, tight_layout=True):
    """Save the current figure as figures/<section>/<fig_id>.png and close it; returns the path."""
    path = Path(figure_dir) / f"{fig_id}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if tight_layout:
        plt.tight_layout()
    plt.savefig(path, format="png", dpi=DPI)
    plt.close("all")
    return path


def plot_image(image, shape=(28, 28)):
    plt.imshow(np.asarray(image).reshape(shape), cmap="Greys", interpolation="nearest")
    plt.axis("off")


def plot_multiple_images(images, n_rows, n_cols, pad=2):
    """Tile images (n, h, w) on one canvas, n_rows × n_cols, pad pixels apart."""
    images = np.asarray(images)
    images = images - images.min()  # make the minimum == 0, so the padding looks white
    h, w = images.shape[1:]
    canvas = np.zeros(((h + pad) * n_rows + pad, (w + pad) * n_cols + pad))
    for y in range(n_rows):
        for x in range(n_cols):
            if y * n_cols + x < len(images):
                canvas[(y * (h + pad) + pad):(y * (h + pad) + pad + h),
                       (x * (w + pad) + pad):(x * (w + pad) + pad + w)] = images[y * n_cols + x]
    plt.imshow(canvas, cmap="Greys", interpolation="nearest")
    plt.axis("off")


def show_reconstructed_digits(inputs, outputs, n_test_digits=2, title=None):
    """The book's figure: each test digit (left) beside its reconstruction (right)."""
    fig = plt.figure(figsize=(8, 3 * n_test_digits))
    if title:
        fig.suptitle(title)
    for i in range(n_test_digits):
        plt.subplot(n_test_digits, 2, i * 2 + 1)
        plot_image(inputs[i])
        plt.subplot(n_test_digits, 2, i * 2 + 2)
        plot_image(outputs[i])
    return fig


def show_denoising(corrupted, reconstructed, clean):
    """One row per digit: the corrupted input → the reconstruction → the clean target."""
    n = len(clean)
    fig = plt.figure(figsize=(9, 3 * n))
    for i in range(n):
        for col, (image, title) in enumerate(((corrupted[i], "noisy input"), (reconstructed[i], "reconstruction"),
                                              (clean[i], "clean target"))):
            plt.subplot(n, 3, 3 * i + col + 1)
            plot_image(image)
            if i == 0:
                plt.title(title)
    return fig
