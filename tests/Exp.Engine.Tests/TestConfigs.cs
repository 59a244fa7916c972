using Exp.Spec;

namespace Exp.Engine.Tests;

/// <summary>Trial configs for tests, built directly: small, CPU, Fashion-MNIST subsets by default.</summary>
public static class TestConfigs
{
    /// <summary>The kl-sweep model: conv [32, 64], kernel 4, latent 16, sigmoid output.</summary>
    public static ModelConfig SmallConv(Upsample upsample = Upsample.Transposed) =>
        new(Architecture.Conv, [32, 64], 4, false, Activation.Relu, 16, upsample, OutputActivation.Sigmoid);

    /// <summary>The notes' architecture (experiments/notes-faces.yaml) for 128x128 RGB images.</summary>
    public static ModelConfig Notes() =>
        new(Architecture.Conv, [32, 64, 64, 64], 3, true, Activation.LeakyRelu, 1024, Upsample.Nearest, OutputActivation.Linear);

    /// <summary>Fashion-MNIST subsets; a tenth of the training images held out for validation (284: 256 to train on).</summary>
    public static DataConfig FashionMnist(int train, int test) =>
        new(DatasetKind.FashionMnist, DataDefaults.FashionMnistPath, 28, 1, train, test, 0.1);

    /// <summary>A loss, by default the Gaussian ELBO at a fixed sigma 0.1.</summary>
    public static LossConfig Loss(
        double sigma = 0.1,
        SigmaMode mode = SigmaMode.Fixed,
        double klWeight = 1.0,
        KlMode klMode = KlMode.Beta,
        Reconstruction reconstruction = Reconstruction.Gaussian,
        int warmupEpochs = 0,
        double freeBits = 0) =>
        new(reconstruction, sigma, mode, klWeight, klMode, warmupEpochs, freeBits);

    public static TrialConfig Trial(
        DataConfig? data = null,
        ModelConfig? model = null,
        LossConfig? loss = null,
        int epochs = 1,
        int batchSize = 64,
        double lr = 1e-3,
        int iwaeSamples = 0,
        int seed = 1,
        int logEvery = 10,
        int testIwaeSamples = 0,
        bool proposalComparison = false,
        bool numericsCheck = true) =>
        new(seed,
            data ?? FashionMnist(284, 128),
            model ?? SmallConv(),
            loss ?? Loss(),
            new TrainConfig(epochs, batchSize, OptimizerKind.Adam, lr, 0.0, "cpu", logEvery, numericsCheck),
            new EvalConfig(16, 0.85, 8, iwaeSamples, 256, testIwaeSamples, proposalComparison, [1, 10, 100], 32, 3));
}
