namespace Exp.Runner.Trials;

/// <summary>
/// Crashes a trial process on purpose, for testing that a sweep survives a native crash:
/// <c>EXP_FAULT=abort-at-step:N</c> aborts the process (SIGABRT, as a native crash would)
/// when training reaches step N. Unset, it does nothing.
/// </summary>
public sealed class FaultInjection
{
    public const string Variable = "EXP_FAULT";
    private const string AbortAtStep = "abort-at-step:";

    private readonly long? abortAtStep;

    private FaultInjection(long? abortAtStep) => this.abortAtStep = abortAtStep;

    public static FaultInjection FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        return value is not null && value.StartsWith(AbortAtStep, StringComparison.Ordinal) && long.TryParse(value[AbortAtStep.Length..], out var step)
            ? new FaultInjection(step)
            : new FaultInjection(null);
    }

    public void AtStep(long step)
    {
        if (step >= abortAtStep)
        {
            Environment.FailFast($"{Variable}: aborting at step {step} as asked");
        }
    }
}
