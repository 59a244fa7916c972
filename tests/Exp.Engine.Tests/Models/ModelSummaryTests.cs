using Exp.Engine.Models;
using Exp.Spec;
using Exp.Testing;

namespace Exp.Engine.Tests.Models;

public class ModelSummaryTests
{
    [Theory]
    [MemberData(nameof(ExampleSpecs.Names), MemberType = typeof(ExampleSpecs))]
    public void Example_spec(string name) => Match(ExampleSpecs.BaseTrial(name), name);

    [Fact]
    public void Small_conv_on_fashion_mnist() => Match(TestConfigs.Trial(), "small-conv");

    [Fact]
    public void Mlp_with_learned_sigma() =>
        Match(TestConfigs.Trial(
            model: new ModelConfig(Architecture.Mlp, [512, 256], 0, false, Activation.Relu, 32, Upsample.Nearest, OutputActivation.Sigmoid),
            loss: TestConfigs.Loss(mode: SigmaMode.Learned)), "mlp");

    private static void Match(TrialConfig config, string name) =>
        Snapshots.Match(ModelSummary.Describe(config).Split('\n'), name);
}
