using System.Text;
using System.Text.Json;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// The ADMIT receipts of one commit, written as one object at <see cref="IgObjectKeys.ReceiptBatch"/> (the issue
/// allows batched receipts as long as each stays retrievable by receipt_id): a JSON array whose elements are the
/// receipts' stored bytes, unchanged, so a receipt read back from its batch is byte for byte the receipt written.
/// </summary>
public static class ReceiptBatch
{
    /// <summary>
    /// The batch id of the commit of <paramref name="publishIds"/>: hex32 of H(the sorted publish ids, one per line).
    /// A publish id names one attempt of one admission, so no other commit (here or in another process) ever uses
    /// the same batch key, and the key is known before the commit that records it in the receipt index.
    /// </summary>
    public static string Id(IEnumerable<string> publishIds)
    {
        ArgumentNullException.ThrowIfNull(publishIds);
        var sorted = publishIds.Order(StringComparer.Ordinal).ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("A receipt batch holds at least one admission.", nameof(publishIds));
        }

        return Digests.Hex32(Digests.Sha256Hex(Encoding.UTF8.GetBytes(string.Join('\n', sorted))));
    }

    /// <summary>The object's bytes: <c>[receipt,receipt,...]</c>, each receipt exactly as <see cref="Receipt.ToUtf8Json"/> writes it.</summary>
    public static byte[] Serialize(IEnumerable<Receipt> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        using var content = new MemoryStream();
        content.WriteByte((byte)'[');
        var first = true;
        foreach (var receipt in receipts)
        {
            if (!first)
            {
                content.WriteByte((byte)',');
            }

            content.Write(receipt.ToUtf8Json());
            first = false;
        }

        content.WriteByte((byte)']');
        return content.ToArray();
    }

    /// <summary>The stored bytes of receipt <paramref name="receiptId"/> in a batch object, or null when the batch does not hold it.</summary>
    public static byte[]? Find(ReadOnlySpan<byte> batch, string receiptId)
    {
        var reader = new Utf8JsonReader(batch);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException("A receipt batch is a JSON array.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            var matches = false;
            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
                {
                    var isId = reader.ValueTextEquals("receipt_id"u8);
                    reader.Read();
                    matches |= isId && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(receiptId);
                    reader.Skip();
                }
            }

            if (matches)
            {
                return batch[start..((int)reader.BytesConsumed)].ToArray();
            }
        }

        return null;
    }
}
