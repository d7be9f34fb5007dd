# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch fixtures written at test time by real torch (Debian's 1.13, /usr/bin/python3).

Two kinds of file, all under OUT_DIR/pytorch/:

- Stand-ins for the public PyTorch files of ../shared/fixtures/real whose repositories grant no
  licence. Each has the public file's name and layout (layout_signature.py: container, tensor
  keys, shapes, dtypes, module classes) with seeded random values, and is saved under the
  public file's own name first, because torch names the archive's top folder after the file it
  writes (`lstm_model/`, `complete_model/`, ...) and tests look for that folder.
- Variants the readers support that no public file covers, named `gen_*`: a traced CNN, a
  Lightning-style checkpoint with Adam state, every dtype, views sharing storages, a legacy
  CNN with BatchNorm, a bidirectional batch_first LSTM.

Every file is seeded (torch.manual_seed before each), so its values are the same on every run.
The zip archives are byte-identical from run to run; the others may not be: torch's legacy
writer names storages by their memory address, and TorchScript's code lists a module's
constants in set order (which follows the per-process string hash seed).

Usage: /usr/bin/python3 gen_torch.py OUT_DIR   (writes the files and loads each back in torch)
"""
import collections
import contextlib
import os
import shutil
import sys
import tempfile
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1729


# ---------------------------------------------------------------------------- saving

def _save(obj, path, archive=None, **kwargs):
    """torch.save under archive + the file's extension, then renamed to path: torch names a zip
    archive's top folder after the file it writes, so this sets that folder."""
    _saved_as(lambda staged: torch.save(obj, staged, **kwargs), path, archive)


def _save_script(module, path, archive=None):
    _saved_as(module.save, path, archive)


def _saved_as(write, path, archive):
    if archive is None:
        write(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        staged = os.path.join(tmp, archive + os.path.splitext(path)[1])
        write(staged)
        shutil.move(staged, path)


@contextlib.contextmanager
def _defined_in_main(cls):
    """Makes cls look defined in the running script's __main__, as the models of the public files
    were: pickle then records it as `__main__.<name>` (it checks that the name resolves to the
    class), and TorchScript names it `__torch__.<name>` (code/__torch__.py) instead of
    `__torch__.gen_torch.<name>`, whichever way this module was loaded."""
    main = sys.modules["__main__"]
    had, old = hasattr(main, cls.__name__), getattr(main, cls.__name__, None)
    module = cls.__module__
    cls.__module__ = "__main__"
    setattr(main, cls.__name__, cls)
    try:
        yield
    finally:
        cls.__module__ = module
        if had:
            setattr(main, cls.__name__, old)
        else:
            delattr(main, cls.__name__)


@contextlib.contextmanager
def _storages_tagged_cuda0():
    """While active, torch.save records every storage's location as `cuda:0`, as a model trained
    on a GPU and saved without .cpu() has them (the public legacy file does; there is no GPU
    here). torch.load(map_location="cpu") reads such files. torch's writers look location_tag
    up when they call it, so replacing it for the duration leaves nothing behind."""
    saved = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:0"
    try:
        yield
    finally:
        torch.serialization.location_tag = saved


# ---------------------------------------------------------------------------- models

class SimpleNN(nn.Module):
    """The model of mlp_state_dict.pth / mlp_full_model_pickle.pth (10 -> 64 -> 64 -> 3)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 3)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = self.dropout(torch.relu(self.fc1(x)))
        return self.fc3(self.dropout(torch.relu(self.fc2(x))))


class CharLM(nn.Module):
    """The model of lstm_3layer_charlm_state_dict.pth: 28 characters, 3 stacked LSTM(128)."""

    def __init__(self, chars=28, width=128):
        super().__init__()
        self.embedding = nn.Embedding(chars, width)
        self.lstm = nn.LSTM(width, width, num_layers=3)
        self.fc = nn.Linear(width, width)
        self.output = nn.Linear(width, chars)

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x))
        return self.output(torch.relu(self.fc(out)))


class Adder(nn.Module):
    """The model of checkpoint_epoch_state_dict_sgd.pth and torchscript_adder_mlp.pt: learns
    x1 + x2. forward is written as in the public TorchScript file's code/__torch__.py."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(2, 10)
        self.decoder = nn.Linear(10, 1)

    def forward(self, x1, x2):
        x = torch.cat([torch.reshape(x1, [-1, 1]), torch.reshape(x2, [-1, 1])], 1)
        return self.decoder(torch.relu(self.encoder(x)))


class SmallCNN(nn.Module):
    """Conv + BatchNorm + pooling + Linear on 1x12x12 images (traced and legacy variants)."""

    def __init__(self, channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 10)  # 12 -> pool 6 -> conv 4

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


class BiLSTMTagger(nn.Module):
    """A 2-layer bidirectional LSTM on (batch, time, features), as sequence taggers use."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 10, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(20, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out)


class LitClassifier(nn.Module):
    """What a LightningModule's state_dict looks like: submodule keys under its attribute."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.LayerNorm(16), nn.Linear(16, 4))

    def forward(self, x):
        return self.net(x)


def _batchnorm_statistics(model, shape, batches=3):
    """A few train-mode passes, so running_mean/var and num_batches_tracked are not defaults."""
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(*shape))
    return model.eval()


