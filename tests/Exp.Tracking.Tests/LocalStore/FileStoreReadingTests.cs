using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.LocalStore;

public sealed class FileStoreReadingTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Opening_a_store_for_reading_creates_nothing_in_it()
    {
        var copied = Path.Combine(_root.Path, "copied-home");
        Directory.CreateDirectory(copied);

        var store = FileStore.OpenForReading(copied);

        Assert.Empty(store.ListExperiments());
        Assert.Empty(Directory.EnumerateFileSystemEntries(copied));
    }

    [Fact]
    public void A_store_opened_for_reading_reads_what_a_writer_wrote()
    {
        var writer = new FileStore(_root.Path);
        var experiment = writer.GetOrCreateExperiment("e");
        var run = writer.CreateRun(experiment.ExperimentId, new RunStart("r"));
        writer.LogMetrics(run.RunId, [new Metric("eval/elbo", -1.5, 1, 2)]);

        var reader = FileStore.OpenForReading(_root.Path);

        Assert.Equal(-1.5, Assert.Single(reader.GetMetricHistory(run.RunId, "eval/elbo")).Value);
    }

    [Fact]
    public void A_missing_folder_is_an_error_that_names_it() =>
        Assert.Contains("nowhere", Assert.Throws<DirectoryNotFoundException>(() => FileStore.OpenForReading(Path.Combine(_root.Path, "nowhere"))).Message);
}
