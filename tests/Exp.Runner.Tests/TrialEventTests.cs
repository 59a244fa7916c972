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

    [Theory]
    [InlineData(134, "signal 6 (SIGABRT")]
    [InlineData(137, "signal 9 (SIGKILL")]
    [InlineData(3, "exited with code 3")]
    public void A_process_exit_says_how_it_ended(int exitCode, string expected) =>
        Assert.Contains(expected, new TrialExit(exitCode, []).Describe());
}
