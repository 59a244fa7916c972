namespace Exp.Spec

open System

/// Where the images come from.
type DatasetKind =
    | FashionMnist = 0
    | Idx = 1
    | ImageFolder = 2
    | Synthetic = 3

type Architecture =
    | Conv = 0
    | Mlp = 1

type Activation =
    | Relu = 0
    | LeakyRelu = 1
    | Gelu = 2
    | Silu = 3

/// How the conv decoder doubles resolution: a transposed convolution, or nearest
/// upsampling followed by a convolution (the notes' decoder).
type Upsample =
    | Transposed = 0
    | Nearest = 1

/// The decoder's last activation: `sigmoid` keeps the mean image in [0, 1], `linear`
/// leaves it unconstrained (the notes' decoder).
type OutputActivation =
    | Sigmoid = 0
    | Linear = 1

/// beta: recon + w * KL; fraction: (1 - w) * recon + w * KL.
type KlMode =
    | Beta = 0
    | Fraction = 1

/// The reconstruction term: gaussian is -log N(x; f(z), sigma^2 I) per image; mse is the mean
/// squared error per pixel (the notes' code, PyTorch-VAE), a Gaussian at an effective sigma.
type Reconstruction =
    | Gaussian = 0
    | Mse = 1

/// How the decoder noise sigma is set: fixed; learned by gradient; optimal, the sigma-VAE's
/// sqrt of the batch's mean squared error (Rybkin et al. 2021).
type SigmaMode =
    | Fixed = 0
    | Learned = 1
    | Optimal = 2

type OptimizerKind =
    | Adam = 0
    | AdamW = 1
    | Sgd = 2

/// Where data lives when a spec does not say.
module DataDefaults =
    /// Where `apt-get install dataset-fashion-mnist` puts the IDX files: the default data.path of fashion-mnist.
    [<Literal>]
    let FashionMnistPath = "/usr/share/datasets/fashion-mnist"

type DataConfig =
    { Dataset: DatasetKind
      /// Folder of the data; empty for `synthetic`.
      Path: string
      ImageSize: int
      Channels: int
      /// Cap on training images; null means all of them.
      TrainLimit: Nullable<int>
      /// Cap on held-out images; null means all of them.
      TestLimit: Nullable<int>
      /// Share of the training images held out (seeded) for the per-epoch metrics.
      Validation: float }

type ModelConfig =
    { Architecture: Architecture
      /// conv: output channels of each stride-2 layer; mlp: hidden layer sizes.
      Channels: int[]
      KernelSize: int
      BatchNorm: bool
      Activation: Activation
      LatentDim: int
      Upsample: Upsample
      Output: OutputActivation }

type LossConfig =
    { Reconstruction: Reconstruction
      /// The decoder noise sigma when Sigma is Fixed. With mse it is derived: the effective
      /// sigma at which the loss is a beta = 1 ELBO (see Conventions).
      NoiseSigma: float
      Sigma: SigmaMode
      KlWeight: float
      KlMode: KlMode
      /// Epochs over which the KL term's weight rises linearly from 0; 0: no warm-up.
      KlWarmupEpochs: int
      /// Per-dimension floor on the batch's KL in the loss (nats); 0: none.
      FreeBits: float }

type TrainConfig =
    { Epochs: int
      BatchSize: int
      Optimizer: OptimizerKind
      Lr: float
      WeightDecay: float
      /// auto | cpu | cuda | cuda:N
      Device: string
      /// Log the training loss every this many steps.
      LogEvery: int
      /// Before the first step: one batch of the model in float32 against float64 (the Engine's NumericsCheck).
      NumericsCheck: bool }

type EvalConfig =
    { SampleCount: int
      /// Temperature of prior samples: z ~ N(0, sample_std^2 I).
      SampleStd: float
      ReconstructionCount: int
      /// k of the importance-weighted bound; 0 turns it off.
      IwaeSamples: int
      /// Held-out images per evaluation batch.
      BatchSize: int
      /// k of the IWAE bound on the test split, evaluated once at the end; 0 turns it off.
      TestIwaeSamples: int
      /// At the end: log p(x) estimated with q and with the prior as proposal, for each k.
      ProposalComparison: bool
      ProposalK: int[]
      /// Held-out images the comparison averages over, and its repeats.
      ProposalImages: int
      ProposalRepeats: int }

/// Everything one trial needs to train and evaluate; its id is derived from it.
type TrialConfig =
    { Seed: int
      Data: DataConfig
      Model: ModelConfig
      Loss: LossConfig
      Train: TrainConfig
      Eval: EvalConfig }
