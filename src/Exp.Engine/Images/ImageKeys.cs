namespace Exp.Engine.Images;

/// <summary>The keys of the images a trial logs (as <c>mlflow.log_image</c> keys).</summary>
public static class ImageKeys
{
    /// <summary>Decodings of samples of the prior, z ~ N(0, I), per epoch.</summary>
    public const string Samples = "samples";

    /// <summary>Decodings of the same draws scaled to <c>eval.sample_std</c> (the notes' 0.85), z ~ N(0, sample_std^2 I), per epoch; absent when sample_std is 1.</summary>
    public const string TemperedSamples = "samples_tempered";

    /// <summary>Held-out images beside decoder(mu(x)), per epoch.</summary>
    public const string Reconstructions = "reconstructions";

    /// <summary>Bars of the held-out KL per latent dimension, per epoch.</summary>
    public const string KlPerDimension = "kl_per_dimension";

    /// <summary>The log p(x) estimates against k with both proposals, once, at the last epoch.</summary>
    public const string ProposalComparison = "proposal_comparison";
}