def _train_adder(steps=20):
    """Adder after a few SGD steps (momentum 0, so the optimizer state holds
    momentum_buffer None for every parameter, as in the public checkpoint)."""
    model = Adder()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    for _ in range(steps):
        x1, x2 = torch.rand(32), torch.rand(32)
        loss = F.mse_loss(model(x1, x2).squeeze(1), x1 + x2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer


def _train_lit_classifier(steps=6):
    """LitClassifier after a few Adam steps: exp_avg, exp_avg_sq and step in its state."""
    model = LitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        x, y = torch.randn(16, 8), torch.randint(0, 4, (16,))
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer


# ---------------------------------------------------------------------------- stand-ins

def write_lstm_charlm(path):
    _save(CharLM().state_dict(), path, archive="lstm_model")


def write_mlp_state_dict(path):
    _save(SimpleNN().state_dict(), path, archive="simple_model")


def write_mlp_full_model(path):
    # Seeded like write_mlp_state_dict: the public pair holds the same tensor bytes.
    with _defined_in_main(SimpleNN):
        _save(SimpleNN(), path, archive="complete_model")


def write_mlp_legacy_full_model(path):
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                          nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 5), nn.Softmax(dim=None))
    with _storages_tagged_cuda0():
        _save(model, path, _use_new_zipfile_serialization=False)


def write_sgd_checkpoint(path):
    model, optimizer = _train_adder()
    checkpoint = {"epoch": 1000, "state_dict": model.state_dict(),
                  "optimizer": optimizer.state_dict()}
    _save(checkpoint, path, archive="checkpoint_1000")


def write_torchscript_adder(path):
    model, _ = _train_adder()
    with _defined_in_main(Adder):
        scripted = torch.jit.script(model.eval())
    _save_script(scripted, path, archive="model_scripted")


# ---------------------------------------------------------------------------- variants

def write_traced_cnn(path):
    model = _batchnorm_statistics(SmallCNN(), (4, 1, 12, 12))
    with torch.no_grad(), _defined_in_main(SmallCNN):
        traced = torch.jit.trace(model, torch.randn(1, 1, 12, 12))
    _save_script(traced, path)


def write_lightning_adam_checkpoint(path):
    model, optimizer = _train_lit_classifier()
    checkpoint = {
        "epoch": 2,
        "global_step": 6,
        "pytorch-lightning_version": "1.9.5",
        "state_dict": model.state_dict(),
        "optimizer_states": [optimizer.state_dict()],
        "lr_schedulers": [],
        "callbacks": {},
        "hparams_name": "kwargs",
        "hyper_parameters": {"lr": 1e-3, "hidden": 16},
    }
    _save(checkpoint, path)


def _with_special_values(t):
    """t with inf, -inf, NaN, -0.0 and the smallest subnormal in its first row: the values a
    reader most easily gets wrong when it widens f16/bf16 or compares floats."""
    info = torch.finfo(t.dtype)
    special = [float("inf"), float("-inf"), float("nan"), -0.0, info.tiny * info.eps]
    t = t.clone()
    t[0, :len(special)] = torch.tensor(special, dtype=t.dtype)
    return t


def _integers(dtype, shape):
    """Random integers of dtype, with its minimum and maximum as the first two elements."""
    info = torch.iinfo(dtype)
    # randint's high is exclusive, and int64's full range overflows its internal span.
    low, high = max(info.min, -2 ** 62), min(info.max + 1, 2 ** 62)
    t = torch.randint(low, high, shape, dtype=torch.int64).to(dtype)
    t.view(-1)[:2] = torch.tensor([info.min, info.max], dtype=dtype)
    return t


