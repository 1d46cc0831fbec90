"""The stacked autoencoder in Keras 3 `fit`, on the same TensorFlow, for `make bench` (run as its own
process: Keras needs eager execution, which tf1_ae.compat switches off). Prints one JSON line."""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main(batch_size=150, steps_per_epoch=100, epochs=6):
    import numpy as np
    from tensorflow import keras

    from tf1_ae.data import load

    images = load(sys.argv[1] if len(sys.argv) > 1 else "auto").train.images
    x = images[np.arange(batch_size * steps_per_epoch) % len(images)]
    keras.utils.set_random_seed(42)
    layer = {"activation": "elu", "kernel_initializer": "he_normal",
             "kernel_regularizer": keras.regularizers.l2(0.0001 / 2)}  # the book's ½-sum L2
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(300, **layer),
                              keras.layers.Dense(150, **layer), keras.layers.Dense(300, **layer),
                              keras.layers.Dense(784, kernel_initializer="he_normal",
                                                 kernel_regularizer=keras.regularizers.l2(0.0001 / 2))])
    model.compile(optimizer=keras.optimizers.Adam(0.01, epsilon=1e-8), loss="mse")

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    seconds = []
    model.fit(x, x, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[Timer()])
    per_epoch = sorted(seconds[1:])[len(seconds[1:]) // 2]  # median, after the first (tracing) epoch
    print(json.dumps({"samples_per_second": batch_size * steps_per_epoch / per_epoch}))


if __name__ == "__main__":
    main()
