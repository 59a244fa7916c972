using System.Globalization;

namespace Exp.Catalog.Tests;

/// <summary>One way to print numbers for the terminal and the report, whatever the machine's locale.</summary>
public class NumberFormatTests
{
    [Theory]
    [InlineData(-312.4567, "-312.457")]
    [InlineData(1.5, "1.500")]
    [InlineData(12345.678, "12345.7")]
    [InlineData(0.0123456, "0.01235")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(12.0, "12")]
    [InlineData(-300.0, "-300")]
    [InlineData(2e6, "2000000.0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Values_print_by_their_range(double value, string expected) => Assert.Equal(expected, NumberFormat.Value(value));

    [Fact]
    public void A_comma_locale_changes_nothing()
    {
        var values = new[] { -312.4567, 1.5, 12345.678, 0.0123456, 12.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        var invariant = InCulture(CultureInfo.InvariantCulture, () => values.Select(NumberFormat.Value).Append(NumberFormat.Duration(TimeSpan.FromSeconds(12.5))).ToList());
        // German writes 1,5 and "∞"/"-∞" and "NaN"; Arabic (Egypt) writes its own minus sign and "ليس رقمًا" for NaN.
        foreach (var name in new[] { "de-DE", "ar-EG", "fr-FR" })
        {
            var culture = CultureInfo.GetCultureInfo(name);
            Assert.NotEqual("0.5", 0.5.ToString(culture));
            Assert.Equal(invariant, InCulture(culture, () => values.Select(NumberFormat.Value).Append(NumberFormat.Duration(TimeSpan.FromSeconds(12.5))).ToList()));
        }
    }

    [Fact]
    public void The_exact_form_parses_back_to_the_same_double()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(value))
            {
                Assert.Equal(value, double.Parse(InCulture(CultureInfo.GetCultureInfo("de-DE"), () => NumberFormat.Exact(value)), CultureInfo.InvariantCulture));
            }
        }
    }

    [Theory]
    [InlineData(12.5, "12.5s")]
    [InlineData(187, "3m07s")]
    [InlineData(3900, "1h05m")]
    public void Durations_print_in_the_largest_unit_that_fits(double seconds, string expected) =>
        Assert.Equal(expected, NumberFormat.Duration(TimeSpan.FromSeconds(seconds)));

    private static T InCulture<T>(CultureInfo culture, Func<T> format)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            return format();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
