using System.Globalization;
using System.Text.Json;
using Exp.Cli.Tests.Support;
using Exp.Catalog;
using Exp.Spec;
using Exp.Runner.Trials;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>
/// The CLI as scripts use it: --json and --csv parse and hold the store's values exactly, `exp diff`
/// compares two trials, ambiguous names are refused, usage errors exit 2 with a suggestion. On a
/// store written here (no training), so each case costs only its processes.
/// </summary>
public sealed class ScriptingTests : IDisposable
{
    private readonly Workspace workspace = new();

    /// <summary>A sweep of two trials (and one trial outside it), as exp tags them; returns the trials' run ids.</summary>
    private (string Sweep, string Low, string High, string Standalone) Store()
    {
        var store = workspace.Store;
        var experiment = store.GetOrCreateExperiment("scripted").ExperimentId;
        var sweep = store.CreateRun(experiment, new RunStart("kl-sweep") { Tags = [new RunTag(TrialTags.SweepId, "sweep0000001")] }).RunId;
        store.UpdateRun(sweep, RunStatus.Finished, 10);
        string Trial(string trialId, string name, string klWeight, double elbo, string? parent)
        {
            var run = store.CreateRun(experiment, new RunStart(name)
            {
                ParentRunId = parent,
                Tags = [new RunTag(TrialTags.TrialId, trialId), new RunTag(TrialTags.ConfigGroup, trialId)],
            }).RunId;
            store.LogParams(run, [new Param("loss.kl_weight", klWeight), new Param("train.epochs", "2"), new Param("model.latent_dim", "4")]);
            // Two epochs: the last value is what ls and diff report; the best is the higher ELBO.
            store.LogMetrics(run, [new Metric(Metrics.Elbo, elbo - 10, 1, 1), new Metric(Metrics.Elbo, elbo, 2, 2), new Metric(Metrics.Kl, 1.0 / 3, 2, 2)]);
            store.UpdateRun(run, RunStatus.Finished, 3);
            return run;
        }
        return (sweep,
            Trial("abcd00000001", "kl_weight=0.1", "0.1", -250.123456789, sweep),
            Trial("abcd00000002", "kl_weight=1.0", "1.0", -260.5, sweep),
            Trial("ef0000000003", "base", "1.0", -270.25, null));
    }

    [Fact]
    public async Task Ls_as_json_and_csv_holds_every_trial_with_its_last_metrics_exactly()
    {
        var runs = Store();

        var json = await Exp("ls", "--json");
        var csv = await Exp("ls", "--csv");

        using var document = JsonDocument.Parse(json.Output);
        var sweep = Assert.Single(document.RootElement.GetProperty("sweeps").EnumerateArray());
        Assert.Equal("scripted", sweep.GetProperty("experiment").GetString());
        Assert.Equal(runs.Sweep, sweep.GetProperty("runId").GetString());
        var trials = sweep.GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("runId").GetString()!);
        Assert.Equal(new[] { runs.Low, runs.High }.Order(StringComparer.Ordinal), trials.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(-250.123456789, trials[runs.Low].GetProperty("metrics").GetProperty(Metrics.Elbo).GetDouble());
        Assert.Equal(1.0 / 3, trials[runs.Low].GetProperty("metrics").GetProperty(Metrics.Kl).GetDouble());
        Assert.Equal("finished", trials[runs.Low].GetProperty("status").GetString());
        Assert.True(trials[runs.Low].GetProperty("completed").GetBoolean());
        Assert.Equal(runs.Standalone, Assert.Single(document.RootElement.GetProperty("standalone").EnumerateArray()).GetProperty("runId").GetString());

        var rows = Csv(csv.Output);
        var header = rows[0];
        Assert.Equal(["experiment", "sweep", "sweepRunId", "name", "id", "runId", "status"], header.Take(7));
        Assert.Equal(4, rows.Count);
        var low = rows.Single(r => r[5] == runs.Low);
        Assert.Equal("kl_weight=0.1", low[3]);
        Assert.Equal(-250.123456789, double.Parse(low[header.IndexOf(Metrics.Elbo)], CultureInfo.InvariantCulture));
        Assert.Equal("", rows.Single(r => r[5] == runs.Standalone)[1]);
    }

