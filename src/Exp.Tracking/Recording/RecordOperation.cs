using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Tracking.Recording;

/// <summary>One queued write of a <see cref="RunRecorder"/>, applied by its background writer.</summary>
internal abstract record RecordOperation
{
    public abstract void Apply(FileStore store, string runId);

    /// <summary>Values whose keys the recorder has validated already.</summary>
    public sealed record Metrics(IReadOnlyList<Metric> Values) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => store.AppendValidatedMetrics(runId, Values);
    }

    /// <summary>One value of a training loop's hot path, its key validated already.</summary>
    public sealed record OneMetric(Metric Value) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => store.AppendValidatedMetrics(runId, [Value]);
    }

    public sealed record Params(IReadOnlyList<Param> Values) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => store.LogParams(runId, Values);
    }

    public sealed record Tags(IReadOnlyList<RunTag> Values) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => store.SetTags(runId, Values);
    }

    public sealed record ArtifactBytes(string ArtifactPath, byte[] Content) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => store.WriteArtifact(runId, ArtifactPath, Content);
    }

    /// <param name="Drop">Drops the values (and moves whatever keeps positions in the metric files, such as forwarding's).</param>
    public sealed record DropStepsAfter(long LastStep, Action<FileStore, string, long> Drop) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => Drop(store, runId, LastStep);
    }

    /// <summary>Completes when every operation queued before it has been applied.</summary>
    public sealed record Barrier(TaskCompletionSource Done) : RecordOperation
    {
        public override void Apply(FileStore store, string runId) => Done.TrySetResult();
    }
}
