using System.CommandLine;
using Exp.Cli.Commands;

var root = new RootCommand("exp: declarative experiments on generative models (VAEs) with TorchSharp, tracked in MLflow")
{
    ValidateCommand.Create(),
    PlanCommand.Create(),
};
return root.Parse(args).Invoke();
