"""PyTorch peer for bench/speed.ts: the same nets, batch, losses and optimizer as semigan's workloads.

Prints one JSON object: per-workload median step milliseconds, 1024x1024 matmul GFLOP/s, and which BLAS torch
found. Usage: python3 bench/peer/speed_peer.py [--threads N] [--reps 20] [--workloads rings-mlp,mnist-mlp]
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class WNDense(nn.Module):
    """Weight-normalised dense layer, w = g * v / ||v|| per unit (as semigan's Dense with weightNorm)."""

    def __init__(self, n_in, n_out, train_scale=True, std=0.05):
        super().__init__()
        self.v = nn.Parameter(torch.randn(n_in, n_out) * std)
        self.g = nn.Parameter(torch.ones(n_out), requires_grad=train_scale)
        self.b = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return (x @ self.v) * (self.g / torch.sqrt((self.v * self.v).sum(0) + 1e-12)) + self.b


class MlpD(nn.Module):
    def __init__(self, n_in, hidden, k, act, in_noise=0.0, noise=0.0, train_hidden_scale=True, std=0.05):
        super().__init__()
        dims = [n_in] + hidden
        self.layers = nn.ModuleList(
            WNDense(a, b, train_hidden_scale, std) for a, b in zip(dims[:-1], dims[1:])
        )
        self.out = WNDense(dims[-1], k, True, std)
        self.act, self.in_noise, self.noise = act, in_noise, noise

    def forward(self, x):
        h = x.flatten(1)
        if self.in_noise:
            h = h + torch.randn_like(h) * self.in_noise
        feats = h
        for layer in self.layers:
            feats = self.act(layer(h))
            h = feats + torch.randn_like(feats) * self.noise if self.noise else feats
        return self.out(h), feats


class MlpG(nn.Module):
    def __init__(self, nz, hidden, n_out, act, out_act, bn_scale, out_wn):
        super().__init__()
        dims = [nz] + hidden
        self.lin = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.bn = nn.ModuleList(nn.BatchNorm1d(b, affine=True) for b in hidden)
        if not bn_scale:
            for bn in self.bn:
                bn.weight.requires_grad_(False)
        self.out = WNDense(dims[-1], n_out) if out_wn else nn.Linear(dims[-1], n_out)
        self.nz, self.act, self.out_act = nz, act, out_act

    def forward(self, z):
        h = z
        for lin, bn in zip(self.lin, self.bn):
            h = self.act(bn(lin(h)))
        return self.out_act(self.out(h))


class WNConv(nn.Module):
    """Weight-normalised 3x3/1x1 convolution with 'same'-style padding (as semigan's Conv2D)."""

    def __init__(self, cin, cout, k, stride=1):
        super().__init__()
        self.v = nn.Parameter(torch.randn(cout, cin, k, k) * 0.05)
        self.g = nn.Parameter(torch.ones(cout))
        self.b = nn.Parameter(torch.zeros(cout))
        self.stride, self.pad = stride, (k - 1) // 2

    def forward(self, x):
        w = self.v * (self.g / torch.sqrt((self.v ** 2).sum((1, 2, 3)) + 1e-12)).view(-1, 1, 1, 1)
        return F.conv2d(x, w, self.b, self.stride, self.pad)


class ResnetD(nn.Module):
    """semigan's ResnetDiscriminator: 3x3 stem, stages of (3x3 s2, 3x3) + 1x1 s2 shortcut, lrelu, GAP, dense."""

    def __init__(self, widths=(16, 32, 64, 128), stem_stride=2, k=2):
        super().__init__()
        self.stem = WNConv(3, widths[0], 3, stem_stride)
        self.blocks = nn.ModuleList()
        cin = widths[0]
        for cout in widths[1:]:
            self.blocks.append(nn.ModuleList([WNConv(cin, cout, 3, 2), WNConv(cout, cout, 3), WNConv(cin, cout, 1, 2)]))
            cin = cout
        self.out = WNDense(cin, k)

    def forward(self, x):
        x = x + torch.randn_like(x) * 0.1
        h = F.leaky_relu(self.stem(x), 0.2)
        for i, (a, b, skip) in enumerate(self.blocks):
            if i > 0:
                h = F.dropout(h, 0.2, True)
            h = F.leaky_relu(b(F.leaky_relu(a(h), 0.2)) + skip(h), 0.2)
        feats = h.mean((2, 3))
        return self.out(feats), feats


class DcganG(nn.Module):
    def __init__(self, nz=100, size=64, width=16):
        super().__init__()
        levels = {8: 1, 16: 2, 32: 3, 64: 4}[size]
        c0 = width * 2 ** (levels - 1)
        self.nz, self.c0 = nz, c0
        self.project = nn.Linear(nz, 16 * c0)
        self.bn0 = nn.BatchNorm2d(c0)
        ups, bns, cin = [], [], c0
        for i in range(levels):
            last = i == levels - 1
            cout = 3 if last else cin // 2
            ups.append(nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=last))
            bns.append(None if last else nn.BatchNorm2d(cout))
            cin = cout
        self.ups = nn.ModuleList(ups)
        self.bns = nn.ModuleList([b for b in bns if b is not None])

    def forward(self, z):
        h = F.relu(self.bn0(self.project(z).view(-1, self.c0, 4, 4)))
        for i, up in enumerate(self.ups):
            h = up(h)
            h = torch.tanh(h) if i == len(self.ups) - 1 else F.relu(self.bns[i](h))
        return h


