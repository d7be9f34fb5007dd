# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile pickles never run: files whose __reduce__ calls os.system, subprocess.Popen, eval,
exec or a builtins.getattr/__import__ chain to create a marker file are written with real Python
(pickle, zipfile, torch) inside every container weightsmith reads. Each file is first proved
hostile by loading it with real torch/pickle in a child process (the proof marker appears);
then `weightsmith-cli inspect` (text and --json) must exit 0 or 1 without a signal, the marker
must never appear, and the refused globals must be reported."""
import collections
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile
import unittest_main  # noqa: E402

try:
    import torch
except ImportError:  # the oracle interpreter is required for this test
    torch = None

CLI = os.environ.get("WS_CLI")
CMD = 'touch "$WS_HOSTILE_MARKER"'


class SystemPayload:
    def __reduce__(self):
        return (os.system, (CMD,))


class PopenPayload:
    def __reduce__(self):
        return (subprocess.Popen, (["sh", "-c", CMD],))


class EvalPayload:
    def __reduce__(self):
        return (eval, ("__import__('os').system(%r)" % CMD,))


class ExecPayload:
    def __reduce__(self):
        return (exec, ("import os; os.system(%r)" % CMD,))


# getattr(__import__('os'), 'system')(CMD), spelled in protocol-0 opcodes (no class needed).
GETATTR_CHAIN = (b"cbuiltins\ngetattr\n(cbuiltins\n__import__\n(S'os'\ntRS'system'\ntR(S'"
                 + CMD.encode() + b"'\ntR")

PAYLOADS = {
    # name: (payload object, globals the report must name; os.system pickles as posix.system)
    "system": (SystemPayload(), ["posix.system"]),
    "popen": (PopenPayload(), ["subprocess.Popen"]),
    "eval": (EvalPayload(), ["builtins.eval"]),
    "exec": (ExecPayload(), ["builtins.exec"]),
}


def write_torch_zip_with_raw_pickle(path, data_pkl, extra=None):
    """A torch zip archive laid out like torch.save's, whose data.pkl is the given bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("hostile/data.pkl", data_pkl)
        z.writestr("hostile/byteorder", "little")
        z.writestr("hostile/version", "3\n")
        for name, data in (extra or {}).items():
            z.writestr("hostile/" + name, data)


