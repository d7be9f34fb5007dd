# SPDX-License-Identifier: GPL-3.0-or-later
"""The Keras oracle for the black-box tests: TensorFlow.js reading a Keras file
(`node oracle.mjs MODEL INPUT.json OUTPUT.json [--layer L ...] [--config C]`) in the folder
named by WS_KERAS_ORACLE. Shared so every test feeds it and reads it back the same way.
"""
import json
import os
import shutil
import subprocess

ORACLE = os.environ.get("WS_KERAS_ORACLE", "")


def unavailable_reason():
    """Why the oracle cannot run here, or None when it can."""
    if not ORACLE or not os.path.isfile(os.path.join(ORACLE, "oracle.mjs")):
        return "WS_KERAS_ORACLE is not set or has no oracle.mjs (%r)" % ORACLE
    if not os.path.isdir(os.path.join(ORACLE, "node_modules")):
        return "WS_KERAS_ORACLE has no node_modules (run npm ci there)"
    if not shutil.which("node"):
        return "node is not installed"
    return None


def write_input(x, path):
    """x (a numpy array) as the oracle's input document: {"shape": [...], "data": [...]}."""
    with open(path, "w") as f:
        json.dump({"shape": list(x.shape), "data": [float(v) for v in x.ravel()]}, f)


def run(model_path, input_path, output_path, extra=()):
    """Runs the oracle; returns the finished process (callers check its return code)."""
    return subprocess.run(["node", os.path.join(ORACLE, "oracle.mjs"), model_path, input_path,
                           output_path] + list(extra),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)


def outputs(model_path, x, workdir, extra=()):
    """The oracle's output document(s) for input x, as float64 arrays: a list, one per output
    (one per --layer when layers are asked for). Raises AssertionError when the oracle fails."""
    import numpy as np
    inp = os.path.join(workdir, "input.json")
    out = os.path.join(workdir, "oracle_output.json")
    write_input(x, inp)
    proc = run(model_path, inp, out, extra)
    if proc.returncode != 0:
        raise AssertionError("oracle failed on %s: %s" % (model_path, proc.stderr.decode()))
    with open(out) as f:
        result = json.load(f)
    return [np.array(r["data"], dtype=np.float64).reshape(r["shape"])
            for r in (result if isinstance(result, list) else [result])]
