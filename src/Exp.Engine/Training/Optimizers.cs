using Exp.Spec;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Exp.Engine.Training;

public static class Optimizers
{
    public static OptimizerHelper Create(TrainConfig config, IEnumerable<Parameter> parameters)
    {
        // A fixed sigma is a parameter without gradients; keep it out of the optimiser's state.
        var trained = parameters.Where(p => p.requires_grad).ToList();
        return config.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(trained, config.Lr, weight_decay: config.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(trained, config.Lr, weight_decay: config.WeightDecay),
            OptimizerKind.Sgd => optim.SGD(trained, config.Lr, weight_decay: config.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Optimizer, "unknown optimizer"),
        };
    }
}
