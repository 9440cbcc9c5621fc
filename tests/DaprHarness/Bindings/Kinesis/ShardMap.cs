using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace DaprHarness.Bindings.Kinesis;

/// <summary>
/// Kinesis' record placement: the MD5 of the partition key (UTF-8) read as an unsigned 128-bit big-endian integer
/// falls into exactly one shard's hash-key range. A stream created with N shards splits [0, 2^128) into N equal
/// ranges of 2^128 / N keys (the last one absorbing the remainder), as CreateStream does.
/// </summary>
public static class ShardMap
{
    private static readonly BigInteger KeySpace = BigInteger.One << 128;

    public static BigInteger HashKey(string partitionKey)
    {
#pragma warning disable CA5351 // MD5 is Kinesis' documented partition-key hash, not a security measure.
        var digest = MD5.HashData(Encoding.UTF8.GetBytes(partitionKey));
#pragma warning restore CA5351
        return new BigInteger(digest, isUnsigned: true, isBigEndian: true);
    }

    public static int ShardFor(string partitionKey, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var index = HashKey(partitionKey) / (KeySpace / shardCount);
        return (int)BigInteger.Min(index, shardCount - 1);
    }
}
