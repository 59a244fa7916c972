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
        var loss = new LossConfig(0.2, true, 1.0, KlMode.Beta);
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
        var loss = new LossConfig(0.2, false, 1.0, KlMode.Beta);
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
        var loss = new LossConfig(0.2, false, weight, mode);
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
}
