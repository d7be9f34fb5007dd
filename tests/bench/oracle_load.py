#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the benchmark compares weightsmith-cli against, one mode per run:

  oracle_load.py torch-load FILE   torch.load of the whole file (every tensor materialised)
  oracle_load.py h5-list FILE      h5py: visit every dataset, collect path, shape, dtype
  oracle_load.py h5-read FILE      h5py: visit every dataset and read all of its values
"""
import sys


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "torch-load":
        import torch
        obj = torch.load(path, map_location="cpu")
        print(len(obj), "entries")
        return
    import h5py
    found = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                found.append((name, obj.shape, obj.dtype.str,
                              obj[()] if mode == "h5-read" else None))
        f.visititems(visit)
    print(len(found), "datasets")


if __name__ == "__main__":
    main()
