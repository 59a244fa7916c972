using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exp.Runner.Jobs;

/// <summary>
/// How job and outcome files are written: camelCase, enums by name, and strict on read, so a
/// file from another version of exp, or edited by hand, fails with its path rather than
/// running with a field quietly dropped.
/// </summary>
internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

    /// <summary>Written whole or not at all: a reader never sees half a file.</summary>
    public static void Write<T>(string path, T value)
    {
        // A rename within one folder replaces the file in one step, also on a shared cluster disk.
        var partial = $"{path}.{Environment.ProcessId}.partial";
        File.WriteAllText(partial, JsonSerializer.Serialize(value, Options) + "\n");
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Reads a file this class wrote; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
    public static T Read<T>(string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"{path} is empty; expected {what}");
        }
        catch (JsonException error)
        {
            var where = error.LineNumber is { } line ? $":{line + 1}" : "";
            throw new InvalidDataException($"{path}{where} is not a valid {what}: {error.Message}", error);
        }
    }
}
