#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the bundled example models in resources/examples/.

A small stacked-LSTM regressor (4 x LSTM(50) with dropout, then Linear(50, 1) on the last time
step) trained for a few hundred steps on a noisy sine wave, saved twice:
  seed_lstm_state_dict.pth  torch.save(model.state_dict())
  seed_lstm_model.pth       torch.save(model)  (the whole pickled module, class __main__.Model)

Run with Debian's /usr/bin/python3 (torch 1.13). Everything is seeded and single-threaded so two
runs give byte-identical tensors; the data is built with plain math (no numpy) for the same reason.
"""
import argparse
import math
import os
import random

import torch
import torch.nn as nn

SEQ_LEN = 20
HIDDEN = 50
STEPS = 300
BATCH = 32


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=HIDDEN, num_layers=4, dropout=0.2,
                            batch_first=True)
        self.dropout = nn.Dropout(0.2)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.linear(self.dropout(out[:, -1, :]))


def noisy_sine_windows(count, rng):
    """(count, SEQ_LEN, 1) windows of sin(t) + noise and the value that follows each window."""
    series = [math.sin(0.1 * t) + rng.gauss(0.0, 0.05) for t in range(count + SEQ_LEN)]
    xs = [[[series[i + k]] for k in range(SEQ_LEN)] for i in range(count)]
    ys = [[series[i + SEQ_LEN]] for i in range(count)]
    return torch.tensor(xs, dtype=torch.float32), torch.tensor(ys, dtype=torch.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "resources", "examples"))
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = random.Random(0)
    x, y = noisy_sine_windows(1000, rng)

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    model.train()
    for step in range(STEPS):
        idx = torch.randint(0, x.shape[0], (BATCH,))
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step:4d}  loss {loss.item():.5f}")
    model.eval()

    os.makedirs(args.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(args.out, "seed_lstm_state_dict.pth"))
    torch.save(model, os.path.join(args.out, "seed_lstm_model.pth"))
    for name in ("seed_lstm_state_dict.pth", "seed_lstm_model.pth"):
        path = os.path.join(args.out, name)
        print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
