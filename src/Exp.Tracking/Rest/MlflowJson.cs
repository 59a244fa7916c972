using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exp.Tracking.Rest;

/// <summary>
/// JSON as MLflow's REST API speaks it: snake_case fields, statuses as upper-case names,
/// NaN and infinities as the strings protobuf's JSON mapping uses, and int64 fields read
/// whether the server sends them as numbers or as strings.
/// </summary>
internal static class MlflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };
}
