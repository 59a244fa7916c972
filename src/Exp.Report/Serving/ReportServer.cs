using System.Net;
using Exp.Catalog;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Report.Reading;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exp.Report.Serving;

/// <summary>
/// `exp ui`: the report pages of every sweep, experiment and trial in a local store, served
/// over HTTP on one address (loopback unless told otherwise). Read-only: the store is opened
/// for reading on every request, so pages show what is there now and nothing is ever written.
/// Only GET (and HEAD) are answered.
/// </summary>
public sealed class ReportServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ReportServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ReportServer> StartAsync(string runsFolder, IPAddress address, int port, CancellationToken cancellation = default)
    {
        var root = FileStore.OpenForReading(runsFolder).RootDirectory;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        var app = builder.Build();

        RunCatalog Catalog() => new(FileStore.OpenForReading(root));
        IResult Page(string html) => Results.Content(html, "text/html; charset=utf-8");

        app.MapGet("/", () =>
        {
            var catalog = Catalog();
            return Page(SweepListHtml.Render(catalog, catalog.Sweeps().Any(IsRunning)));
        });
        app.MapGet("/changes", () => StoreStamp.Of(Directory.EnumerateDirectories(root)));
        app.MapGet("/sweeps/{runId}", (string runId) =>
            Catalog() is var catalog && catalog.Sweeps().FirstOrDefault(s => s.Run.RunId == runId) is { } sweep
                ? Page(Reports.Render(new ReportTarget.OfSweep(catalog, sweep), new ReportHtmlOptions($"/changes/{runId}", "/")))
                : NotFound($"no sweep run {runId}"));
        app.MapGet("/changes/{runId}", (string runId) =>
            Catalog() is var catalog && catalog.Sweeps().FirstOrDefault(s => s.Run.RunId == runId) is { } sweep
                ? Results.Text(StoreStamp.Of(sweep.Trials.Select(t => catalog.Store.RunDirectory(t.Run.RunId)).Append(catalog.Store.RunDirectory(runId))))
                : NotFound($"no sweep run {runId}"));
        app.MapGet("/experiments/{experimentId}", (string experimentId) =>
            Catalog() is var catalog && catalog.Store.ListExperiments().FirstOrDefault(e => e.ExperimentId == experimentId) is { } experiment
                ? Page(Reports.Render(new ReportTarget.OfExperiment(catalog, experiment), new ReportHtmlOptions($"/changes", "/")))
                : NotFound($"no experiment {experimentId}"));
        app.MapGet("/trials/{runId}", (string runId) =>
            Catalog() is var catalog && catalog.FindTrials(runId).FirstOrDefault(t => t.Run.RunId == runId) is { } trial
                ? Page(Reports.Render(new ReportTarget.OfTrial(catalog, trial), new ReportHtmlOptions($"/changes", "/")))
                : NotFound($"no trial run {runId}"));

        await app.StartAsync(cancellation);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ReportServer(app, new Uri(bound.Replace("[::]", "[::1]")));
    }

    public Task WaitForShutdownAsync(CancellationToken cancellation) => app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static bool IsRunning(SweepRecord sweep) =>
        sweep.Run.Status == RunStatus.Running || sweep.Trials.Any(t => t.Run.Status == RunStatus.Running);

    private static IResult NotFound(string message) => Results.Text(message + "\n", statusCode: StatusCodes.Status404NotFound);
}
