using System.Text.Json;

namespace IngestionGate.Domain;

/// <summary>
/// Receipts of one run counted by decision. A receipt may be stored twice (in its commit's batch and, after a repair
/// or backfill, as its own object), so receipts are counted once per <c>receipt_id</c>.
/// </summary>
public sealed class RunReceiptTally
{
    private readonly Dictionary<string, string> _decisionByReceipt = new(StringComparer.Ordinal);

    public bool Contains(string receiptId) => _decisionByReceipt.ContainsKey(receiptId);

    /// <summary>Adds the receipts of a stored object: one receipt, or a receipt batch (an array of receipts).</summary>
    public void Add(ReadOnlySpan<byte> storedObject)
    {
        using var document = JsonDocument.Parse(storedObject.ToArray());
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var receipt in document.RootElement.EnumerateArray())
            {
                AddReceipt(receipt);
            }
        }
        else
        {
            AddReceipt(document.RootElement);
        }
    }

    public int Total => _decisionByReceipt.Count;

    /// <summary>Counts per decision wire name (ADMIT, DUPLICATE, QUARANTINE), every decision present even at zero.</summary>
    public IReadOnlyDictionary<string, int> ByDecision()
    {
        var counts = Enum.GetValues<ReceiptDecision>().ToDictionary(Receipt.WireName, _ => 0, StringComparer.Ordinal);
        foreach (var decision in _decisionByReceipt.Values)
        {
            counts[decision]++;
        }

        return counts;
    }

    private void AddReceipt(JsonElement receipt) =>
        _decisionByReceipt.TryAdd(receipt.GetProperty("receipt_id").GetString()!, receipt.GetProperty("decision").GetString()!);
}
