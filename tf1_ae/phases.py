"""Training a model in one session: a one-phase model trains in its run's own folder; the phases of a model
trained in several run one after another, each with its own step counter and checkpoint folder (so each
can resume), each timed on its own."""
from tf1_ae.model import Phase
from tf1_ae.checkpoints import latest_checkpoint


class Phases:
    """Build it after the graph and before initializing its variables (each phase's Trainer adds a step
    counter, summaries and a Saver), then `train` in a session."""

    def __init__(self, run, model):
        self.run = run
        self.phases = model.phases or (Phase(None, model.plan),)
        self.trainers = [self._trainer(phase) for phase in self.phases]

    def _trainer(self, phase):
        if phase.name is None:
            return self.run.trainer(phase.plan)
        return self.run.trainer(phase.plan, self.run.paths.phase(phase.name).checkpoint_dir, f"{phase.name}_step")

    @property
    def trained_nothing(self):
        """After `train`: whether every phase was already at its end (a --resume of a finished run)."""
        return all(trainer.last_step == trainer.first_step for trainer in self.trainers)

    def train(self, sess, data, budget):
        """Run each phase for `budget` on `data`; returns the values of each phase's last printed epoch and,
        for phases with a name, phase<k>_seconds (a cache's computation included, as a user waits for it;
        cache_seconds apart too) and phase<k>_samples_per_second."""
        run, metrics = self.run, {}
        for number, (phase, trainer) in enumerate(zip(self.phases, self.trainers), start=1):
            if phase.name is None:
                history = run.train(sess, trainer, data, budget)
            else:
                metrics.update(self._train_phase(sess, number, phase, trainer, data, budget))
                history = trainer.history
            if history:
                metrics.update({k: v for k, v in history[-1].items() if k not in ("epoch", "step")})
        return metrics

    def _train_phase(self, sess, number, phase, trainer, data, budget):
        run, timings = self.run, {}
        run.log(f"Training phase #{number}")
        # A later phase resumes only where it has a checkpoint; otherwise it goes on from the earlier ones.
        resume = run.options.resume and (number == 1 or latest_checkpoint(trainer.checkpoint_dir) is not None)
        with run.stopwatch() as phase_time:
            if phase.batches is not None:
                with run.stopwatch() as cache_time:
                    data = phase.batches(sess, data)
                timings["cache_seconds"] = cache_time.seconds
            run.train(sess, trainer, data, budget, resume=resume)
        timings[f"phase{number}_seconds"] = phase_time.seconds
        timings[f"phase{number}_samples_per_second"] = round(
            (trainer.last_step - trainer.first_step) * budget.batch_size / max(phase_time.seconds, 1e-3), 1)
        return timings
