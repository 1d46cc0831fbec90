"""Training one graph in phases: several TrainPlans run one after another in one session, each with its own
step counter and checkpoint folder (so each can resume), each timed on its own."""
from dataclasses import dataclass, replace

from tf1_ae.data import PermutationSampler
from tf1_ae.train import latest_checkpoint


@dataclass(frozen=True)
class Phase:
    plan: object  # the TrainPlan this phase runs
    data: object  # the DataSet its batches come from
    cached: object = None  # a tensor frozen in this phase: computed once on every training example when the
    # phase starts, then fed in its own place, batch by batch (`rnd.permutation(n)[:batch_size]`)


class Phases:
    """Build it after the graph and before initializing its variables (each phase's Trainer adds a step
    counter, summaries and a Saver), then `train` in a session."""

    def __init__(self, run, phases):
        self.run, self.phases = run, phases
        self.trainers = [run.trainer(phase.plan if phase.cached is None else replace(phase.plan, inputs=phase.cached),
                                     run.paths.phase(f"phase{n}").checkpoint_dir, f"phase{n}_step")
                         for n, phase in enumerate(phases, start=1)]

    def train(self, sess, budget):
        """Run each phase for `budget`; returns phase<k>_seconds (a cache's computation included, as a user
        waits for it; cache_seconds apart too), phase<k>_samples_per_second and the values of each phase's
        last printed epoch."""
        run, metrics = self.run, {}
        for number, (phase, trainer) in enumerate(zip(self.phases, self.trainers), start=1):
            run.log(f"Training phase #{number}")
            # A later phase resumes only where it has a checkpoint; otherwise it goes on from the earlier ones.
            resume = run.options.resume and (number == 1 or latest_checkpoint(trainer.checkpoint_dir) is not None)
            with run.timed() as clock:
                data = phase.data
                if phase.cached is not None:
                    with run.timed() as cache_clock:
                        data = PermutationSampler(sess.run(phase.cached, {phase.plan.inputs: data.images}))
                    metrics["cache_seconds"] = cache_clock.seconds
                history = run.train(sess, trainer, data, budget, resume=resume)
            metrics[f"phase{number}_seconds"] = clock.seconds
            metrics[f"phase{number}_samples_per_second"] = round(
                (trainer.last_step - trainer.first_step) * budget.batch_size / clock.seconds, 1)
            if history:
                metrics.update({k: v for k, v in history[-1].items() if k not in ("epoch", "step")})
        return metrics
