"""The notes' model trained in PyTorch eager mode: the reference that exp's trainer is compared with.

    python3 bench/pytorch/notes_eager.py --device cuda --images 6400 [--threads N]
    dotnet run -c Release -p:TorchBackend=cuda --project bench/Exp.Bench -- throughput notes 16 6400 --no-numerics-check

Both train the notes' architecture as exp builds it (src/Exp.Engine/Models/VaeFactory.cs: four 3x3
stride-2 convolutions 3->32->64->64->64 with batch norm and LeakyReLU, linear layers to a 1024-dim
mu and log-variance, a linear layer to 64x8x8 and four blocks of 2x nearest upsampling and a 3x3
convolution) on 128x128 RGB images, batch 64, Adam at 3e-4, the loss 0.9999 * MSE + 1e-4 * KL per
image, and read the loss after every step as exp does with train.log_every=1 (the throughput verb).
Prints images/s after the warm-up steps, in the throughput verb's words.
"""
import argparse
import time

import torch
from torch import nn


def notes_vae(latent=1024):
    def down(i, o):
        return [nn.Conv2d(i, o, 3, stride=2, padding=1), nn.BatchNorm2d(o), nn.LeakyReLU()]

    def up(i, o, last=False):
        layers = [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(i, o, 3, padding="same")]
        return layers if last else layers + [nn.BatchNorm2d(o), nn.LeakyReLU()]

    encoder = nn.Sequential(*down(3, 32), *down(32, 64), *down(64, 64), *down(64, 64), nn.Flatten())
    mu, logvar = nn.Linear(4096, latent), nn.Linear(4096, latent)
    decoder = nn.Sequential(nn.Linear(latent, 4096), nn.LeakyReLU(), nn.Unflatten(1, (64, 8, 8)),
                            *up(64, 64), *up(64, 64), *up(64, 32), *up(32, 3, last=True))
    return encoder, mu, logvar, decoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--images", type=int, default=6400, help="training images (one pass)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=2, help="steps not timed (allocations, kernel choice)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    device = torch.device(args.device)
    encoder, mu, logvar, decoder = (m.to(device) for m in notes_vae())
    modules = nn.ModuleList([encoder, mu, logvar, decoder]).train()
    optimizer = torch.optim.Adam(modules.parameters(), lr=3e-4)
    data = torch.rand(args.images, 3, 128, 128, device=device)

    steps = args.images // args.batch
    start = None
    for step in range(steps):
        if step == args.warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
        x = data[step * args.batch:(step + 1) * args.batch]
        features = encoder(x)
        m, lv = mu(features), logvar(features).clamp(-30, 20)
        z = m + (0.5 * lv).exp() * torch.randn_like(m)
        mean = decoder(z)
        kl = 0.5 * (m.square() + lv.exp() - 1 - lv).sum(1).mean()
        loss = 0.9999 * (x - mean).square().mean() + 1e-4 * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    seconds = time.perf_counter() - start
    images = (steps - args.warmup) * args.batch
    print(f"notes (PyTorch {torch.__version__} eager): {images / seconds:.0f} images/s "
          f"({images} images in {seconds:.1f} s after {args.warmup} warm-up steps, {torch.get_num_threads()} threads, device {device})")


if __name__ == "__main__":
    main()
