#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the seed corpus of one fuzz harness at run time from the test fixtures (WS_FIXTURES:
tests/data/real plus the stand-ins generated from tests/data/generate).

  make_seed_corpus.py HARNESS OUTDIR [--fixtures DIR] [--examples DIR]

HARNESS is pickle, zip, torch_legacy, safetensors, keras_config or open_model. Seeds are kept
small (libFuzzer mutates faster on small inputs): files over MAX_SEED bytes are skipped. The
safetensors and legacy-torch seeds are written here with real torch / by the format's spec,
since the fixtures hold no safetensors files and only one legacy file.
"""
import argparse
import hashlib
import io
import json
import os
import pickletools
import struct
import sys
import zipfile

MAX_SEED = 64 * 1024


def files_under(root, exts):
    out = []
    for sub in ("pytorch", "keras"):
        d = os.path.join(root, sub)
        if os.path.isdir(d):
            out += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(exts)]
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def split_pickles(data):
    """The consecutive pickles of a legacy torch stream (up to the raw storage data)."""
    out, pos = [], 0
    while pos < len(data) and len(out) < 8:
        try:
            end = None
            for op, _, at in pickletools.genops(io.BytesIO(data[pos:])):
                if op.name == "STOP":
                    end = pos + at + 1
                    break
        except Exception:
            break
        if end is None:
            break
        out.append(data[pos:end])
        pos = end
    return out


def torch_zips(fixtures, examples):
    paths = files_under(fixtures, (".pt", ".pth"))
    if examples and os.path.isdir(examples):
        paths += [os.path.join(examples, f) for f in sorted(os.listdir(examples))
                  if f.endswith(".pth")]
    return [p for p in paths if zipfile.is_zipfile(p)]


def seeds_pickle(fixtures, examples):
    for path in torch_zips(fixtures, examples):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".pkl"):
                    yield z.read(name)
    for path in files_under(fixtures, (".pt", ".pth")):
        if not zipfile.is_zipfile(path):
            yield from split_pickles(read(path))


def seeds_zip(fixtures, examples):
    for path in torch_zips(fixtures, examples) + files_under(fixtures, (".keras",)):
        yield read(path)


def generated_legacy_files():
    import torch
    torch.manual_seed(0)
    objects = [
        {"w": torch.randn(3, 4), "b": torch.zeros(4, dtype=torch.float16)},
        {"x": torch.arange(6).view(2, 3).t(), "flag": torch.tensor([True, False])},
        {"bf": torch.ones(2, dtype=torch.bfloat16), "epoch": 3, "name": "m"},
        torch.nn.Linear(2, 2),
    ]
    for obj in objects:
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=False)
        yield buf.getvalue()


def seeds_torch_legacy(fixtures, examples):
    for path in files_under(fixtures, (".pt", ".pth")):
        if not zipfile.is_zipfile(path):
            yield read(path)
    yield from generated_legacy_files()


def safetensors_bytes(tensors, metadata=None):
    """Writes the safetensors layout: u64 LE header length, JSON header, packed data."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def seeds_safetensors(fixtures, examples):
    f32 = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    yield safetensors_bytes({"w": ("F32", [2, 3], f32)})
    yield safetensors_bytes({"a": ("F16", [2], b"\x00\x3c\x00\x40"),
                             "b": ("BF16", [2], b"\x80\x3f\x00\x40"),
                             "c": ("I64", [1], struct.pack("<q", -5)),
                             "d": ("BOOL", [3], b"\x01\x00\x01"),
                             "e": ("U8", [0], b"")}, metadata={"format": "pt"})
    yield safetensors_bytes({"layer.0.weight": ("F64", [1, 1, 1], struct.pack("<d", 0.5)),
                             "scalar": ("I32", [], struct.pack("<i", 7))})


def seeds_keras_config(fixtures, examples):
    import h5py
    for path in files_under(fixtures, (".h5",)):
        with h5py.File(path, "r") as f:
            for key in ("model_config", "training_config"):
                if key in f.attrs:
                    v = f.attrs[key]
                    yield v.encode() if isinstance(v, str) else bytes(v)
    for path in files_under(fixtures, (".json",)):
        yield read(path)
    for path in files_under(fixtures, (".keras",)):
        with zipfile.ZipFile(path) as z:
            yield z.read("config.json")


def seeds_open_model(fixtures, examples):
    yield from seeds_zip(fixtures, examples)
    yield from seeds_torch_legacy(fixtures, examples)
    yield from seeds_safetensors(fixtures, examples)
    for path in files_under(fixtures, (".h5",)):
        yield read(path)


HARNESSES = {
    "pickle": seeds_pickle,
    "zip": seeds_zip,
    "torch_legacy": seeds_torch_legacy,
    "safetensors": seeds_safetensors,
    "keras_config": seeds_keras_config,
    "open_model": seeds_open_model,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("harness", choices=sorted(HARNESSES))
    parser.add_argument("outdir")
    parser.add_argument("--fixtures", default=os.environ.get("WS_FIXTURES", ""))
    parser.add_argument("--examples", default=os.environ.get("WS_EXAMPLES", ""))
    args = parser.parse_args()
    if not os.path.isdir(args.fixtures):
        print("SKIP: fixtures not found (%r); seeding %s from generated inputs only" %
              (args.fixtures, args.harness), file=sys.stderr)
    os.makedirs(args.outdir, exist_ok=True)
    count = 0
    for seed in HARNESSES[args.harness](args.fixtures, args.examples):
        if 0 < len(seed) <= MAX_SEED:
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(args.outdir, name), "wb") as f:
                f.write(seed)
            count += 1
    print("%s: %d seeds in %s" % (args.harness, count, args.outdir))


if __name__ == "__main__":
    main()
