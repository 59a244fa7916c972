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

type OptimizerKind =
    | Adam = 0
    | AdamW = 1
    | Sgd = 2

type DataConfig =
    { Dataset: DatasetKind
      /// Folder of the data; empty for `synthetic`.
      Path: string
      ImageSize: int
      Channels: int
      /// Cap on training images; null means all of them.
      TrainLimit: Nullable<int>
      /// Cap on held-out images; null means all of them.
      TestLimit: Nullable<int> }

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
    { /// The decoder noise sigma; when LearnSigma, the value it starts from.
      NoiseSigma: float
      LearnSigma: bool
      KlWeight: float
      KlMode: KlMode }

type TrainConfig =
    { Epochs: int
      BatchSize: int
      Optimizer: OptimizerKind
      Lr: float
      WeightDecay: float
      /// auto | cpu | cuda | cuda:N
      Device: string
      /// Log the training loss every this many steps.
      LogEvery: int }

type EvalConfig =
    { SampleCount: int
      /// Temperature of prior samples: z ~ N(0, sample_std^2 I).
      SampleStd: float
      ReconstructionCount: int
      /// k of the importance-weighted bound; 0 turns it off.
      IwaeSamples: int
      /// Held-out images per evaluation batch.
      BatchSize: int }

/// Everything one trial needs to train and evaluate; its id is derived from it.
type TrialConfig =
    { Seed: int
      Data: DataConfig
      Model: ModelConfig
      Loss: LossConfig
      Train: TrainConfig
      Eval: EvalConfig }