    [Fact]
    public async Task Show_as_json_gives_params_and_each_metric_last_and_best()
    {
        var runs = Store();

        var shown = await Exp("show", "abcd00000001", "--json");

        using var document = JsonDocument.Parse(shown.Output);
        var root = document.RootElement;
        Assert.Equal(runs.Low, root.GetProperty("runId").GetString());
        Assert.Equal("0.1", root.GetProperty("params").GetProperty("loss.kl_weight").GetString());
        var elbo = root.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == Metrics.Elbo);
        Assert.Equal(-250.123456789, elbo.GetProperty("last").GetDouble());
        Assert.Equal(-250.123456789, elbo.GetProperty("best").GetDouble());
        Assert.Equal(2, elbo.GetProperty("bestStep").GetInt64());
        Assert.Equal(2, elbo.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_prefix_or_an_id_that_matches_several_runs_is_ambiguous_and_the_runs_are_listed()
    {
        var runs = Store();
        // The same trial (its id is its config's) run again in another experiment: two results of one id.
        var other = workspace.Store.GetOrCreateExperiment("elsewhere").ExperimentId;
        var again = workspace.Store.CreateRun(other, new RunStart("kl_weight=0.1") { Tags = [new RunTag(TrialTags.TrialId, "abcd00000001")] }).RunId;
        workspace.Store.LogParams(again, [new Param("train.epochs", "2")]);

        var prefix = await Exp(2, "show", "abcd");
        var id = await Exp(2, "show", "abcd00000001");
        var byRunId = await Exp("show", again);

        Assert.Contains("'abcd' is ambiguous: it matches 3 runs; give more of the trial id, or a run id:", prefix.Error);
        Assert.All(new[] { runs.Low, runs.High, again }, run => Assert.Contains(run, prefix.Error));
        Assert.Contains("'abcd00000001' is ambiguous: it matches 2 runs; give the run id of one:", id.Error);
        Assert.Equal("", prefix.Output + id.Output);
        Assert.Contains($"run {again} in experiment {other}", byRunId.Output);
    }

    [Fact]
    public async Task Diff_shows_the_config_keys_that_differ_the_metrics_side_by_side_and_the_tags_that_differ()
    {
        var runs = Store();

        var text = await Exp("diff", "kl_weight=0.1", runs.Standalone);
        var json = await Exp("diff", "abcd00000001", runs.Standalone, "--json");

        Assert.Contains("loss.kl_weight", text.Output);
        Assert.DoesNotContain("model.latent_dim", text.Output);
        Assert.Contains("-250.123", text.Output);
        Assert.Contains("-270.250", text.Output);
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.Equal(runs.Low, root.GetProperty("a").GetProperty("runId").GetString());
        Assert.Equal(runs.Standalone, root.GetProperty("b").GetProperty("runId").GetString());
        var config = Assert.Single(root.GetProperty("config").EnumerateArray());
        Assert.Equal(("loss.kl_weight", "0.1", "1.0"), (config.GetProperty("key").GetString(), config.GetProperty("a").GetString(), config.GetProperty("b").GetString()));
        var elbo = root.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == Metrics.Elbo);
        Assert.Equal(-270.25 - -250.123456789, elbo.GetProperty("difference").GetDouble());
        var tags = root.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);
        Assert.Equal(runs.Sweep, tags[MlflowTags.ParentRunId].GetProperty("a").GetString());
        Assert.Equal(JsonValueKind.Null, tags[MlflowTags.ParentRunId].GetProperty("b").ValueKind);
        Assert.Equal("ef0000000003", tags[TrialTags.TrialId].GetProperty("b").GetString());
    }

    [Theory]
    [InlineData("ls --json --csv", "error: --json and --csv are two formats of one result; give one")]
    [InlineData("ls --jsn", "error: unknown option '--jsn' for `exp ls`; did you mean '--json'?")]
    [InlineData("run --bogus spec.yaml", "error: unknown option '--bogus' for `exp run`; `exp run --help` lists what it takes")]
    [InlineData("run --dryrun spec.yaml", "did you mean '--dry-run'?")]
    [InlineData("run", "error: Required argument missing for command: 'run'; `exp run --help` shows the usage")]
    [InlineData("lss", "error: unknown command 'lss' for `exp`; did you mean 'ls'?")]
    [InlineData("show x --runs", "--runs")]
    [InlineData("show x --runs elsewhere", "error: no runs folder at")]
    [InlineData("ls runs --runs elsewhere", "error: two runs folders named, 'runs' and --runs 'elsewhere'; name one, with --runs")]
    public async Task Bad_usage_exits_2_on_stderr_with_what_to_do(string commandLine, string expected)
    {
        Store();

        var result = await Exp(2, commandLine.Split(' '));

        Assert.Contains(expected, result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task Version_help_of_a_hidden_command_and_the_runs_folder_answer_as_users_expect()
    {
        Store();
        var elsewhere = Directory.CreateTempSubdirectory("exp-cli-elsewhere-").FullName;
        try
        {
            var version = await Exp("-V");
            var help = await Exp("trial", "--help");
            var byOption = await ExpProcess.RunAsync(elsewhere, "ls", "--runs", workspace.Runs, "--json");
            var byArgument = await ExpProcess.RunAsync(elsewhere, "ls", workspace.Runs, "--json");

            Assert.Matches(@"^\d+\.\d+\.\d+", version.Output.Trim());
            Assert.Contains("--job", help.Output);
            Assert.True(byOption.ExitCode == 0, byOption.ToString());
            Assert.Equal(byOption.Output, byArgument.Output);
            Assert.Contains("kl_weight=0.1", byOption.Output);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Plan_as_json_and_csv_lists_each_trial_with_its_swept_values()
    {
        var spec = workspace.WriteSpec("experiment: x\nsweep:\n  parameters:\n    model.latent_dim: [2, 4]\n");

        var json = await Exp("plan", spec, "loss.kl_weight=0.1,1", "--json");
        var csv = await Exp("plan", spec, "loss.kl_weight=0.1,1", "--csv");

        using var document = JsonDocument.Parse(json.Output);
        var trials = document.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(4, trials.Count);
        Assert.Equal(
            ["2 0.1", "2 1", "4 0.1", "4 1"],
            trials.Select(t => $"{t.GetProperty("swept").GetProperty("model.latent_dim").GetString()} {t.GetProperty("swept").GetProperty("loss.kl_weight").GetString()}").Order());
        var rows = Csv(csv.Output);
        Assert.Equal(["number", "id", "name", "model.latent_dim", "loss.kl_weight"], rows[0]);
        Assert.Equal(trials.Select(t => t.GetProperty("id").GetString()), rows.Skip(1).Select(r => r[1]));
    }

    private Task<ExpResult> Exp(params string[] arguments) => Exp(0, arguments);

    private async Task<ExpResult> Exp(int exitCode, params string[] arguments)
    {
        var result = await ExpProcess.RunAsync(workspace.Directory, arguments);
        Assert.True(result.ExitCode == exitCode, $"exp {string.Join(' ', arguments)}: {result}");
        return result;
    }

    /// <summary>RFC 4180, as the CLI writes it: quoted fields may hold commas and doubled quotes (the harness reads stdout by line).</summary>
    private static List<List<string>> Csv(string text)
    {
        var rows = new List<List<string>>();
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = !quoted; }
                else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
                else { field.Append(c); }
            }
            fields.Add(field.ToString());
            rows.Add(fields);
        }
        return rows;
    }

    public void Dispose() => workspace.Dispose();
}
