using System.Buffers.Binary;
using System.IO.Compression;

namespace Exp.Engine.Data;

/// <summary>An IDX file of unsigned bytes (the MNIST format), optionally gzipped.</summary>
public sealed record IdxFile(int[] Dimensions, byte[] Data)
{
    private const int UnsignedByte = 0x08;

    /// <summary>Reads at most <paramref name="limit"/> items (the first dimension).</summary>
    public static IdxFile Read(string path, int? limit = null)
    {
        if (!File.Exists(path))
            throw new DataNotFoundException($"IDX file not found: {path}");
        using var file = File.OpenRead(path);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new BinaryReader(stream);

        var magic = reader.ReadBytes(4);
        if (magic.Length != 4 || magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByte)
            throw new InvalidDataException($"{path} is not an IDX file of unsigned bytes");
        var dimensions = new int[magic[3]];
        for (var i = 0; i < dimensions.Length; i++)
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(reader.ReadBytes(4));
        if (limit is { } n && n < dimensions[0])
            dimensions[0] = n;

        var length = dimensions.Aggregate(1L, (a, d) => a * d);
        var data = reader.ReadBytes(checked((int)length));
        if (data.Length != length)
            throw new InvalidDataException($"{path} ends after {data.Length} of {length} bytes");
        return new IdxFile(dimensions, data);
    }

    private static bool IsGzip(FileStream file)
    {
        var header = new byte[2];
        var isGzip = file.Read(header, 0, 2) == 2 && header[0] == 0x1f && header[1] == 0x8b;
        file.Position = 0;
        return isGzip;
    }
}
