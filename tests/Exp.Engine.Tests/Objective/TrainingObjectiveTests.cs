using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Objective;

public class TrainingObjectiveTests
{
    [Fact]
    public void Gradients_reach_encoder_decoder_and_a_learned_sigma()
    {
        manual_seed(1);
        var loss = TestConfigs.Loss(0.2, SigmaMode.Learned);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        using var generator = new Generator(7);

        new TrainingObjective(loss).Loss(vae, rand(8, 1, 28, 28), generator).backward();

        foreach (var (name, parameter) in vae.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            Assert.True(parameter.grad.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void A_fixed_sigma_gets_no_gradient()
    {
        var loss = TestConfigs.Loss(0.2);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);

        new TrainingObjective(loss).Loss(vae, rand(4, 1, 28, 28), new Generator(7)).backward();

        Assert.Null(vae.LogSigma.grad);
    }

    [Theory]
    [InlineData(KlMode.Beta, 1.0, 1.0, 1.0)]
    [InlineData(KlMode.Beta, 4.0, 1.0, 4.0)]
    [InlineData(KlMode.Fraction, 1e-4, 1 - 1e-4, 1e-4)]
    public void Weights_the_terms_as_configured(KlMode mode, double weight, double expectedRecon, double expectedKl)
    {
        manual_seed(2);
        var loss = TestConfigs.Loss(0.2, klWeight: weight, klMode: mode);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        vae.eval();
        var x = rand(4, 1, 28, 28);

        var actual = new TrainingObjective(loss).Loss(vae, x, new Generator(9)).item<float>();

        var (mu, logvar) = vae.Encode(x);
        var eps = randn(mu.shape, generator: new Generator(9));
        var recon = -Gaussian.LogLikelihood(x, vae.Decode(Vae.Reparameterize(mu, logvar, eps)), vae.LogSigma).mean().item<float>();
        var kl = Gaussian.KlToStandardNormal(mu, logvar).mean().item<float>();
        Assert.Equal(expectedRecon * recon + expectedKl * kl, actual, Math.Abs(actual) * 1e-5);
    }

    /// <summary>The encoder and decoder outputs of one evaluation-mode pass with the generator of seed 9, as the objective draws them.</summary>
    private static (Tensor Mean, Tensor Mu, Tensor LogVar) Pass(Vae vae, Tensor x)
    {
        var (mu, logvar) = vae.Encode(x);
        var eps = randn(mu.shape, generator: new Generator(9));
        return (vae.Decode(Vae.Reparameterize(mu, logvar, eps)), mu, logvar);
    }

    [Theory]
    [InlineData(KlMode.Fraction, 1e-4, 0.9999, 1e-4)]   // the notes' code
    [InlineData(KlMode.Beta, 0.00025, 1.0, 0.00025)]    // PyTorch-VAE's kld_weight
    public void Mse_weighs_the_mean_squared_error_per_pixel(KlMode mode, double weight, double expectedRecon, double expectedKl)
    {
        manual_seed(3);
        var loss = TestConfigs.Loss(1.0, klWeight: weight, klMode: mode, reconstruction: Reconstruction.Mse);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        vae.eval();
        var x = rand(4, 1, 28, 28);

        var actual = new TrainingObjective(loss).Loss(vae, x, new Generator(9)).item<float>();

        var (mean, mu, logvar) = Pass(vae, x);
        var mse = (x - mean).square().mean().item<float>();
        var kl = Gaussian.KlToStandardNormal(mu, logvar).mean().item<float>();
        Assert.Equal(expectedRecon * mse + expectedKl * kl, actual, Math.Abs(actual) * 1e-5);
    }

    [Theory]
    [InlineData(KlMode.Fraction, 1e-4)]
    [InlineData(KlMode.Beta, 0.02)]
    public void An_mse_loss_is_a_beta_1_gaussian_loss_at_the_effective_sigma_up_to_scale_and_constant(KlMode mode, double weight)
    {
        manual_seed(4);
        var mseLoss = TestConfigs.Loss(1.0, klWeight: weight, klMode: mode, reconstruction: Reconstruction.Mse);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), mseLoss, 1, 28);
        vae.eval();
        var x = rand(4, 1, 28, 28);
        const int d = 784;
        var sigma = Conventions.mseSigma(mode, weight, d);
        var relative = Conventions.relativeKlWeight(mode, weight);

        var mse = new TrainingObjective(mseLoss).Loss(vae, x, new Generator(9)).item<float>();
        vae.SetLogSigma(tensor(Math.Log(sigma)));
        var gaussian = new TrainingObjective(TestConfigs.Loss(sigma)).Loss(vae, x, new Generator(9)).item<float>();

        // (1 - w) MSE_mean + w KL = (1 - w) (2 sigma^2 / D) (NLL(sigma) - D log sigma - D/2 log 2pi + KL), beta 1.
        var scale = (mode == KlMode.Fraction ? 1 - weight : 1) * 2 * sigma * sigma / d;
        var constant = d * Math.Log(sigma) + 0.5 * d * Gaussian.Log2Pi;
        Assert.Equal(mse, scale * (gaussian - constant), Math.Abs(mse) * 1e-4);
        Assert.Equal(1.0, relative * d / (2 * sigma * sigma), 12);
    }

