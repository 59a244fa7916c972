namespace Exp.Report.Model;

/// <summary>The keys trials log their pictures under (log_image).</summary>
public static class ImageKeys
{
    public const string Samples = "samples";
    public const string Reconstructions = "reconstructions";
    public const string KlPerDimension = "kl_per_dimension";
    public const string ProposalComparison = "proposal_comparison";
}
