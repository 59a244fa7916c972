/// The spec's names for the closed sets of choices, one table each, shared by the
/// decoder and the JSON writer so that both speak the spec's own words.
module Exp.Spec.Names

let datasets =
    [ "fashion-mnist", DatasetKind.FashionMnist
      "idx", DatasetKind.Idx
      "image-folder", DatasetKind.ImageFolder
      "synthetic", DatasetKind.Synthetic ]

let architectures = [ "conv", Architecture.Conv; "mlp", Architecture.Mlp ]

let activations =
    [ "relu", Activation.Relu
      "leaky_relu", Activation.LeakyRelu
      "gelu", Activation.Gelu
      "silu", Activation.Silu ]

let upsamples = [ "transposed", Upsample.Transposed; "nearest", Upsample.Nearest ]

let outputs = [ "sigmoid", OutputActivation.Sigmoid; "linear", OutputActivation.Linear ]

let klModes = [ "beta", KlMode.Beta; "fraction", KlMode.Fraction ]

let reconstructions = [ "gaussian", Reconstruction.Gaussian; "mse", Reconstruction.Mse ]

/// The words noise_sigma takes besides a number.
let sigmaModes = [ "learned", SigmaMode.Learned; "optimal", SigmaMode.Optimal ]

let optimizers =
    [ "adam", OptimizerKind.Adam
      "adamw", OptimizerKind.AdamW
      "sgd", OptimizerKind.Sgd ]

let nameOf (table: (string * 'T) list) (value: 'T) =
    table |> List.find (fun (_, v) -> v = value) |> fst
