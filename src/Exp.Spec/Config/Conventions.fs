/// The Gaussian beta-VAE that each loss convention trains, as pure formulas. With D the
/// numbers per image and w' the KL weight relative to the reconstruction term (w in beta
/// mode, w / (1 - w) in fraction mode, whose recon term carries 1 - w):
/// - gaussian: -log N(x; f(z), sigma^2 I) + w' KL is a beta-VAE with beta = w' at sigma.
/// - mse: MSE_mean + w' KL = (2 sigma^2 / D) * (||x - f(z)||^2 / (2 sigma^2) + w' D / (2 sigma^2) KL),
///   a beta-VAE with beta = w' D / (2 sigma^2) at any sigma, and beta = 1 at sigma^2 = w' D / 2.
///   That sigma is the natural one to report its ELBO at (the notes' 1e-4 at 128x128x3: 1.57).
module Exp.Spec.Conventions


/// w / (1 - w) in fraction mode, w in beta mode.
let relativeKlWeight (mode: KlMode, weight: float) =
    if mode = KlMode.Fraction then weight / (1.0 - weight) else weight

/// sqrt(w' D / 2): the sigma at which an mse loss with KL weight w is a beta = 1 ELBO.
let mseSigma (mode: KlMode, weight: float, dimensions: int) =
    sqrt (relativeKlWeight (mode, weight) * float dimensions / 2.0)

/// The beta of the Gaussian beta-VAE the trial trains: w' for gaussian, 1 for mse (at its
/// effective sigma, see mseSigma).
let effectiveBeta (loss: LossConfig) =
    match loss.Reconstruction with
    | Reconstruction.Mse -> 1.0
    | _ -> relativeKlWeight (loss.KlMode, loss.KlWeight)
