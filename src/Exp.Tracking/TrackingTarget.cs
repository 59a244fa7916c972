using System.Text.RegularExpressions;

namespace Exp.Tracking;

/// <summary>
/// Where runs go: always a local store folder (MLflow's file store layout), and optionally an
/// MLflow server that the local store forwards to.
/// </summary>
public sealed partial record TrackingTarget(string LocalDirectory, Uri? ServerUri)
{
    public const string DefaultLocalDirectory = "runs";

    /// <summary>
    /// <paramref name="text"/> (a URI, an override, a whole spec) with the user:password part of
    /// every URI in it replaced by ***: what exp writes to files, tags, artifacts and messages.
    /// </summary>
    public static string RedactUserInfo(string text) => UserInfo().Replace(text, "${scheme}***@");

    /// <summary>
    /// A server URI without its user:password, which becomes this process's
    /// MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD unless a token or user is set
    /// already. MLflow's Python client sends a URI's user:password as basic auth (requests does);
    /// exp does too, from where MLflow's clients read credentials and from where the trial
    /// processes inherit them (a local process, or a Slurm job, which exports the environment),
    /// so that the URI exp writes into job files, tags and messages never holds the secret.
    /// </summary>
    public static Uri AdoptUserInfo(Uri server)
    {
        if (string.IsNullOrEmpty(server.UserInfo))
        {
            return server;
        }
        var separator = server.UserInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(separator < 0 ? server.UserInfo : server.UserInfo[..separator]);
        var password = separator < 0 ? "" : Uri.UnescapeDataString(server.UserInfo[(separator + 1)..]);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MLFLOW_TRACKING_TOKEN"))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MLFLOW_TRACKING_USERNAME")))
        {
            Environment.SetEnvironmentVariable("MLFLOW_TRACKING_USERNAME", user);
            Environment.SetEnvironmentVariable("MLFLOW_TRACKING_PASSWORD", password);
        }
        return new UriBuilder(server) { UserName = "", Password = "" }.Uri;
    }

    // scheme://user[:password]@ up to the host: to the last @ before the path, so an unescaped @ in a password is covered too.
    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s]*@")]
    private static partial Regex UserInfo();
}