    [Fact]
    public void Optimal_sigma_is_the_root_of_the_batch_mse_and_the_model_keeps_it()
    {
        manual_seed(5);
        var loss = TestConfigs.Loss(mode: SigmaMode.Optimal);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        vae.eval();
        var x = rand(4, 1, 28, 28);

        var actual = new TrainingObjective(loss).Loss(vae, x, new Generator(9)).item<float>();

        var (mean, mu, logvar) = Pass(vae, x);
        var mse = (x - mean).square().mean().item<float>();
        Assert.Equal(Math.Sqrt(mse), Math.Exp(vae.LogSigma.item<float>()), 1e-5);
        Assert.False(vae.LogSigma.requires_grad);
        var expected = -Gaussian.LogLikelihoodAtOptimalSigma(mse, 784, Vae.MinSigma) + Gaussian.KlToStandardNormal(mu, logvar).mean().item<float>();
        Assert.Equal(expected, actual, Math.Abs(actual) * 1e-5);
    }

    [Fact]
    public void Free_bits_floor_each_dimensions_batch_mean_kl()
    {
        manual_seed(6);
        var loss = TestConfigs.Loss(klWeight: 2.0, freeBits: 0.5);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        vae.eval();
        var x = rand(8, 1, 28, 28);

        var actual = new TrainingObjective(loss).Loss(vae, x, new Generator(9)).item<float>();

        var (mean, mu, logvar) = Pass(vae, x);
        var recon = -Gaussian.LogLikelihood(x, mean, vae.LogSigma).mean().item<float>();
        var perDimension = Gaussian.KlPerDimension(mu, logvar).mean([0]).data<float>().ToArray();
        Assert.Contains(perDimension, kl => kl < 0.5);
        Assert.Equal(recon + 2.0 * perDimension.Sum(kl => Math.Max(kl, 0.5)), actual, Math.Abs(actual) * 1e-5);
    }

    [Fact]
    public void Warm_up_rises_linearly_from_zero_and_a_zero_factor_leaves_the_reconstruction_alone()
    {
        var loss = TestConfigs.Loss(warmupEpochs: 2);
        Assert.Equal([0, 0.25, 0.5, 1, 1], new long[] { 0, 5, 10, 20, 35 }.Select(step => TrainingObjective.WarmupFactor(loss, step, 10)));
        Assert.Equal(1, TrainingObjective.WarmupFactor(TestConfigs.Loss(), 0, 10));

        manual_seed(7);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), loss, 1, 28);
        vae.eval();
        var x = rand(4, 1, 28, 28);
        var actual = new TrainingObjective(loss).Loss(vae, x, new Generator(9), klScale: 0).item<float>();
        var (mean, _, _) = Pass(vae, x);
        Assert.Equal(-Gaussian.LogLikelihood(x, mean, vae.LogSigma).mean().item<float>(), actual, Math.Abs(actual) * 1e-6);
    }

    [Fact]
    public void The_encoders_log_variance_is_clamped_to_its_documented_range()
    {
        manual_seed(8);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using (no_grad())
            vae.LogVar.bias!.fill_(1e4);

        var (_, logvar) = vae.Encode(rand(2, 1, 28, 28));

        Assert.Equal(Vae.MaxLogVar, logvar.max().item<float>());
        Assert.True(float.IsFinite(Gaussian.KlToStandardNormal(vae.Encode(rand(2, 1, 28, 28)).Mu, logvar).sum().item<float>()));
    }
}
