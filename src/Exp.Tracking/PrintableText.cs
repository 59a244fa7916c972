using System.Globalization;
using System.Text;

namespace Exp.Tracking;

/// <summary>
/// Text from a file or a server made safe to print on a terminal: a damaged file or a foreign
/// answer can hold escape sequences, carriage returns or bidirectional overrides that would
/// rewrite what the user sees. Each such character is shown as \uXXXX instead.
/// </summary>
public static class PrintableText
{
    /// <summary><paramref name="text"/> with control and formatting characters escaped, cut to <paramref name="maxLength"/> characters ("..." marks a cut).</summary>
    public static string Of(string text, int maxLength = int.MaxValue)
    {
        var cut = text.Length > maxLength;
        var shown = new StringBuilder();
        foreach (var character in cut ? text[..maxLength] : text)
        {
            if (char.IsControl(character) || CharUnicodeInfo.GetUnicodeCategory(character) == UnicodeCategory.Format)
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
            }
            else
            {
                shown.Append(character);
            }
        }
        return cut ? shown.Append("...").ToString() : shown.ToString();
    }
}
