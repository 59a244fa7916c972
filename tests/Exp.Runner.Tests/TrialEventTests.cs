using Exp.Runner.Launching;
using Exp.Runner.Trials;

namespace Exp.Runner.Tests;

public class TrialEventTests
{
    [Fact]
    public void An_event_survives_its_line_including_a_loss_that_is_not_a_number()
    {
        var sent = new TrialEvent(TrialEventKind.Evaluated, 2, 5, 120, 0.4, double.NaN, new Dictionary<string, double> { ["eval/elbo"] = -250.5 });

        var received = TrialEvent.TryDecode(sent.Encode());

        Assert.NotNull(received);
        Assert.Equal((sent.Kind, sent.Epoch, sent.Epochs, sent.Step, sent.Progress), (received.Kind, received.Epoch, received.Epochs, received.Step, received.Progress));
        Assert.True(double.IsNaN(received.Loss!.Value));
        Assert.Equal(-250.5, received.Metrics!["eval/elbo"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Loading data from /usr/share/datasets/fashion-mnist")]
    [InlineData("{\"Kind\":\"Step\"}")]
    public void Other_output_of_a_trial_is_not_an_event(string line) => Assert.Null(TrialEvent.TryDecode(line));

    [Fact]
    public void An_event_file_is_read_in_whole_lines_as_it_grows_each_event_once()
    {
        var directory = Directory.CreateTempSubdirectory("exp-events-");
        try
        {
            var path = RunFolders.Events(directory.FullName);
            var reader = new TrialEventFile.Reader(path);
            Assert.Empty(reader.ReadNew());
            var placed = new TrialEvent(TrialEventKind.Placed, 0, 0, 0, 0, Message: "nœud-1", Restart: 2);
            var step = new TrialEvent(TrialEventKind.Step, 1, 3, 7, 0.1, 0.25);
            using (var writer = new TrialEventFile.Writer(path))
            {
                writer.Write(placed);
                writer.Write(step);
            }
            // What a reader finds while the trial is writing its next line: that line waits for the rest.
            var evaluated = new TrialEvent(TrialEventKind.Evaluated, 1, 3, 8, 1.0 / 3, Metrics: new Dictionary<string, double> { ["eval/elbo"] = -250.5 }).Encode() + "\n";
            File.AppendAllText(path, evaluated[..20]);

            var first = reader.ReadNew();
            File.AppendAllText(path, evaluated[20..]);
            var second = reader.ReadNew();

            Assert.Equal([(TrialEventKind.Placed, "nœud-1", 2), (TrialEventKind.Step, null, null)], first.Select(e => (e.Kind, e.Message, e.Restart)));
            Assert.Equal(0.25, first[1].Loss);
            var last = Assert.Single(second);
            Assert.Equal((TrialEventKind.Evaluated, 8L, -250.5), (last.Kind, last.Step, last.Metrics!["eval/elbo"]));
            Assert.Empty(reader.ReadNew());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(134, "signal 6 (SIGABRT")]
    [InlineData(137, "signal 9 (SIGKILL")]
    [InlineData(3, "exited with code 3")]
    public void A_process_exit_says_how_it_ended(int exitCode, string expected) =>
        Assert.Contains(expected, new TrialExit(exitCode, []).Describe());
}
