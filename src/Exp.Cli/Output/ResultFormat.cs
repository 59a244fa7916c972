using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Exp.Cli.Output;

public enum Format
{
    Table,
    Json,
    Csv,
}

/// <summary>
/// The `--json` (and, where the result is one table, `--csv`) options of the commands that print
/// results, and how those are written: one JSON document or one CSV table on stdout, nothing
/// else there (warnings and progress go to stderr). Field names are camelCase and stable; the
/// README's reference lists them.
/// </summary>
public sealed class ResultFormat
{
    // Read by people and scripts, never embedded in HTML: names such as kl_weight=1e+3 stay as written.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Option<bool> json = new("--json") { Description = "Print the result as one JSON document (stable field names)" };
    private readonly Option<bool>? csv;

    private ResultFormat(Command command, bool tabular)
    {
        command.Options.Add(json);
        if (tabular)
        {
            csv = new Option<bool>("--csv") { Description = "Print the result as one CSV table, a header row first" };
            command.Options.Add(csv);
        }
    }

    public static ResultFormat AddTo(Command command) => new(command, tabular: false);

    public static ResultFormat AddWithCsvTo(Command command) => new(command, tabular: true);

    /// <summary>The format asked for; null (with the error printed) when both were.</summary>
    public Format? Of(ParseResult parse)
    {
        var asJson = parse.GetValue(json);
        var asCsv = csv is not null && parse.GetValue(csv);
        if (asJson && asCsv)
        {
            Console.Error.WriteLine("error: --json and --csv are two formats of one result; give one");
            return null;
        }
        return asJson ? Format.Json : asCsv ? Format.Csv : Format.Table;
    }

    public static void WriteJson(JsonNode document) => Console.Out.WriteLine(document.ToJsonString(Indented));

    /// <summary>A metric's value as JSON: a number, or null where JSON has none (NaN, infinities).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>A time as ISO 8601 in UTC.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Metrics(IReadOnlyDictionary<string, double> metrics) =>
        new(metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key, Number(m.Value))));

    /// <summary>RFC 4180: a header row, then one row per record; fields with commas, quotes or line breaks quoted.</summary>
    public static void WriteCsv(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin(',', row.Select(Field)).Append("\r\n");
        }
        Console.Out.Write(text.ToString());
    }

    /// <summary>A number in a CSV cell: the shortest text that reads back as the same double; empty where there is none.</summary>
    public static string CsvNumber(double? value) => value is { } number ? number.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
