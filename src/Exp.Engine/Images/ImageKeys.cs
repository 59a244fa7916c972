namespace Exp.Engine.Images;

/// <summary>The keys of the images a trial logs (as <c>mlflow.log_image</c> keys).</summary>
public static class ImageKeys
{
    /// <summary>Decodings of prior samples, per epoch.</summary>
    public const string Samples = "samples";

    /// <summary>Held-out images beside decoder(mu(x)), per epoch.</summary>
    public const string Reconstructions = "reconstructions";

    /// <summary>Bars of the held-out KL per latent dimension, per epoch.</summary>
    public const string KlPerDimension = "kl_per_dimension";

    /// <summary>The log p(x) estimates against k with both proposals, once, at the last epoch.</summary>
    public const string ProposalComparison = "proposal_comparison";
}
