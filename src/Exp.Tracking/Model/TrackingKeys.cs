using System.Text.RegularExpressions;

namespace Exp.Tracking.Model;

/// <summary>
/// MLflow's rules for metric, param and tag keys and values (mlflow/utils/validation.py),
/// checked before anything is written, so an invalid key fails at the call that made it and
/// never reaches a file or the server.
/// </summary>
public static partial class TrackingKeys
{
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 5000;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a valid key of the given kind.</summary>
    public static void Validate(string kind, string key)
    {
        if (!ValidCharacters().IsMatch(key))
        {
            throw new ArgumentException(
                $"Invalid {kind} name: '{key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }
        // MLflow stores keys as file paths, so a key must not normalise to a different path.
        if (key.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException(
                $"Invalid {kind} name: '{key}'. Names may be treated as files, so they must not be empty, start or end with '/', contain '//', or have '.' or '..' segments.");
        }
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"Invalid {kind} name: '{key[..50]}...' has length {key.Length}, over MLflow's limit of {MaxKeyLength}.");
        }
    }

    public static void ValidateParam(string key, string value)
    {
        Validate("parameter", key);
        ValidateValueLength("Param", key, value, MaxParamValueLength);
    }

    public static void ValidateTag(string key, string value)
    {
        Validate("tag", key);
        ValidateValueLength("Tag", key, value, MaxTagValueLength);
    }

    private static void ValidateValueLength(string kind, string key, string value, int limit)
    {
        if (value.Length > limit)
        {
            throw new ArgumentException($"{kind} '{key}' has a value of length {value.Length}, over MLflow's limit of {limit}.");
        }
    }

    // MLflow's pattern is ^[/\w.\- ]*$ with Python's Unicode-aware \w; .NET's \w is Unicode-aware too.
    [GeneratedRegex(@"^[/\w.\- ]*$")]
    private static partial Regex ValidCharacters();
}
