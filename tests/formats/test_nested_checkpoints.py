#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tensors anywhere in a checkpoint's object graph open as tensors: Lightning-style checkpoints
written by real torch 1.13 hold them in lists of dicts (`optimizer_states`, `lr_schedulers`),
dicts of dicts (callbacks' state), tuples and nested checkpoints. For each file, the set of
tensor paths in `inspect --json` equals what real torch finds walking the loaded object, and
every tensor read back through `--tensor PATH --npy` equals torch's bit for bit.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402


def lightning_style_checkpoint():
    """A checkpoint laid out as pytorch_lightning's Trainer.save_checkpoint does, built from a
    real model and a real Adam optimizer after two steps (so exp_avg / exp_avg_sq exist)."""
    import torch
    import torch.nn as nn
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(5, 4)).sum().backward()
        optimizer.step()
        scheduler.step()
    return {
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "1.9.0",
        "state_dict": {"model." + k: v for k, v in model.state_dict().items()},
        "optimizer_states": [optimizer.state_dict()],
        "lr_schedulers": [scheduler.state_dict()],
        "callbacks": {"EarlyStopping{'monitor': 'val_loss'}": {"best_score": torch.tensor(0.25),
                                                              "wait_count": 1}},
        "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 4}}}},
        "ema": ([torch.ones(3), torch.zeros(2, 2)], {"decay": 0.999}),
        "metrics": {"val_acc=0.93": torch.tensor(0.93), "lr.x-1": torch.tensor([1.0])},
        "nested": {"checkpoint": {"state_dict": {"w": torch.arange(6.0).reshape(2, 3)},
                                  "history": [[torch.tensor([1, 2, 3])], {"x": [torch.eye(2)]}]}},
    }


class NestedCheckpointTest(ws.OracleTestCase):
    def test_lightning_style_checkpoint_in_both_layouts(self):
        import torch
        checkpoint = lightning_style_checkpoint()
        for legacy in (False, True):
            path = os.path.join(self.workdir, "lightning%s.ckpt" % ("_legacy" if legacy else ""))
            torch.save(checkpoint, path, _use_new_zipfile_serialization=not legacy)
            _, ours, _ = ws.assert_tensors_match_oracle(self, path, self.workdir)
            # The paths the issue names, so a walk that stopped one level deep fails here.
            for expected in ("optimizer_states/0/state/0/exp_avg",
                             "optimizer_states/0/state/3/exp_avg_sq",
                             "callbacks/EarlyStopping{'monitor': 'val_loss'}/best_score",
                             "ema/0/1", "nested/checkpoint/history/1/x/0"):
                self.assertIn(expected, ours, path)
            # Keys that are not module paths stay whole: one node named by the whole key.
            doc = ws.inspect_json(path)
            names = {n["path"]: n["name"] for n in ws.walk_nodes(doc["tree"]) if "path" in n}
            self.assertEqual(names.get("metrics/val_acc=0.93"), "val_acc=0.93")
            self.assertEqual(names.get("metrics/lr.x-1"), "lr.x-1")
            self.assertNotIn("metrics/val_acc=0", names)
            # ... while module paths still open as layers.
            self.assertEqual(names.get("state_dict/model.0"), "0")


if __name__ == "__main__":
    unittest_main.main()
