"""PyTorch reference for the convolutional autoencoder (issue #14): the network Residual's 'conv' kind trains (seed
003's: Conv2D 16-8-8, 3x3, ReLU, 'same' padding, each followed by 2x2 max-pooling; a mirrored decoder with 2x2
nearest up-sampling; a last 3x3 convolution to the channels, sigmoid, binary cross-entropy; Adam), on the same images
padded at the bottom and right to a multiple of 2^layers and cropped back, as Residual does. Times training (samples/s
over the epochs) and one scoring pass (forward plus the per-row mean squared error, rows/s), like reference.py's dense
figures, with torch's threads set to 2 as there.

    python3 bench/conv_reference.py images-idx3-ubyte.gz --count 8000 --filters 16,8,8 --epochs 3 --batch 256

Prints one JSON line: {"torch_conv": {"train_samples_per_s": ..., "score_rows_per_s": ..., "loss": ...}}.
"""
import argparse, gzip, json, struct, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('images')
p.add_argument('--count', type=int, default=8000)
p.add_argument('--filters', default='16,8,8')
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--batch', type=int, default=256)
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()

opener = gzip.open if a.images.endswith('.gz') else open
with opener(a.images, 'rb') as f:
    raw = f.read()
magic, n = struct.unpack('>II', raw[:8])
ndim = magic & 0xff
dims = struct.unpack('>' + 'I' * (ndim - 1), raw[8:8 + 4 * (ndim - 1)])
h, w = dims[0], dims[1]
c = dims[2] if ndim == 4 else 1
count = min(a.count, n)
x = np.frombuffer(raw, dtype=np.uint8, offset=8 + 4 * (ndim - 1), count=count * h * w * c).astype(np.float32) / 255
x = torch.from_numpy(x.reshape(count, h, w, c)).permute(0, 3, 1, 2).contiguous()

filters = [int(v) for v in a.filters.split(',')]
m = 2 ** len(filters)
ph, pw = -(-h // m) * m, -(-w // m) * m


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        enc, prev = [], c
        for f in filters:
            enc += [nn.Conv2d(prev, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            prev = f
        dec = []
        for f in reversed(filters):
            dec += [nn.Conv2d(prev, f, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2, mode='nearest')]
            prev = f
        dec += [nn.Conv2d(prev, c, 3, padding=1)]
        self.encoder, self.decoder = nn.Sequential(*enc), nn.Sequential(*dec)

    def forward(self, t):
        """Logits on the real pixels: padded at the bottom and right, cropped back."""
        t = F.pad(t, (0, pw - w, 0, ph - h))
        return self.decoder(self.encoder(t))[:, :, :h, :w]


torch.manual_seed(a.seed)
torch.set_num_threads(2)
model = ConvAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss()
t0 = time.time()
loss = float('nan')
for epoch in range(a.epochs):
    order = torch.randperm(count)
    for s in range(0, count, a.batch):
        xb = x[order[s:s + a.batch]]
        opt.zero_grad()
        l = loss_fn(model(xb), xb)
        l.backward()
        opt.step()
        loss = l.item()
train_s = time.time() - t0
model.eval()
with torch.no_grad():
    t1 = time.time()
    err = ((torch.sigmoid(model(x)) - x) ** 2).flatten(1).mean(1).numpy()
    score_s = time.time() - t1
print(json.dumps({'torch_conv': {'train_samples_per_s': count * a.epochs / train_s, 'score_rows_per_s': count / score_s, 'loss': loss, 'params': sum(p.numel() for p in model.parameters())}}))
