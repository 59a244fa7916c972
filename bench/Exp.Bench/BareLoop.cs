using System.Globalization;
using Exp.Engine.Data;
using Exp.Engine.Training;
using Exp.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Exp.Bench;

/// <summary>
/// The yardstick: the kl-sweep model trained by a plain TorchSharp loop, written as a PyTorch
/// user would write it, with none of exp's machinery (no trainer, observer, recorder, store).
/// Same layers created in the same order, same data order, noise and optimiser as exp's trainer,
/// so the losses are the same. It runs in a process of its own (<c>Exp.Bench bare ...</c>), with
/// glibc malloc as it comes: no tuning unless GLIBC_TUNABLES says so. It prints one line per
/// logged step, "step unix_ms loss", as exp logs train/loss.
/// </summary>
public static class BareLoop
{
    public static int Run(BareSettings settings)
    {
        set_num_threads(settings.Threads);
        var data = Datasets.Load(new DataConfig(DatasetKind.FashionMnist, DataDefaults.FashionMnistPath, 28, 1, settings.TrainLimit, settings.TestLimit, 0.1), settings.Seed);
        manual_seed(settings.Seed);
        var model = new BareVae();
        var optimizer = optim.Adam(model.parameters(), settings.LearningRate);
        var noise = new Generator((ulong)settings.Seed, CPU);
        var count = data.Train.shape[0];
        var stepsPerEpoch = count / settings.BatchSize;
        long step = 0;
        for (var epoch = 0; epoch < settings.Epochs; epoch++)
        {
            using var order = tensor(Shuffle.Permutation(count, settings.Seed, epoch));
            for (long b = 0; b < stepsPerEpoch; b++)
            {
                using var scope = NewDisposeScope();
                var x = data.Train.index_select(0, order.narrow(0, b * settings.BatchSize, settings.BatchSize));
                var loss = model.Loss(x, noise, settings.NoiseSigma, settings.KlWeight);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                step++;
                if (step % settings.LogEvery == 0 || b == stepsPerEpoch - 1)
                {
                    var value = loss.item<float>();
                    Console.WriteLine(FormattableString.Invariant($"{step} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {value}"));
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// conv [32, 64], kernel 4, latent 16, ReLU (also after the decoder's linear layer), transposed
    /// convolutions, sigmoid, log-variance clamped to [-30, 20]: exp's conv VAE for these settings.
    /// </summary>
    private sealed class BareVae : Module
    {
        private readonly Sequential encoder = Sequential(
            Conv2d(1, 32, 4, stride: 2, padding: 1), ReLU(), Conv2d(32, 64, 4, stride: 2, padding: 1), ReLU(), Flatten());
        private readonly Sequential decoder = Sequential(
            Linear(16, 64 * 7 * 7), ReLU(), Unflatten(1, [64, 7, 7]),
            ConvTranspose2d(64, 32, 4, stride: 2, padding: 1, output_padding: 0), ReLU(),
            ConvTranspose2d(32, 1, 4, stride: 2, padding: 1, output_padding: 0), Sigmoid());
        private readonly Linear mu = Linear(64 * 7 * 7, 16);
        private readonly Linear logvar = Linear(64 * 7 * 7, 16);

        public BareVae() : base(nameof(BareVae)) => RegisterComponents();

        /// <summary>-log N(x; f(z), sigma^2 I) + w * KL(q || N(0, I)) (the main example's beta mode), per image, averaged over the batch.</summary>
        public Tensor Loss(Tensor x, Generator noise, double sigma, double klWeight)
        {
            var h = encoder.call(x);
            var (m, lv) = (mu.call(h), logvar.call(h).clamp(-30, 20));
            var z = m + (0.5 * lv).exp() * randn(m.shape, generator: noise);
            var mean = decoder.call(z);
            var d = x[0].numel();
            var logSigma = tensor(Math.Log(sigma), ScalarType.Float32);
            var nll = 0.5 * (x - mean).square().flatten(1).sum(1) * (-2 * logSigma).exp() + d * logSigma + 0.5 * d * Math.Log(2 * Math.PI);
            var kl = 0.5 * (lv.exp() + m.square() - 1 - lv).sum(1);
            return nll.mean() + klWeight * kl.mean();
        }
    }
}

/// <summary>What the bare loop trains; passed on its command line as key=value pairs.</summary>
public sealed record BareSettings(int TrainLimit, int TestLimit, int Epochs, int BatchSize, double LearningRate,
    double NoiseSigma, double KlWeight, int LogEvery, int Threads, int Seed)
{
    public IEnumerable<string> ToArguments() =>
    [
        "bare", $"train_limit={TrainLimit}", $"test_limit={TestLimit}", $"epochs={Epochs}", $"batch_size={BatchSize}",
        FormattableString.Invariant($"lr={LearningRate}"), FormattableString.Invariant($"noise_sigma={NoiseSigma}"),
        FormattableString.Invariant($"kl_weight={KlWeight}"), $"log_every={LogEvery}", $"threads={Threads}", $"seed={Seed}",
    ];

    public static BareSettings Parse(IEnumerable<string> arguments)
    {
        var values = arguments.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        int Int(string key) => int.Parse(values[key], CultureInfo.InvariantCulture);
        double Real(string key) => double.Parse(values[key], CultureInfo.InvariantCulture);
        return new BareSettings(Int("train_limit"), Int("test_limit"), Int("epochs"), Int("batch_size"), Real("lr"),
            Real("noise_sigma"), Real("kl_weight"), Int("log_every"), Int("threads"), Int("seed"));
    }
}
