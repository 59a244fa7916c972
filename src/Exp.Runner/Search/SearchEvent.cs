using Exp.Spec;

namespace Exp.Runner.Search;

/// <summary>A decision of an adaptive sweep, recorded and about to take effect, with every trial's state after it.</summary>
/// <param name="Trial">The trial it concerns (none for Finish).</param>
public sealed record SearchEvent(Decision Decision, Trial? Trial, IReadOnlyList<SearchTrial> Trials, Scheduler Scheduler);
