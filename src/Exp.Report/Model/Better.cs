namespace Exp.Report.Model;

/// <summary>Which way a metric improves; <see cref="Neither"/> for quantities that are traded, not maximised.</summary>
public enum Better
{
    Higher,
    Lower,
    Neither,
}
