using Exp.Spec;

namespace Exp.Runner.Search;

/// <summary>A segment to train: a trial, from the epochs its checkpoint holds to the epochs granted.</summary>
/// <param name="FromEpochs">Where the segment starts: 0 for a new trial, the rung it paused at for a promotion (a resumed segment's checkpoint may be further on).</param>
public sealed record Segment(SearchTrial Search, Trial Trial, int FromEpochs, int ToEpochs, int Slot);

/// <summary>What an adaptive sweep did, for the summary.</summary>
/// <param name="Decisions">Every decision this `exp run` took, in order.</param>
public sealed record SearchOutcome(IReadOnlyList<SearchTrial> Trials, IReadOnlyList<Decision> Decisions, bool Finished);

/// <summary>
/// The loop of an adaptive sweep (ask and tell): whenever a slot is free it asks
/// <see cref="SearchPolicy"/> what to do, asks <see cref="TpeSampler"/> (or the plan's list) for a
/// new trial's config, records the decision, and only then has the segment trained; what the
/// segment reached is recorded when it ends. Its state is the records' state: an `exp run`
/// started again loads them and goes on with the same decisions.
/// </summary>
public sealed class AdaptiveSweep(Plan plan, ISearchRecords records)
{
    public delegate Task<SegmentEnd> SegmentRunner(Segment segment, CancellationToken stop);

    private readonly Lock gate = new();

    public int TotalTrials => plan.Search?.Trials ?? plan.Trials.Length;

