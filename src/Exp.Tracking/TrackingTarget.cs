namespace Exp.Tracking;

/// <summary>
/// Where runs go, from a <c>tracking.uri</c> value: always a local store folder (MLflow's
/// file store layout), and optionally an MLflow server that the local store forwards to.
/// </summary>
public sealed record TrackingTarget(string LocalDirectory, Uri? ServerUri)
{
    public const string DefaultLocalDirectory = "runs";

    /// <summary>
    /// Reads a tracking URI: <c>http(s)://...</c> is a server (runs are written to
    /// <paramref name="localDirectory"/>, default <c>runs</c>, first); a path or
    /// <c>file:</c> URI is a local store only. Without a URI, MLFLOW_TRACKING_URI is used,
    /// and without that the local <c>runs</c> folder.
    /// </summary>
    public static TrackingTarget Parse(string? trackingUri, string? localDirectory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var uri = string.IsNullOrWhiteSpace(trackingUri) ? environment("MLFLOW_TRACKING_URI") : trackingUri;
        var local = string.IsNullOrWhiteSpace(localDirectory) ? DefaultLocalDirectory : localDirectory;
        if (string.IsNullOrWhiteSpace(uri))
        {
            return new TrackingTarget(local, null);
        }
        if (uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new TrackingTarget(local, new Uri(uri));
        }
        if (uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new TrackingTarget(new Uri(uri).LocalPath, null);
        }
        if (uri.Contains("://", StringComparison.Ordinal) || uri.StartsWith("databricks", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"Tracking URI scheme of '{RedactUserInfo(uri)}' is not supported: use a folder, a file: URI, or an http(s):// MLflow server.");
        }
        return new TrackingTarget(uri, null);
    }

    /// <summary>The URI with any user:password part replaced, for messages.</summary>
    public static string RedactUserInfo(string uri)
    {
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var pathStart = scheme < 0 ? -1 : uri.IndexOf('/', scheme + 3);
        return scheme >= 0 && at > scheme && (pathStart < 0 || at < pathStart) ? uri[..(scheme + 3)] + "***@" + uri[(at + 1)..] : uri;
    }
}
