using static TorchSharp.torch;

namespace Exp.Engine.Data;

/// <summary>
/// Procedurally drawn images: one to three filled discs, rectangles and triangles of random
/// colours on a dark background. The same seed draws the same images on every machine.
/// </summary>
public static class SyntheticShapes
{
    public const int DefaultTrainCount = 2048;
    public const int DefaultTestCount = 256;

    public static Tensor Draw(int count, int size, int channels, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[(long)count * size * size * channels];
        var colour = new byte[channels];
        for (var n = 0; n < count; n++)
        {
            var image = pixels.AsSpan(n * size * size * channels, size * size * channels);
            random.NextBytes(colour);
            for (var p = 0; p < image.Length; p++)
                image[p] = (byte)(colour[p % channels] / 4);

            var shapes = random.Next(1, 4);
            for (var s = 0; s < shapes; s++)
            {
                var kind = random.Next(3);
                double cx = random.NextDouble() * size, cy = random.NextDouble() * size;
                var r = size * (0.1 + 0.25 * random.NextDouble());
                random.NextBytes(colour);
                for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                    var inside = kind switch
                    {
                        0 => dx * dx + dy * dy <= r * r,
                        1 => Math.Abs(dx) <= r && Math.Abs(dy) <= 0.6 * r,
                        _ => dy <= r / 2 && dy >= -r && Math.Abs(dx) <= (dy + r) / 1.5,
                    };
                    if (inside)
                        colour.CopyTo(image.Slice((y * size + x) * channels, channels));
                }
            }
        }
        return ImageTensors.FromBytes(pixels, count, size, size, channels);
    }
}
