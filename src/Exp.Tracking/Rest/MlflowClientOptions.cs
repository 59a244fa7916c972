namespace Exp.Tracking.Rest;

/// <summary>How the REST client talks to a server. The defaults suit training runs; tests shorten the waits.</summary>
public sealed record MlflowClientOptions
{
    /// <summary>Retries of a request that failed transiently (connection refused, 5xx, 429, timeout).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Limit of one attempt of one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public MlflowCredentials Credentials { get; init; } = MlflowCredentials.None;

    /// <summary>Accept any TLS certificate (MLFLOW_TRACKING_INSECURE_TLS).</summary>
    public bool InsecureTls { get; init; }

    /// <summary>Reads credentials and the TLS switch the way every MLflow client does.</summary>
    public static MlflowClientOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new MlflowClientOptions
        {
            Credentials = MlflowCredentials.FromEnvironment(environment),
            InsecureTls = environment("MLFLOW_TRACKING_INSECURE_TLS") is { } insecure
                && (insecure.Equals("true", StringComparison.OrdinalIgnoreCase) || insecure == "1"),
        };
    }
}
