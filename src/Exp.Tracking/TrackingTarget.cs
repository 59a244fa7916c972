namespace Exp.Tracking;

/// <summary>
/// Where runs go: always a local store folder (MLflow's file store layout), and optionally an
/// MLflow server that the local store forwards to.
/// </summary>
public sealed record TrackingTarget(string LocalDirectory, Uri? ServerUri)
{
    public const string DefaultLocalDirectory = "runs";

    /// <summary>The URI with any user:password part replaced, for messages.</summary>
    public static string RedactUserInfo(string uri)
    {
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var pathStart = scheme < 0 ? -1 : uri.IndexOf('/', scheme + 3);
        return scheme >= 0 && at > scheme && (pathStart < 0 || at < pathStart) ? uri[..(scheme + 3)] + "***@" + uri[(at + 1)..] : uri;
    }
}
