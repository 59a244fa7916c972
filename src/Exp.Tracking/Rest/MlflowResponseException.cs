using System.Net;

namespace Exp.Tracking.Rest;

/// <summary>
/// A success answer whose body is not the JSON MLflow sends: a proxy's or a login page's HTML,
/// a truncated body, another service on that port. Asking again gets the same page, so it is
/// not transient. The message shows the start of the body with control characters escaped.
/// </summary>
public sealed class MlflowResponseException(string operation, HttpStatusCode status, string? contentType, string body, Uri server)
    : Exception(
        $"the server answered MLflow {operation} with HTTP {(int)status} but not with MLflow's JSON ({contentType ?? "no content type"}: {Excerpt(body)}); "
        + $"check that {server} is an MLflow tracking server (a proxy or a login page in front of it answers with HTML)")
{
    public string Operation { get; } = operation;

    /// <summary>The start of a body, quoted, on one line, safe to print.</summary>
    public static string Excerpt(string body) => $"\"{PrintableText.Of(body, 120)}\"";
}
