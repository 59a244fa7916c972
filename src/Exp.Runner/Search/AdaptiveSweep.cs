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
        var state = new SearchState(loaded, proposals);
        await Task.WhenAll(Enumerable.Range(0, slots).Select(slot => Task.Run(() => WorkAsync(state, slot, train, mayLaunch, decided, stop), CancellationToken.None)));
        return new SearchOutcome(state.Ordered(), state.Decisions, state.Finished);
    }

    /// <summary>
    /// One slot's loop: take the next decision; train the segment it grants and record what it
    /// reached, or wait until some segment ends and the policy may decide otherwise.
    /// </summary>
    private async Task WorkAsync(SearchState state, int slot, SegmentRunner train, Func<bool> mayLaunch, Action<SearchEvent> decided, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && mayLaunch())
        {
            var (segment, wait) = Decide(state, slot, decided);
            if (segment is null)
            {
                if (state.Finished)
                {
                    return;
                }
                await wait.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            Record(state, segment, await train(segment, stop), stop);
        }
    }

    /// <summary>
    /// Asks the policy what this slot does next and records the decision before it takes effect.
    /// Returns the segment to train, or none and what to wait for before asking again.
    /// </summary>
    private (Segment? Segment, Task Wait) Decide(SearchState state, int slot, Action<SearchEvent> decided)
    {
        lock (gate)
        {
            if (state.Finished)
            {
                return (null, Task.CompletedTask);
            }
            var decision = SearchPolicy.Next(
                ConfigurationMeans.AtRungs(state.Ordered(), ConfigurationOf), state.Busy(), state.TrainingHere.Count, state.Proposals, TotalTrials, plan.Scheduler, plan.Objective);
            var wait = state.NextSegmentEnd;
            var step = decision switch
            {
                Decision.Resume resume => Resume(state, resume, slot),
                Decision.Start start => Start(state, start, slot),
                Decision.Promote promote => Promote(state, promote, slot),
                Decision.Finish finish => Finish(state, finish),
                _ => new Step(null, null),
            };
            if (decision is Decision.Wait)
            {
                return (null, wait);
            }
            state.Decisions.Add(decision);
            decided(new SearchEvent(decision, step.About, state.Ordered(), plan.Scheduler));
            if (step.Segment is not { } segment)
            {
                // A duplicate proposal trains nothing: the next decision is due at once.
                return (null, decision is Decision.Start ? Task.CompletedTask : wait);
            }
            state.TrainingHere.Add(segment.Search.Number);
            return (segment, wait);
        }
    }

    /// <summary>What a decision has this slot do: train a segment, or nothing; <c>About</c> is the trial the decision is about, for the observer.</summary>
    private sealed record Step(Segment? Segment, Trial? About);

    private static Step Trained(Segment segment) => new(segment, segment.Trial);

    /// <summary>A trial interrupted in an earlier `exp run`: its segment goes on from its checkpoint.</summary>
    private Step Resume(SearchState state, Decision.Resume resume, int slot)
    {
        var interrupted = state.Trials[resume.Number];
        return Trained(new Segment(interrupted, ConfigOf(interrupted), interrupted.Last?.Epochs ?? 0, resume.Epochs, slot));
    }

    /// <summary>
    /// A new proposal, recorded before it trains. A configuration proposed again is not: it is
    /// recorded as a duplicate with all its replicates, which are the earlier one's.
    /// </summary>
    private Step Start(SearchState state, Decision.Start start, int slot)
    {
        state.Proposals++;
        var (search, config) = Propose(start, state.Ordered());
        if (state.Trials.Values.FirstOrDefault(t => t.TrialId == config.Id) is { } same)
        {
            records.Duplicate(start.Number, same.TrialId);
            for (var replicate = 1; replicate < Replicates; replicate++)
            {
                state.Proposals++;
                records.Duplicate(start.Number + replicate, ConfigOf(search with { Number = start.Number + replicate }).Id);
            }
            return new Step(null, config);
        }
        records.Proposed(search, config);
        state.Trials[search.Number] = search;
        return Trained(new Segment(search, config, 0, start.Epochs, slot));
    }

    /// <summary>A paused trial granted more epochs: it continues from its rung in the same run.</summary>
    private Step Promote(SearchState state, Decision.Promote promote, int slot)
    {
        records.Granted(promote.Number, promote.ToEpochs);
        var promoted = state.Trials[promote.Number] = state.Trials[promote.Number] with { Epochs = promote.ToEpochs, Phase = SearchPhase.Running };
        return Trained(new Segment(promoted, ConfigOf(promoted), promote.FromEpochs, promote.ToEpochs, slot));
    }

    /// <summary>The sweep is done: the trials still paused below max_epochs are pruned for good.</summary>
    private Step Finish(SearchState state, Decision.Finish finish)
    {
        records.Pruned(finish.Pruned.Select(n => (n, state.Trials[n].Last!.Value.Epochs, state.Trials[n].Last!.Value.Value)).ToList());
        foreach (var number in finish.Pruned)
        {
            state.Trials[number] = state.Trials[number] with { Phase = SearchPhase.Pruned };
        }
        state.Finished = true;
        return new Step(null, null);
    }

    /// <summary>Records what a segment reached (or that it failed), and wakes the slots waiting for a segment to end.</summary>
    private void Record(SearchState state, Segment segment, SegmentEnd end, CancellationToken stop)
    {
        lock (gate)
        {
            var number = segment.Search.Number;
            state.TrainingHere.Remove(number);
            var current = state.Trials[number];
            switch (end)
            {
                case SegmentEnd.Reached reached:
                    var completed = segment.ToEpochs >= plan.Scheduler.MaxEpochs;
                    records.Reached(number, segment.ToEpochs, reached.Value, completed);
                    state.Trials[number] = current with
                    {
                        Rungs = new Dictionary<int, double>(current.Rungs) { [segment.ToEpochs] = reached.Value },
                        Phase = completed ? SearchPhase.Completed : SearchPhase.Paused,
                    };
                    break;
                case SegmentEnd.Failed failed:
                    records.Failed(number, failed.Reason);
                    state.Trials[number] = current with { Phase = SearchPhase.Failed };
                    break;
                case SegmentEnd.Interrupted when !stop.IsCancellationRequested:
                    // Another `exp run` holds it: not this one's to decide on again.
                    state.Elsewhere.Add(number);
                    break;
            }
            state.SegmentEnded();
        }
    }

    /// <summary>What one `exp run` of the sweep knows of it: changed only under the gate.</summary>
    private sealed class SearchState(IReadOnlyList<SearchTrial> loaded, int proposals)
    {
        public Dictionary<int, SearchTrial> Trials { get; } = loaded.ToDictionary(t => t.Number);

        /// <summary>Proposals made, duplicates included: the next one's number follows.</summary>
        public int Proposals { get; set; } = proposals;

        /// <summary>The trials training in this process.</summary>
        public HashSet<int> TrainingHere { get; } = [];

        /// <summary>The trials that another `exp run` holds.</summary>
        public HashSet<int> Elsewhere { get; } = [];

        /// <summary>Every decision taken here, in order.</summary>
        public List<Decision> Decisions { get; } = [];

        public bool Finished { get; set; }

        private TaskCompletionSource segmentEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the next segment ends.</summary>
        public Task NextSegmentEnd => segmentEnded.Task;

        public void SegmentEnded()
        {
            var ended = segmentEnded;
            segmentEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended.SetResult();
        }

        public HashSet<int> Busy() => [.. TrainingHere, .. Elsewhere];

        public List<SearchTrial> Ordered() => [.. Trials.Values.OrderBy(t => t.Number)];
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
