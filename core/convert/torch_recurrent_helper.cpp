// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_recurrent_helper.h"

namespace ws::convert {

const char* const kKerasRecurrentPython = R"PY(
class KerasRecurrent(nn.Module):
    """An LSTM / GRU / RNN computing with Keras' activations, which torch.nn.LSTM/GRU/RNN
    cannot be given (they hard-wire tanh and sigmoid).

    Parameters are named and shaped exactly as torch.nn.LSTM/GRU/RNN name them (weight_ih_l0,
    weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse) with PyTorch's gate order (LSTM i,f,g,o;
    GRU r,z,n, the reset gate applied to (W_hn h + b_hn) as Keras' reset_after=True does), so a
    state_dict loads into either. Input (N, T, F) batch-first; returns (output, None) like
    torch.nn.LSTM.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 bidirectional=False, activation=torch.tanh, recurrent_activation=torch.sigmoid):
        super().__init__()
        self.mode = mode
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.directions = 2 if bidirectional else 1
        self.bias = bias
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[mode]
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * self.directions
            for direction in range(self.directions):
                sfx = "_l%d%s" % (layer, "_reverse" if direction else "")
                self.register_parameter(
                    "weight_ih" + sfx, nn.Parameter(torch.zeros(gates * hidden_size, size)))
                self.register_parameter(
                    "weight_hh" + sfx, nn.Parameter(torch.zeros(gates * hidden_size, hidden_size)))
                if bias:
                    self.register_parameter(
                        "bias_ih" + sfx, nn.Parameter(torch.zeros(gates * hidden_size)))
                    self.register_parameter(
                        "bias_hh" + sfx, nn.Parameter(torch.zeros(gates * hidden_size)))

    def _direction(self, x, sfx, reverse):
        w_ih = getattr(self, "weight_ih" + sfx)
        w_hh = getattr(self, "weight_hh" + sfx)
        b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
        b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
        steps = x.shape[1]
        h = x.new_zeros(x.shape[0], self.hidden_size)
        c = x.new_zeros(x.shape[0], self.hidden_size)
        projected = F.linear(x, w_ih, b_ih)
        outputs = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            gi = projected[:, t]
            gh = F.linear(h, w_hh, b_hh)
            if self.mode == "LSTM":
                i, f, g, o = (gi + gh).chunk(4, 1)
                c = self.recurrent_activation(f) * c + self.recurrent_activation(i) * self.activation(g)
                h = self.recurrent_activation(o) * self.activation(c)
            elif self.mode == "GRU":
                i_r, i_z, i_n = gi.chunk(3, 1)
                h_r, h_z, h_n = gh.chunk(3, 1)
                r = self.recurrent_activation(i_r + h_r)
                z = self.recurrent_activation(i_z + h_z)
                h = (1 - z) * self.activation(i_n + r * h_n) + z * h
            else:
                h = self.activation(gi + gh)
            outputs[t] = h
        return torch.stack(outputs, 1)

    def forward(self, x):
        for layer in range(self.num_layers):
            outs = [self._direction(x, "_l%d" % layer, False)]
            if self.directions == 2:
                outs.append(self._direction(x, "_l%d_reverse" % layer, True))
            x = torch.cat(outs, 2)
        return x, None
)PY";

const char* const kSeparableConvPython = R"PY(
class SeparableConv2d(nn.Module):
    """Keras SeparableConv2D: a depthwise convolution (groups = input channels, carrying the
    strides and dilation) followed by a 1x1 pointwise convolution with the bias."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, dilation,
                 depth_multiplier, bias):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels * depth_multiplier, kernel_size,
                                   stride=stride, dilation=dilation, groups=in_channels,
                                   bias=False)
        self.pointwise = nn.Conv2d(in_channels * depth_multiplier, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
)PY";

}  // namespace ws::convert
