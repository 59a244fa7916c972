namespace Exp.Catalog;

/// <summary>
/// Which epoch a trial's picture is from. A trial logs an epoch's pictures at the global step that
/// ended it, where its epoch metric says which epoch that was. Runs from before that convention
/// logged them at step = epoch; one of those can also be the end of an earlier epoch (epochs of 2
/// steps end at 2, 4, 6), so a trial is read one way or the other as a whole: by its epoch metric
/// when every picture sits on a step where an epoch was logged, else by step = epoch.
/// </summary>
public static class PictureEpochs
{
    /// <param name="epochOfStep">The epoch metric's value at each step it was logged.</param>
    /// <param name="pictureSteps">The steps of the trial's per-epoch pictures.</param>
    /// <returns>The epoch of a picture at a given step.</returns>
    public static Func<long, long> For(IReadOnlyDictionary<long, double> epochOfStep, IEnumerable<long> pictureSteps) =>
        pictureSteps.All(epochOfStep.ContainsKey) ? step => (long)epochOfStep[step] : step => step;
}
