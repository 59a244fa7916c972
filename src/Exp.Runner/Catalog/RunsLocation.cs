using Exp.Spec;
using Exp.Tracking;

namespace Exp.Runner.Catalog;

/// <summary>Where runs go: the local store that holds every run, and the MLflow server it forwards to, if any.</summary>
/// <param name="LocalStore">The local store's folder, as the user named it.</param>
/// <param name="Server">The server (it may hold credentials: show it with <see cref="ServerForPeople"/>).</param>
public sealed record RunsLocation(string LocalStore, Uri? Server)
{
    /// <summary>The local store when nothing names one.</summary>
    public const string DefaultLocalStore = TrackingTarget.DefaultLocalDirectory;

    /// <summary>A plan's: its tracking section, else MLFLOW_TRACKING_URI, else ./runs.</summary>
    public static RunsLocation For(Plan plan) => Of(plan.Tracking.Uri, plan.Tracking.Local);

    /// <summary>Where a tracking URI points (MLFLOW_TRACKING_URI when it is empty), with <paramref name="localStore"/> as the local store.</summary>
    public static RunsLocation Of(string? trackingUri, string? localStore) => From(TrackingTarget.Parse(trackingUri, localStore));

    /// <summary>The server without user:password, for messages.</summary>
    public string? ServerForPeople => Server is null ? null : TrackingTarget.RedactUserInfo(Server.ToString());

    internal TrackingTarget Target => new(LocalStore, Server);

    internal static RunsLocation From(TrackingTarget target) => new(target.LocalDirectory, target.ServerUri);
}
