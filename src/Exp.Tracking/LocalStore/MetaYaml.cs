using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Exp.Tracking.LocalStore;

/// <summary>
/// Reads and writes the flat meta.yaml files of MLflow's file store. Writing follows what
/// MLflow's write_yaml produces with PyYAML's safe dumper: keys sorted, block style, one
/// scalar per line, strings quoted when PyYAML would read them as something else.
/// Files are replaced atomically (temporary file, then rename), as MLflow's overwrite_yaml
/// does, so a reader never sees half a file; only on a full disk is one rewritten in place.
/// </summary>
internal static partial class MetaYaml
{
    public const string FileName = "meta.yaml";

    /// <summary>Writes <c>meta.yaml</c> into <paramref name="directory"/>, staging the temporary file there.</summary>
    public static void Write(string directory, IReadOnlyDictionary<string, object?> fields)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in fields.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append(": ").Append(Scalar(value)).Append('\n');
        }
        var path = Path.Combine(directory, FileName);
        try
        {
            AtomicFile.WriteAllText(path, text.ToString(), directory);
        }
        catch (IOException error) when (FullDisk.Cause(error) is not null && File.Exists(path))
        {
            // No room for the copy: the file's own blocks take the new text, which differs only in
            // a status, a time or a name, so that a run can still be ended on a full disk.
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            stream.Write(bytes);
            stream.SetLength(bytes.Length);
            stream.Flush(flushToDisk: true);
        }
    }

    public static Dictionary<string, string?> Read(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            stream.Load(reader);
        }
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            return fields;
        }
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key } && valueNode is YamlScalarNode scalar)
            {
                var isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "null" or "~" or "" or null;
                fields[key] = isNull ? null : scalar.Value;
            }
        }
        return fields;
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        long number => number.ToString(CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        EmptyList => "[]",
        string text => QuoteIfNeeded(text),
        _ => throw new ArgumentException($"meta.yaml cannot hold a {value.GetType().Name}."),
    };

    private static string QuoteIfNeeded(string text)
    {
        if (text.Any(char.IsControl))
        {
            return DoubleQuoted(text);
        }
        var plainIsSafe = PlainSafe().IsMatch(text)
            && !text.Contains(": ", StringComparison.Ordinal)
            && !text.Contains(" #", StringComparison.Ordinal)
            && !text.EndsWith(' ')
            && !text.EndsWith(':')
            && !YamlWords.Contains(text);
        return plainIsSafe ? text : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static string DoubleQuoted(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>Words YAML 1.1 (PyYAML) reads as booleans or null rather than strings.</summary>
    private static readonly HashSet<string> YamlWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    };

    // Starts with a letter or '/', so it cannot be read as a number; no indicator characters.
    [GeneratedRegex(@"^[\p{L}/][\p{L}\p{N} _./:~+@=,()\-]*$")]
    private static partial Regex PlainSafe();

    /// <summary>Marks the empty list MLflow writes as <c>tags: []</c> in a run's meta.yaml.</summary>
    public sealed class EmptyList
    {
        public static readonly EmptyList Instance = new();

        private EmptyList()
        {
        }
    }
}
