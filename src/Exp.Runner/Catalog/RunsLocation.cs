using Exp.Spec;
using Exp.Tracking;

namespace Exp.Runner.Catalog;

/// <summary>Where runs go: the local store that holds every run, and the MLflow server it forwards to, if any.</summary>
/// <param name="LocalStore">The local store's folder, as the user named it.</param>
/// <param name="Server">The server, without credentials.</param>
public sealed record RunsLocation(string LocalStore, Uri? Server)
{
    /// <summary>The local store when nothing names one.</summary>
    public const string DefaultLocalStore = TrackingTarget.DefaultLocalDirectory;

    /// <summary>A plan's: its tracking section, else MLFLOW_TRACKING_URI, else ./runs.</summary>
    public static RunsLocation For(Plan plan) => Of(plan.Tracking.Uri, plan.Tracking.Local);

    /// <summary>
    /// Where a tracking URI points (MLFLOW_TRACKING_URI when it is empty, else ./runs), as Spec
    /// classifies it: a folder or file: URI is the local store itself; a server is forwarded to
    /// from <paramref name="localStore"/> (default runs). Throws <see cref="ArgumentException"/>
    /// for anything else, without showing credentials. A server's user:password is taken out of
    /// its URI into this process's MLFLOW_TRACKING_* variables (<see cref="TrackingTarget.AdoptUserInfo"/>).
    /// </summary>
    public static RunsLocation Of(string? trackingUri, string? localStore, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var uri = string.IsNullOrWhiteSpace(trackingUri) ? environment("MLFLOW_TRACKING_URI") ?? "" : trackingUri;
        var local = string.IsNullOrWhiteSpace(localStore) ? DefaultLocalStore : localStore;
        return TrackingUris.Classify(uri) switch
        {
            TrackingUriKind.Unset => new RunsLocation(local, null),
            TrackingUriKind.Server => new RunsLocation(local, TrackingTarget.AdoptUserInfo(new Uri(uri))),
            TrackingUriKind.FileUri => new RunsLocation(new Uri(uri).LocalPath, null),
            TrackingUriKind.Folder => new RunsLocation(uri, null),
            _ => throw new ArgumentException($"Tracking URI {TrackingUris.Problem(TrackingTarget.RedactUserInfo(uri))}"),
        };
    }

    internal TrackingTarget Target => new(LocalStore, Server);
}
