/// The Gaussian beta-VAE each loss convention trains, and the params that say so.
module Exp.Spec.Tests.ConventionsTests

open Xunit
open Exp.Spec

let private planOf (text: string) =
    let result = Specs.Parse(text, "spec.yaml", [||])
    Assert.True(result.Succeeded, result.Errors |> Array.map string |> String.concat "\n")
    result.Plan

let private param (trial: Trial) key =
    (trial.Params |> Array.find (fun p -> p.Key = key)).Value

[<Fact>]
let ``fraction mode weighs the KL by w over 1 - w relative to the reconstruction`` () =
    Assert.Equal(0.25, Conventions.relativeKlWeight (KlMode.Beta, 0.25))
    Assert.Equal(1.0 / 3.0, Conventions.relativeKlWeight (KlMode.Fraction, 0.25), 12)
    Assert.Equal(1e-4 / 0.9999, Conventions.relativeKlWeight (KlMode.Fraction, 1e-4), 15)

[<Fact>]
let ``an mse loss is a beta 1 ELBO at sigma squared w' D over 2`` () =
    // The notes: 0.9999 MSE_mean + 1e-4 KL at 128x128x3.
    Assert.Equal(sqrt (1e-4 / 0.9999 * 49152.0 / 2.0), Conventions.mseSigma (KlMode.Fraction, 1e-4, 49152), 12)
    Assert.Equal(1.5678, Conventions.mseSigma (KlMode.Fraction, 1e-4, 49152), 4)
    // PyTorch-VAE: MSE_mean + 0.00025 KL at 64x64x3.
    Assert.Equal(1.2394, Conventions.mseSigma (KlMode.Beta, 0.00025, 12288), 4)

[<Fact>]
let ``the notes' convention resolves to its effective sigma and beta 1`` () =
    let trial =
        (planOf "experiment: x\ndata:\n  dataset: synthetic\n  image_size: 128\n  channels: 3\nloss:\n  reconstruction: mse\n  kl_mode: fraction\n  kl_weight: 1.0e-4\n").Trials[0]
    Assert.Equal(1.5678, trial.Config.Loss.NoiseSigma, 4)
    Assert.Equal(SigmaMode.Fixed, trial.Config.Loss.Sigma)
    Assert.Equal("1.0", param trial "loss.effective_beta")
    Assert.StartsWith("1.5677", param trial "loss.effective_sigma")

[<Fact>]
let ``a gaussian trial's params give its beta and sigma, or how sigma is set`` () =
    let plan =
        planOf "experiment: x\nloss:\n  kl_mode: fraction\n  kl_weight: 0.5\nsweep:\n  parameters:\n    loss.noise_sigma: [0.1, learned, optimal]\n"
    Assert.Equal<string[]>([| "1.0"; "1.0"; "1.0" |], plan.Trials |> Array.map (fun t -> param t "loss.effective_beta"))
    Assert.Equal<string[]>([| "0.1"; "learned"; "optimal" |], plan.Trials |> Array.map (fun t -> param t "loss.effective_sigma"))

[<Fact>]
let ``the mse sigma follows a swept weight`` () =
    let plan =
        planOf "experiment: x\nloss:\n  reconstruction: mse\nsweep:\n  parameters:\n    loss.kl_weight: [0.02, 0.08]\n"
    // Fashion-MNIST, D = 784: sqrt(w 784 / 2).
    Assert.Equal<float[]>([| sqrt (0.02 * 392.0); sqrt (0.08 * 392.0) |], plan.Trials |> Array.map _.Config.Loss.NoiseSigma)
