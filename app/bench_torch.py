"""The stacked autoencoder in PyTorch eager mode on the CPU, for `make bench`: a peer on the same machine,
in a process of its own. Optional (`pip install -e '.[bench]'`); prints one JSON line, `{"not_installed":
true}` where PyTorch is not installed."""
import json
import sys
import time


def main(data="auto", steps=600, batch_size=150):
    try:
        import torch
    except ImportError:
        print(json.dumps({"not_installed": True}))
        return
    from tf1_ae.data import load

    torch.manual_seed(42)
    torch.set_num_threads(2)  # the machine's cores, as TensorFlow's default pools
    images = torch.from_numpy(load(data).train.images)
    sizes = [784, 300, 150, 300, 784]
    layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])]
    for layer in layers:  # He-normal kernels (fan-in, as Keras's he_normal) and zero biases; speed-neutral
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    model = torch.nn.Sequential(layers[0], torch.nn.ELU(), layers[1], torch.nn.ELU(), layers[2], torch.nn.ELU(),
                                layers[3])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-8)
    generator = torch.Generator().manual_seed(42)

    def step():
        batch = images[torch.randint(len(images), (batch_size,), generator=generator)]
        loss = torch.mean((model(batch) - batch) ** 2) + 0.0001 * sum(0.5 * (l.weight ** 2).sum() for l in layers)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    for _ in range(min(50, steps)):  # warm-up
        step()
    start = time.perf_counter()
    for _ in range(steps):
        last = step()
    print(json.dumps({"samples_per_second": steps * batch_size / (time.perf_counter() - start), "last_loss": last}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto", int(sys.argv[2]) if len(sys.argv) > 2 else 600)