    /// <param name="slots">Segments at once.</param>
    /// <param name="mayLaunch">False stops starting segments (e.g. too many failures); running ones end.</param>
    /// <param name="decided">Told each decision after it was recorded, before it takes effect.</param>
    public async Task<SearchOutcome> RunAsync(int slots, SegmentRunner train, Func<bool> mayLaunch, Action<SearchEvent> decided, CancellationToken stop)
    {
        var (loaded, proposals) = records.Load();
        var trials = loaded.ToDictionary(t => t.Number);
        var trainingHere = new HashSet<int>();
        var elsewhere = new HashSet<int>();
        var decisions = new List<Decision>();
        var segmentEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;

        async Task Worker(int slot)
        {
            while (!stop.IsCancellationRequested && mayLaunch())
            {
                Segment? segment = null;
                Task wait;
                lock (gate)
                {
                    if (finished)
                    {
                        return;
                    }
                    var busy = new HashSet<int>(trainingHere.Concat(elsewhere));
                    var decision = SearchPolicy.Next(ConfigurationMeans.AtRungs([.. trials.Values.OrderBy(t => t.Number)], ConfigurationOf), busy, trainingHere.Count, proposals, TotalTrials, plan.Scheduler, plan.Objective);
                    wait = segmentEnded.Task;
                    switch (decision)
                    {
                        case Decision.Resume resume:
                            var interrupted = trials[resume.Number];
                            segment = new Segment(interrupted, ConfigOf(interrupted), interrupted.Last?.Epochs ?? 0, resume.Epochs, slot);
                            break;
                        case Decision.Start start:
                            proposals++;
                            var (search, config) = Propose(start, [.. trials.Values.OrderBy(t => t.Number)]);
                            if (trials.Values.FirstOrDefault(t => t.TrialId == config.Id) is { } same)
                            {
                                records.Duplicate(start.Number, same.TrialId);
                                // A configuration proposed again is skipped with all its replicates, which are the earlier one's.
                                for (var replicate = 1; replicate < Replicates; replicate++)
                                {
                                    proposals++;
                                    var copy = ConfigOf(search with { Number = start.Number + replicate });
                                    records.Duplicate(start.Number + replicate, copy.Id);
                                }
                                decisions.Add(decision);
                                decided(new SearchEvent(decision, config, [.. trials.Values.OrderBy(t => t.Number)], plan.Scheduler));
                                continue;
                            }
                            records.Proposed(search, config);
                            trials[search.Number] = search;
                            segment = new Segment(search, config, 0, start.Epochs, slot);
                            break;
                        case Decision.Promote promote:
                            records.Granted(promote.Number, promote.ToEpochs);
                            trials[promote.Number] = trials[promote.Number] with { Epochs = promote.ToEpochs, Phase = SearchPhase.Running };
                            segment = new Segment(trials[promote.Number], ConfigOf(trials[promote.Number]), promote.FromEpochs, promote.ToEpochs, slot);
                            break;
                        case Decision.Finish finish:
                            var pruned = finish.Pruned.Select(n => (n, trials[n].Last!.Value.Epochs, trials[n].Last!.Value.Value)).ToList();
                            records.Pruned(pruned);
                            foreach (var number in finish.Pruned)
                            {
                                trials[number] = trials[number] with { Phase = SearchPhase.Pruned };
                            }
                            finished = true;
                            break;
                    }
                    if (decision is not Decision.Wait)
                    {
                        decisions.Add(decision);
                        decided(new SearchEvent(decision, segment?.Trial, [.. trials.Values.OrderBy(t => t.Number)], plan.Scheduler));
                    }
                    if (segment is not null)
                    {
                        trainingHere.Add(segment.Search.Number);
                    }
                }
                if (segment is null)
                {
                    if (finished)
                    {
                        return;
                    }
                    await wait.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
                    continue;
                }

                var end = await train(segment, stop);
                lock (gate)
                {
                    var number = segment.Search.Number;
                    trainingHere.Remove(number);
                    var current = trials[number];
                    switch (end)
                    {
                        case SegmentEnd.Reached reached:
                            var completed = segment.ToEpochs >= plan.Scheduler.MaxEpochs;
                            records.Reached(number, segment.ToEpochs, reached.Value, completed);
                            trials[number] = current with
                            {
                                Rungs = new Dictionary<int, double>(current.Rungs) { [segment.ToEpochs] = reached.Value },
                                Phase = completed ? SearchPhase.Completed : SearchPhase.Paused,
                            };
                            break;
                        case SegmentEnd.Failed failed:
                            records.Failed(number, failed.Reason);
                            trials[number] = current with { Phase = SearchPhase.Failed };
                            break;
                        case SegmentEnd.Interrupted when !stop.IsCancellationRequested:
                            elsewhere.Add(number);
                            break;
                    }
                    var ended = segmentEnded;
                    segmentEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    ended.SetResult();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, slots).Select(slot => Task.Run(() => Worker(slot), CancellationToken.None)));
        return new SearchOutcome([.. trials.Values.OrderBy(t => t.Number)], decisions, finished);
    }

    /// <summary>How many seeds each configuration runs with.</summary>
    private int Replicates => plan.Search?.Replicates ?? 1;

    /// <summary>
    /// The configuration a trial is a replicate of: the plan's group for a listed trial; for a proposal, its
    /// configuration's number (a configuration's replicates are consecutive proposals with the same values).
    /// </summary>
    private string ConfigurationOf(SearchTrial trial) =>
        plan.Search is { } space
            ? space.Configuration(trial.Number).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : plan.Trials[trial.Number - 1].ConfigGroup;

    /// <summary>
    /// Proposal <paramref name="start"/>.Number: the plan's next trial, or TPE's answer given every
    /// configuration so far (by its mean over replicates); a later replicate repeats its configuration's values.
    /// </summary>
    private (SearchTrial Search, Trial Config) Propose(Decision.Start start, IReadOnlyList<SearchTrial> trials)
    {
        double[] values = [];
        Trial config;
        if (plan.Search is { } space)
        {
            var replicate = (start.Number - 1) % space.Replicates;
            values = replicate == 0
                ? TpeSampler.Propose(space, plan.Objective, ConfigurationMeans.PerConfiguration(trials, ConfigurationOf), space.Configuration(start.Number))
                : [.. trials.Single(t => t.Number == start.Number - replicate).Values];
            config = space.Resolve(start.Number, values);
        }
        else
        {
            config = plan.Trials[start.Number - 1];
        }
        return (new SearchTrial(start.Number, config.Id, values, start.Epochs, new Dictionary<int, double>(), SearchPhase.Running), config);
    }

    /// <summary>The trial a proposal stands for.</summary>
    public Trial ConfigOf(SearchTrial trial) =>
        plan.Search is { } space ? space.Resolve(trial.Number, [.. trial.Values]) : plan.Trials[trial.Number - 1];
}
