namespace Exp.Spec

open System

/// How much memory a trial's model needs to train, from its config alone (no tensors are
/// made): float32 parameters with their gradients and optimizer state, and the activations a
/// training batch keeps for the backward pass (or an evaluation batch with a chunk of its
/// importance samples, whichever is larger). Data, the runtime and allocator slack come on
/// top, so a trial near the limit may still not fit; one far over it cannot.
type MemoryEstimate =
    { /// Parameters in the model.
      Parameters: float
      /// Parameters that belong to layers sized by model.latent_dim.
      LatentParameters: float
      /// Bytes of weights, gradients and optimizer state.
      ParameterBytes: float
      /// Bytes of activations of the larger of a training and an evaluation batch.
      ActivationBytes: float
      /// The batch size that sets ActivationBytes: train.batch_size or eval.batch_size.
      ActivationKey: string }

    member estimate.TotalBytes = estimate.ParameterBytes + estimate.ActivationBytes

/// The memory a trial may use where it runs, in the words a refusal uses.
type MemoryBudget =
    { Bytes: int64
      /// Where the budget comes from: "this machine has 16 GiB".
      Source: string
      /// What else could make the trial fit, after "Make <key> smaller".
      OrElse: string }

module MemoryEstimate =
    let private floatBytes = 4.0

    /// The numbers a chunk of importance samples may hold in the decoder's widest layer, so
    /// that k's memory is bounded whatever k is: the engine's evaluator decodes in such chunks.
    [<Literal>]
    let DecodeBudget = 4194304L

    /// Weight and bias of a dense or convolutional layer.
    let private layer (inputs: float) (outputs: float) (kernel: float) = inputs * outputs * kernel * kernel + outputs

    let of_ (config: TrialConfig) : MemoryEstimate =
        let model = config.Model
        let imageChannels = float config.Data.Channels
        let size = float config.Data.ImageSize
        let pixels = imageChannels * size * size
        let latent = float model.LatentDim
        let widths = model.Channels |> Array.map float
        let normalised = if model.BatchNorm then 1.0 else 0.0
        // Each hidden layer keeps its output, its normalised output and its activation for backward.
        let kept = 2.0 + normalised
        // Per image: what training keeps for backward, and the peak evaluation holds at once
        // (no gradients: a layer's input and output, and the image-sized loss terms).
        let parameters, latentParameters, activationsPerImage, peakPerImage =
            match model.Architecture with
            | Architecture.Mlp ->
                let sizes = Array.append [| pixels |] widths
                let encoder = Array.pairwise sizes |> Array.sumBy (fun (i, o) -> layer i o 1.0 + 2.0 * normalised * o)
                let last = Array.last sizes
                let decoderSizes = Array.concat [ [| latent |]; Array.rev widths; [| pixels |] ]
                let decoder = (Array.pairwise decoderSizes |> Array.sumBy (fun (i, o) -> layer i o 1.0 + 2.0 * normalised * o)) - 2.0 * normalised * pixels
                let heads = 2.0 * layer last latent 1.0
                let latentLayers = heads + layer latent decoderSizes[1] 1.0
                let widest = Array.max (Array.append widths [| latent |])
                encoder + heads + decoder, latentLayers, 2.0 * kept * Array.sum widths + 4.0 * latent + 3.0 * pixels, 2.0 * widest + 4.0 * latent + 3.0 * pixels
            | _ ->
                let kernel = float model.KernelSize
                let layers = widths.Length
                let spatial i = size / Math.Pow(2.0, float (i + 1))
                let encoder =
                    Array.append [| imageChannels |] widths
                    |> Array.pairwise
                    |> Array.sumBy (fun (i, o) -> layer i o kernel + 2.0 * normalised * o)
                let features = Array.last widths * spatial (layers - 1) * spatial (layers - 1)
                let heads = 2.0 * layer features latent 1.0
                let fromLatent = layer latent features 1.0
                let decoderWidths = Array.append (Array.rev widths) [| imageChannels |]
                // The last layer makes the image: no normalisation there.
                let decoder = (Array.pairwise decoderWidths |> Array.sumBy (fun (i, o) -> layer i o kernel + 2.0 * normalised * o)) - 2.0 * normalised * imageChannels
                let mapSizes = widths |> Array.mapi (fun i w -> w * spatial i * spatial i)
                let widest = Array.max (Array.append mapSizes [| features; latent |])
                encoder + heads + fromLatent + decoder,
                heads + fromLatent,
                2.0 * kept * Array.sum mapSizes + 2.0 * features + 4.0 * latent + 3.0 * pixels,
                2.0 * widest + 4.0 * latent + 3.0 * pixels
        // Weights, gradients, and the optimizer's state: Adam keeps two moments, SGD one.
        let copies = 2.0 + (if config.Train.Optimizer = OptimizerKind.Sgd then 1.0 else 2.0)
        // Training keeps activations and their gradients. Evaluation decodes a batch without
        // gradients, and its importance samples (eval.iwae_samples, and at the end
        // test_iwae_samples and the proposal comparison) in chunks of at most DecodeBudget numbers
        // in the widest layer: with that layer's input and the image-sized terms, about three times it.
        let training = float config.Train.BatchSize * activationsPerImage * 2.0
        let importanceChunk = 3.0 * float DecodeBudget
        let evaluation = float config.Eval.BatchSize * peakPerImage + importanceChunk
        // The decoder's noise sigma is one more parameter, learned or not.
        let parameters = parameters + 1.0
        { Parameters = parameters
          LatentParameters = latentParameters
          ParameterBytes = parameters * floatBytes * copies
          ActivationBytes = max training evaluation * floatBytes
          ActivationKey = if evaluation > training then "eval.batch_size" else "train.batch_size" }

    /// Bytes in words a person reads: 512 MiB, 3.2 GiB, 274 TiB.
    let describe (bytes: float) =
        let units = [| "bytes"; "KiB"; "MiB"; "GiB"; "TiB"; "PiB"; "EiB" |]
        let rec scale (value: float) unit =
            if value >= 1024.0 && unit < units.Length - 1 then scale (value / 1024.0) (unit + 1) else value, unit
        let value, unit = scale bytes 0
        let shown = if value >= 100.0 || unit = 0 then value.ToString("0", Globalization.CultureInfo.InvariantCulture) else value.ToString("0.#", Globalization.CultureInfo.InvariantCulture)
        $"{shown} {units[unit]}"

    /// The key whose value drives the estimate: what to make smaller.
    let culprit (estimate: MemoryEstimate) =
        if estimate.ActivationBytes > estimate.ParameterBytes then estimate.ActivationKey
        elif estimate.LatentParameters * 2.0 > estimate.Parameters then "model.latent_dim"
        else "model.channels"

    /// The memory each trial may use where it will run, and how a refusal says so: on Slurm,
    /// what execution.slurm.mem asks for (None without it: the cluster's default is not known
    /// here, and Slurm enforces its own); on this machine, `machineBytes` (None when 0).
    let budget (execution: ExecutionConfig) (machineBytes: int64) =
        match execution.Launcher with
        | Launcher.Slurm when execution.Slurm.MemBytes > 0L ->
            let bytes = execution.Slurm.MemBytes
            Some { Bytes = bytes; Source = $"execution.slurm.mem gives each trial {describe (float bytes)}"; OrElse = " or raise execution.slurm.mem" }
        | Launcher.Slurm -> None
        | _ when machineBytes > 0L -> Some { Bytes = machineBytes; Source = $"this machine has {describe (float machineBytes)}"; OrElse = "" }
        | _ -> None

    /// The refusal (key and message) of a trial that cannot fit in its `budget`, or None when it fits.
    let refusal (config: TrialConfig) (budget: MemoryBudget option) =
        let estimate = of_ config
        match budget with
        | Some budget when estimate.TotalBytes > float budget.Bytes ->
            let parameters =
                if estimate.Parameters >= 1e12 then (estimate.Parameters / 1e12).ToString("0.#", Globalization.CultureInfo.InvariantCulture) + " trillion"
                elif estimate.Parameters >= 1e9 then (estimate.Parameters / 1e9).ToString("0.#", Globalization.CultureInfo.InvariantCulture) + " billion"
                else estimate.Parameters.ToString("N0", Globalization.CultureInfo.InvariantCulture)
            let key = culprit estimate
            Some(
                key,
                $"this trial needs about {describe estimate.TotalBytes} of memory to train: {describe estimate.ParameterBytes} for its {parameters} parameters "
                + $"(weights, gradients and optimizer state) and {describe estimate.ActivationBytes} for activations; "
                + $"{budget.Source}. Make {key} smaller{budget.OrElse}"
            )
        | _ -> None