class PhotoD(nn.Module):
    """semigan's PhotoDiscriminator (photo-cnn): 3x3 convs without bias -> batch norm -> leaky ReLU 0.1, a 2x2
    max-pool after the stem (64 px) and after each block of two units, global max-pool, dense. Each part of a
    batch is normalised with its own statistics; only real parts of a D step move the running averages."""

    def __init__(self, stem=24, widths=(32, 64, 128, 128), k=2, pool_stem=True):
        super().__init__()
        dims = [(3, stem)]
        cin = stem
        for w in widths:
            dims += [(cin, w), (w, w)]
            cin = w
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1, bias=False) for a, b in dims)
        self.bns = nn.ModuleList(nn.BatchNorm2d(b, momentum=0.1) for _, b in dims)
        self.out = nn.Linear(cin, k)
        nn.init.normal_(self.out.weight, std=0.02)
        nn.init.zeros_(self.out.bias)
        self.pool_stem = pool_stem
        self.parts = None

    def unit(self, i, h, update):
        bn = self.bns[i]
        # batch statistics always; the running averages move only when `update`
        h = F.batch_norm(self.convs[i](h), bn.running_mean if update else None,
                         bn.running_var if update else None, bn.weight, bn.bias, True, bn.momentum, bn.eps)
        return F.leaky_relu(h, 0.1)

    def run_part(self, x, update):
        h = self.unit(0, x, update)
        if self.pool_stem:
            h = F.max_pool2d(h, 2)
        for i in range(1, len(self.convs), 2):
            h = F.max_pool2d(self.unit(i + 1, self.unit(i, h, update), update), 2)
        feats = h.amax((2, 3))
        return self.out(feats), feats

    def forward(self, x):
        # parts: (rows, moves the averages) per part, set by the step as semigan's ForwardOptions.parts
        outs = [self.run_part(xi, up) for xi, (_, up) in zip(x.split([r for r, _ in self.parts]), self.parts)]
        return torch.cat([o[0] for o in outs]), torch.cat([o[1] for o in outs])


def lse(x):
    return torch.logsumexp(x, 1)


def make(name):
    if name == 'rings-mlp':
        d = MlpD(2, [64, 64], 2, lambda x: F.leaky_relu(x, 0.2))
        g = MlpG(8, [64, 64], 2, F.relu, lambda x: x, True, False)
        return d, g, (2,), 2
    if name == 'mnist-mlp':
        d = MlpD(784, [1000, 500, 250, 250, 250], 10, F.relu, 0.3, 0.5, False, 0.1)
        g = MlpG(100, [500, 500], 784, F.softplus, torch.sigmoid, False, True)
        return d, g, (784,), 10
    if name == 'dcgan-resnet-64':
        g = DcganG()
        g.nz = 100
        return ResnetD(), g, (3, 64, 64), 2
    if name == 'photo-cnn-64':
        return PhotoD(), DcganG(), (3, 64, 64), 2
    raise SystemExit(f'unknown workload {name}')


def time_workload(name, reps, batch=None):
    images = name.startswith(('dcgan', 'photo'))
    batch = batch or (64 if images else 100)
    torch.manual_seed(1)
    d, g, shape, k = make(name)
    opt_d = torch.optim.Adam([p for p in d.parameters() if p.requires_grad], lr=0.003, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam([p for p in g.parameters() if p.requires_grad], lr=0.003, betas=(0.5, 0.999))
    xl, yl = torch.rand(batch, *shape), torch.randint(0, k, (batch,))
    xu, xu2 = torch.rand(batch, *shape), torch.rand(batch, *shape)

    def step():
        z = torch.randn if images else torch.rand
        # a D step: labeled, unlabeled, fake, each normalised on its own, real parts moving the averages
        d.parts = [(batch, True), (batch, True), (batch, False)]
        fake = g(z(batch, g.nz))
        logits, _ = d(torch.cat([xl, xu, fake.detach()]))
        ll, lu, lf = logits[:batch], logits[batch:2 * batch], logits[2 * batch:]
        loss_d = F.cross_entropy(ll, yl) + 0.5 * (
            (-lse(lu) + F.softplus(lse(lu))).mean() + F.softplus(lse(lf)).mean()
        )
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # a G step: D's averages stay where the D step left them
        d.parts = [(batch, False), (batch, False)]
        fake = g(z(batch, g.nz))
        _, feats = d(torch.cat([xu2, fake]))
        loss_g = ((feats[:batch].mean(0) - feats[batch:].mean(0)) ** 2).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        return float(loss_d) + float(loss_g)

    # warm-up: at least 5 steps and at least 1 s, the same rule as the semigan side
    warm_start, warm_steps = time.perf_counter(), 0
    while warm_steps < 5 or time.perf_counter() - warm_start < 1.0:
        step()
        warm_steps += 1
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def matmul_gflops(n=1024, reps=10):
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def blas_name():
    # Debian's build reports BLAS_INFO=generic: it links libblas.so.3, whichever alternative is installed
    # (the reference BLAS at ~4 GFLOP/s, or OpenBLAS), so read what is actually mapped
    try:
        maps = open(f'/proc/{os.getpid()}/maps').read()
        libs = sorted({l.split()[-1] for l in maps.splitlines() if 'blas' in l.lower()})
        return ', '.join(libs) or 'unknown'
    except OSError:
        return 'unknown'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--reps', type=int, default=20)
    p.add_argument('--workloads', default='rings-mlp,mnist-mlp,dcgan-resnet-64,photo-cnn-64')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'matmulGflops': round(matmul_gflops(), 1),
        'workloads': {w: round(time_workload(w, args.reps), 2) for w in args.workloads.split(',')},
    }
    result['blas'] = blas_name()
    print(json.dumps(result))


if __name__ == '__main__':
    main()