def write_all_dtypes(path):
    shape = (4, 6)
    floats = torch.randn(shape) * 4
    state = collections.OrderedDict()
    state["float16.weight"] = _with_special_values(floats.to(torch.float16))
    state["bfloat16.weight"] = _with_special_values(floats.to(torch.bfloat16))
    state["float32.weight"] = _with_special_values(floats)
    state["float64.weight"] = _with_special_values(floats.to(torch.float64))
    for dtype in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8):
        state["%s.weight" % str(dtype).replace("torch.", "")] = _integers(dtype, shape)
    state["bool.mask"] = torch.rand(shape) > 0.5
    state["int64.count"] = torch.tensor(41, dtype=torch.int64)  # 0-d, like num_batches_tracked
    _save(state, path)


def _views_of_shared_storages():
    """Tensors that share storages: what a reader must not copy, reorder or read contiguously."""
    base = torch.randn(48)
    tied = torch.randn(5, 3)
    views = collections.OrderedDict()
    views["shared.head"] = base[:12].view(3, 4)             # offset 0
    views["shared.tail"] = base[12:36].view(4, 6)           # same storage, offset 12
    views["shared.transposed"] = base[:12].view(3, 4).t()  # strides (1, 4): not contiguous
    views["shared.slice"] = base.view(6, 8)[1:4, 2:7]       # offset 10, strides (8, 1)
    views["shared.every_third"] = base[::3]                 # stride 3
    views["shared.broadcast"] = base[40:44].expand(3, 4)    # stride 0 on the first axis
    views["tied.encoder_weight"] = tied                     # weight tying: one tensor, two keys
    views["tied.decoder_weight"] = tied
    views["edge.scalar"] = torch.tensor(2.5)
    views["edge.empty"] = torch.empty(0, 5)
    return views


def write_views_zip(path):
    _save(_views_of_shared_storages(), path)


def write_views_legacy(path):
    _save(_views_of_shared_storages(), path, _use_new_zipfile_serialization=False)


def write_legacy_cnn_batchnorm(path):
    model = _batchnorm_statistics(SmallCNN(channels=3), (4, 3, 12, 12))
    _save(model.state_dict(), path, _use_new_zipfile_serialization=False)


def write_bilstm(path):
    _save(BiLSTMTagger().state_dict(), path)


# name under pytorch/ -> writer. The first six stand in for unlicensed public files.
# write_lightning_adam_checkpoint is not laid out yet: the tree loses the Adam tensors nested two
# levels inside the `optimizer_states` list (issue 12 lists it); it joins FILES with that fix.
FILES = collections.OrderedDict([
    ("lstm_3layer_charlm_state_dict.pth", write_lstm_charlm),
    ("mlp_state_dict.pth", write_mlp_state_dict),
    ("mlp_full_model_pickle.pth", write_mlp_full_model),
    ("mlp_full_model_pickle_legacy.pt", write_mlp_legacy_full_model),
    ("checkpoint_epoch_state_dict_sgd.pth", write_sgd_checkpoint),
    ("torchscript_adder_mlp.pt", write_torchscript_adder),
    ("gen_torchscript_traced_cnn_batchnorm.pt", write_traced_cnn),
    ("gen_all_dtypes_state_dict.pth", write_all_dtypes),
    ("gen_views_shared_storages.pth", write_views_zip),
    ("gen_views_shared_storages_legacy.pt", write_views_legacy),
    ("gen_legacy_cnn_batchnorm_state_dict.pt", write_legacy_cnn_batchnorm),
    ("gen_lstm_bidirectional_batch_first_2layer_state_dict.pth", write_bilstm),
])


def generate(out_dir):
    """Writes every file of FILES under out_dir/pytorch/; returns their paths relative to
    out_dir. The caller's random state is left as it was."""
    folder = os.path.join(out_dir, "pytorch")
    os.makedirs(folder, exist_ok=True)
    made = []
    with torch.random.fork_rng(devices=[]):
        for name, write in FILES.items():
            torch.manual_seed(SEED)  # per file, so no file depends on the others or their order
            write(os.path.join(folder, name))
            made.append("pytorch/" + name)
    return made


def _load_back(path):
    """The file as torch reads it (TorchScript archives through torch.jit.load)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            if any(n.endswith("/constants.pkl") for n in z.namelist()):
                return torch.jit.load(path, map_location="cpu")
    with _defined_in_main(SimpleNN):
        return torch.load(path, map_location="cpu")


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    for rel in generate(argv[1]):
        path = os.path.join(argv[1], rel)
        _load_back(path)
        print("%8d  %s" % (os.path.getsize(path), rel))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
