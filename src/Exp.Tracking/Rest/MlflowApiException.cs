using System.Net;

namespace Exp.Tracking.Rest;

/// <summary>
/// An error answer of the MLflow REST API: HTTP status, MLflow's error_code and message.
/// The message names the operation and the server's words only; never a header or credential.
/// </summary>
public sealed class MlflowApiException(string operation, HttpStatusCode status, string errorCode, string serverMessage)
    : Exception($"MLflow {operation} failed with HTTP {(int)status} {errorCode}: {serverMessage}")
{
    public string Operation { get; } = operation;

    public HttpStatusCode Status { get; } = status;

    public string ErrorCode { get; } = errorCode;

    /// <summary>Whether asking again may succeed: server errors and rate limiting, not other 4xx answers.</summary>
    public bool IsTransient => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;
}
