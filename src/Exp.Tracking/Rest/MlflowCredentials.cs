using System.Net.Http.Headers;
using System.Text;

namespace Exp.Tracking.Rest;

/// <summary>
/// The Authorization header of MLflow's clients: a bearer token (MLFLOW_TRACKING_TOKEN) or
/// basic auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). The secret is held only
/// in the header value; <see cref="ToString"/> never shows it.
/// </summary>
public sealed class MlflowCredentials
{
    public static readonly MlflowCredentials None = new(null, "none");

    private readonly AuthenticationHeaderValue? _header;
    private readonly string _description;

    private MlflowCredentials(AuthenticationHeaderValue? header, string description)
    {
        _header = header;
        _description = description;
    }

    public static MlflowCredentials Bearer(string token) => new(new AuthenticationHeaderValue("Bearer", token), "bearer token");

    public static MlflowCredentials Basic(string user, string password) =>
        new(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))), $"basic auth as {user}");

    public static MlflowCredentials FromEnvironment(Func<string, string?> environment) =>
        environment("MLFLOW_TRACKING_TOKEN") is { Length: > 0 } token ? Bearer(token)
        : environment("MLFLOW_TRACKING_USERNAME") is { Length: > 0 } user && environment("MLFLOW_TRACKING_PASSWORD") is { } password ? Basic(user, password)
        : None;

    internal void Apply(HttpRequestMessage request) => request.Headers.Authorization = _header;

    public override string ToString() => _description;
}
