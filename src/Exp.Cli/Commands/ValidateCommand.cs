using System.CommandLine;

namespace Exp.Cli.Commands;

public static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check a spec and its overrides; print every error, or a one-line summary");
        var spec = new SpecArguments();
        spec.AddTo(command);
        command.SetAction(parseResult =>
        {
            var plan = spec.Load(parseResult);
            if (plan is null)
            {
                return ExitCodes.InvalidInput;
            }
            var count = plan.Search?.Trials ?? plan.Trials.Length;
            var trials = count == 1 ? "1 trial" : $"{count} trials";
            var sweep = plan.SweepMethod == "none" ? "no sweep" : $"{plan.SweepMethod} sweep";
            Console.WriteLine($"{plan.SpecPath}: valid, experiment '{plan.Experiment}', {sweep}, {trials}");
            return ExitCodes.Success;
        });
        return command;
    }
}