def build_files(folder):
    """Returns [(path, expected dangerous globals, how to prove it hostile)]."""
    files = []
    weight = torch.arange(4, dtype=torch.float32).reshape(2, 2)
    for name, (payload, expected) in PAYLOADS.items():
        zip_path = os.path.join(folder, name + "_zip.pt")
        torch.save({"weight": weight, "payload": payload}, zip_path)
        files.append((zip_path, expected, "torch"))

        legacy_path = os.path.join(folder, name + "_legacy.pt")
        torch.save({"weight": weight, "payload": payload}, legacy_path,
                   _use_new_zipfile_serialization=False)
        files.append((legacy_path, expected, "torch"))

        checkpoint_path = os.path.join(folder, name + "_checkpoint.pth")
        torch.save({"epoch": 3,
                    "model_state_dict": collections.OrderedDict([("fc.weight", weight)]),
                    "optimizer_state_dict": {"state": {0: {"momentum_buffer": payload}},
                                             "param_groups": [{"lr": 0.1, "params": [0]}]}},
                   checkpoint_path)
        files.append((checkpoint_path, expected, "torch"))

        # TorchScript-like: code/ and constants.pkl beside a hostile data.pkl.
        script_path = os.path.join(folder, name + "_torchscript.pt")
        with zipfile.ZipFile(script_path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("model/data.pkl", pickle.dumps({"training": True, "hook": payload},
                                                      protocol=2))
            z.writestr("model/constants.pkl", pickle.dumps((payload,), protocol=2))
            z.writestr("model/code/__torch__.py", "class Model(Module):\n  pass\n")
            z.writestr("model/version", "3\n")
        files.append((script_path, expected, "data.pkl"))

        # Protocol 4 (STACK_GLOBAL) in a torch zip.
        p4_path = os.path.join(folder, name + "_protocol4.pt")
        write_torch_zip_with_raw_pickle(p4_path, pickle.dumps({"payload": payload}, protocol=4))
        files.append((p4_path, expected, "data.pkl"))

    chain_path = os.path.join(folder, "getattr_chain.pt")
    write_torch_zip_with_raw_pickle(
        chain_path, b"\x80\x02}q\x00X\x07\x00\x00\x00payloadq\x01" + GETATTR_CHAIN + b"s.")
    files.append((chain_path, ["builtins.__import__", "builtins.getattr"], "data.pkl"))
    return files


PROVE_SCRIPT = r"""
import sys, zipfile, pickle, torch
path, how = sys.argv[1], sys.argv[2]
try:
    if how == "torch":
        torch.load(path, weights_only=False)
    else:
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith("/data.pkl"))
            pickle.loads(z.read(name))
except Exception:
    pass
"""


class HostilePickles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if torch is None:
            raise unittest.SkipTest("SKIP: torch is not importable by " + sys.executable)
        if not CLI or not os.path.exists(CLI):
            raise unittest.SkipTest("SKIP: WS_CLI is not set to the weightsmith-cli binary")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.files = build_files(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_cli(self, args, marker):
        env = dict(os.environ, WS_HOSTILE_MARKER=marker)
        proc = subprocess.run([CLI, "inspect"] + args, capture_output=True, text=True, env=env,
                              timeout=120)
        self.assertIn(proc.returncode, (0, 1),
                      "exit code %d (negative = signal)\nstderr: %s" % (proc.returncode, proc.stderr))
        self.assertFalse(os.path.exists(marker), "the payload ran: %s exists" % marker)
        return proc

    def test_each_file_is_really_hostile(self):
        # Without this the test could pass on payloads that do nothing.
        for path, _, how in self.files:
            with self.subTest(file=os.path.basename(path)):
                proof = path + ".proof"
                env = dict(os.environ, WS_HOSTILE_MARKER=proof)
                subprocess.run([sys.executable, "-c", PROVE_SCRIPT, path, how], env=env,
                               capture_output=True, timeout=120)
                # Popen runs its child asynchronously; give it a moment.
                for _ in range(50):
                    if os.path.exists(proof):
                        break
                    time.sleep(0.1)
                self.assertTrue(os.path.exists(proof), "real Python did not run the payload")
                os.remove(proof)

    def test_cli_refuses_and_reports(self):
        markers = []
        for path, expected, _ in self.files:
            with self.subTest(file=os.path.basename(path)):
                marker = path + ".marker"
                text = self.run_cli([path], marker)
                self.assertEqual(text.returncode, 0, text.stderr)
                self.assertIn("refused dangerous globals", text.stdout)
                for name in expected:
                    self.assertIn(name, text.stdout)

                result = self.run_cli([path, "--json"], marker)
                self.assertEqual(result.returncode, 0, result.stderr)
                report = json.loads(result.stdout)
                for name in expected:
                    self.assertIn(name, report["pickle"]["dangerous_globals"])
                # A refused global is reported as dangerous, not as an ordinary placeholder.
                for name in expected:
                    self.assertNotIn(name, report["pickle"]["placeholder_classes"])
                markers.append(marker)
        # A payload started asynchronously (Popen) would have had time to run by now.
        time.sleep(0.5)
        for marker in markers:
            self.assertFalse(os.path.exists(marker), "the payload ran: %s exists" % marker)

    def test_real_tensors_still_read(self):
        # The hostile entry is inert, so the honest tensor next to it is still there.
        for path, _, how in self.files:
            if how != "torch":
                continue
            with self.subTest(file=os.path.basename(path)):
                out = self.run_cli([path, "--json"], path + ".marker")
                tree = json.loads(out.stdout)["tree"]
                found = []

                def walk(node):
                    if node.get("kind") == "tensor":
                        found.append((node["path"], node["shape"], node["dtype"]))
                    for child in node.get("children", []):
                        walk(child)

                walk(tree)
                self.assertTrue(any(shape == [2, 2] and dtype == "f32"
                                    for _, shape, dtype in found), found)


if __name__ == "__main__":
    unittest_main.main()
