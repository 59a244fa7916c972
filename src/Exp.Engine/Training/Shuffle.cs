namespace Exp.Engine.Training;

/// <summary>
/// The order of training images in an epoch: a function of seed and epoch alone, so a resumed
/// run sees exactly the orders the uninterrupted run would have, with no state to save.
/// </summary>
public static class Shuffle
{
    public static long[] Permutation(long count, int seed, int epoch)
    {
        // System.Random with a seed is the same sequence on every platform and .NET version.
        var random = new Random(unchecked(seed * 1_000_003 + epoch));
        var order = new long[count];
        for (long i = 0; i < count; i++)
            order[i] = i;
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.NextInt64(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
