from tf1_ae.budget import make_budget
from tf1_ae.model import Metric
from tf1_ae.train import format_line


def test_default_budget_keeps_the_books_steps_on_smaller_data():
    budget = make_budget(5, 150, n_train=4000)
    assert budget.total_steps == 5 * (55000 // 150) == 1830
    assert budget.printed_epochs == 5
    assert budget.epoch_ends() == [366, 732, 1098, 1464, 1830]


def test_epochs_flag_means_real_passes_and_steps_caps():
    assert make_budget(5, 150, n_train=4000, epochs=2).total_steps == 2 * (4000 // 150)
    capped = make_budget(5, 150, n_train=4000, steps=12)
    assert capped.total_steps == 12 and capped.epoch_ends()[-1] == 12 and capped.printed_epochs == 5
    tiny = make_budget(5, 150, n_train=4000, steps=3)
    assert tiny.printed_epochs == 3 and tiny.epoch_ends() == [1, 2, 3]


def test_epoch_line_has_the_books_format():
    metrics = [Metric("train_mse", "Train MSE", None),
               Metric("loss", "loss", None, in_book_line=False)]
    values = {"train_mse": 0.015066707, "loss": 0.02}
    assert format_line(0, values, metrics[:1]) == "0 Train MSE: 0.0150667"
    assert format_line(3, values, metrics).startswith("3 Train MSE: 0.0150667   [loss: 0.02]")


def test_a_listing_may_print_fewer_lines_than_it_has_epochs():
    """The PCA listing: the book's 1,000 full-batch steps over its 100 points, printed as 10 lines of 100."""
    budget = make_budget(1000, 100, n_train=100, book_train_size=100, printed_epochs=10)
    assert budget.total_steps == 1000 and budget.epoch_ends() == list(range(100, 1001, 100))
    assert make_budget(1000, 100, n_train=100, book_train_size=100, printed_epochs=10, steps=4).epoch_ends() == [
        1, 2, 3, 4]
